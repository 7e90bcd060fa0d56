"""Tests of roadmap.portfolio: evidence, attachments, pages, the PID check (the scanner itself: tests/pid)."""

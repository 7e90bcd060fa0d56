"""Tests of roadmap.portfolio: evidence, attachments, pages, the PID check."""

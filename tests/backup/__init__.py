"""Tests of roadmap.backup: backup and restore."""

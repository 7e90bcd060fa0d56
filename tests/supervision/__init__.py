"""Tests of roadmap.supervision: assignments, assessment, ratings, sign-off, review."""

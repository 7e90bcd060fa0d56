"""Tests of roadmap.exports: the portfolio PDF, export jobs, verification."""

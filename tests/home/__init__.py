"""Tests of roadmap.home: the home pages and the health check."""

"""Tests of roadmap.demo: the demo data."""

"""Tests of roadmap.web: access to every route, request parsing, limits, security, logs."""

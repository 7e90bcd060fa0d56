"""Roadmap's tests, in folders that follow roadmap/'s packages."""

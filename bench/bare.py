"""A bare Flask app beside Roadmap in the same server: the floor our stack is measured against."""
from __future__ import annotations

from flask import Flask

bare = Flask("bare")


@bare.get("/")
def hello() -> str:
    """A short HTML page with no database, sessions, templates or security headers."""
    return "<!doctype html><title>bare</title><p>Hello from a bare Flask app.</p>"

"""The feedback pages; importing the package registers every route on the blueprint."""
from __future__ import annotations

from flask import Flask

from roadmap.feedback.blueprint import bp
from roadmap.feedback.views import onspot, public, results, rounds, tickets

__all__ = ["init_app", "onspot", "public", "results", "rounds", "tickets"]


def init_app(app: Flask) -> None:
    """Register the blueprint with its public pages (links without an account)."""
    app.register_blueprint(bp)

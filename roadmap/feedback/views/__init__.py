"""The feedback pages; importing the package registers every route on the blueprint."""
from __future__ import annotations

from flask import Flask

from roadmap.feedback.blueprint import bp
from roadmap.feedback.forms import REGULATORS
from roadmap.feedback.views import lock, onspot, public, results, rounds, tickets
from roadmap.portfolio import offline

__all__ = ["init_app", "onspot", "public", "results", "rounds", "tickets"]


def init_app(app: Flask) -> None:
    """Register the blueprint with its public pages (links without an account)."""
    app.register_blueprint(bp)
    lock.init_app(app)  # assessor mode: a locked session reaches only the assessor's pages
    # The offline forms (a layer below) offer an assessor the same regulators as online.
    app.extensions[offline.REGULATORS_KEY] = [{"code": c.value, "label": c.label}
                                              for c in REGULATORS]

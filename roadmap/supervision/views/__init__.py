"""The supervision pages; importing the package registers every route on the blueprint."""
from __future__ import annotations

from flask import Flask

from roadmap.accounts.models import Role
from roadmap.supervision.blueprint import bp
from roadmap.supervision.views import candidates, checks, items, progress, stages
from roadmap.web import templating

__all__ = ["candidates", "checks", "init_app", "items", "progress", "stages"]


def init_app(app: Flask) -> None:
    """Register the blueprint and the header link."""
    app.register_blueprint(bp)
    templating.register_navigation(app, Role.SUPERVISOR.value, "supervision.inbox", "Supervision")

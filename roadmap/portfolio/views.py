"""The portfolio pages (a blueprint)."""
from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("portfolio", __name__)


def init_app(app: Flask) -> None:
    """Register the blueprint and its navigation links."""
    app.register_blueprint(bp)

"""The education provider pages; importing the package registers every route on its blueprint."""
from __future__ import annotations

from flask import Flask

from roadmap.accounts.models import Role
from roadmap.providers.blueprint import bp, reviews_bp
from roadmap.providers.views import admin, reviews
from roadmap.web import templating

__all__ = ["admin", "init_app", "reviews"]


def init_app(app: Flask) -> None:
    """Register the blueprints and the header links."""
    app.register_blueprint(bp)
    app.register_blueprint(reviews_bp)
    templating.register_navigation(app, Role.PROVIDER_REVIEWER.value, "reviews.queue", "Reviews")
    templating.register_navigation(app, Role.ADMIN.value, "providers.providers",
                                   "Education providers")

"""The training hub pages: hubs, cohorts, enrolment, CSV import, supervisors, the dashboard."""
from __future__ import annotations

from flask import Flask

from roadmap.accounts.models import Role
from roadmap.cohorts.blueprint import bp, hubs_bp
from roadmap.cohorts.views import cohort, hubs, supervisors  # noqa: F401 - their routes register


def init_app(app: Flask) -> None:
    """Register the blueprints and the header link."""
    from roadmap.web import templating

    app.register_blueprint(bp)
    app.register_blueprint(hubs_bp)
    templating.register_navigation(app, Role.HUB_LEAD.value, "hubs.hubs", "Training hub")
    templating.register_navigation(app, Role.ADMIN.value, "hubs.hubs", "Training hubs")

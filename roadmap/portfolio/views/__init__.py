"""The portfolio's pages, registered on its blueprint; init_app adds them to the application."""
from __future__ import annotations

from flask import Flask

from roadmap.accounts.models import Role
from roadmap.framework import definitions, markdown
from roadmap.portfolio.blueprint import bp
from roadmap.portfolio.status import OWN_STATUS_TAGS, STATUS_TAGS
from roadmap.portfolio.views import attachments, evidence, offline, pages  # noqa: F401  (their routes join bp)


def init_app(app: Flask) -> None:
    """Register the blueprint and its navigation links."""
    from roadmap.web import templating

    app.register_blueprint(bp)
    app.register_blueprint(offline.bp)  # the installable app, from the origin's root
    app.jinja_env.globals["offline_device"] = offline.device
    app.jinja_env.globals["evidence_status_tags"] = STATUS_TAGS  # as anyone else reads them
    app.jinja_env.globals["own_status_tags"] = OWN_STATUS_TAGS  # as the candidate reads theirs
    app.jinja_env.filters["portfolio_markdown"] = markdown.render
    app.jinja_env.globals["field_label"] = definitions.label_for  # "you" only to the writer
    app.jinja_env.filters["supervisor_label"] = lambda a: f"{a.supervisor.full_name} ({a.kind})"
    templating.register_navigation(app, Role.CANDIDATE.value, "portfolio.home", "Portfolio")
    templating.register_navigation(app, Role.CANDIDATE.value, "portfolio.evidence_list", "Evidence")

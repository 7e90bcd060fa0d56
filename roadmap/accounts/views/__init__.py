"""The accounts pages: signing in and out, a person's own account, managing people."""
from __future__ import annotations

from flask import Flask, g
from werkzeug.wrappers import Response

from roadmap.accounts import code_attempts
from roadmap.accounts.blueprint import account_bp, bp, login_manager, people_bp
from roadmap.accounts.models import Role
from roadmap.accounts.views import account, people, sign_in  # noqa: F401 - their routes register


def init_app(app: Flask) -> None:
    """Register the blueprints and load the user from the server-side session on each request."""
    from roadmap.web import templating

    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    app.register_blueprint(bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(people_bp)
    templating.register_navigation(app, Role.ADMIN.value, "people.list_people", "People")
    templating.register_navigation(app, Role.HUB_LEAD.value, "people.invite", "Invite people")

    @app.after_request
    def _keep_counted_tries(response: Response) -> Response:
        """A refused try is still a try: its count stays even when the page answers an error.

        Runs before the database's own after_request, which rolls back any 4xx response.
        """
        session = g.get("db_session")
        if session is not None and response.status_code >= 400 \
                and session.info.pop(code_attempts.KEEP_COUNT, False):
            session.commit()
        return response

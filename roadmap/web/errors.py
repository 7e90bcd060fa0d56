"""Error pages in the service's own layout: a user's mistake never shows a bare 500."""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask, g, render_template, url_for
from flask_login import AnonymousUserMixin, current_user
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from roadmap.db import discard_session
from roadmap.links import back_here

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("There is a problem with your request", "Go back and try again."),
    403: ("You cannot do that", "Your account does not allow this. Contact your training hub if you think it should."),
    404: ("Page not found", "If you typed the web address, check it is correct. If you pasted it, check you copied all of it."),
    405: ("Page not found", "This page cannot be used that way."),
    413: ("The file is too large", "Choose a smaller file and try again."),
    429: ("Too many attempts", "Wait a few minutes, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later. What you saved is safe."),
    503: ("Sorry, the service is unavailable", "Try again later."),
}
UNAVAILABLE = ("Sorry, the service is unavailable",
               "Nothing was changed. Wait a moment, then try again.")


def init_app(app: Flask) -> None:
    """Render every HTTP error with the NHS.UK error page pattern."""

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[str, int]:
        if current_user.is_authenticated:
            return render_template(
                "errors/error.html", title="Your form has expired",
                message="For your security, forms expire. Go back, reload the page and submit "
                        "it again."), 400
        # No session at all (it ended, or its cookie was deleted): the way on is to sign in.
        back = back_here()
        return render_template(
            "errors/error.html", title="Your form has expired",
            message="For your security, forms expire, and you are signed out. What you sent "
                    "was not saved.",
            sign_in=url_for("accounts.sign_in", next=back) if back else url_for(
                "accounts.sign_in")), 400

    @app.errorhandler(429)
    def _too_many(error: HTTPException) -> tuple[str, int, dict[str, str]]:
        # A Flask-Limiter limit knows its window; other 429s (the sign-in throttle) ask for a minute.
        limit = getattr(getattr(error, "limit", None), "limit", None)
        seconds = int(limit.get_expiry()) if limit is not None else 60
        return (render_template("errors/too_many_requests.html", wait=_wait(seconds)), 429,
                {"Retry-After": str(seconds)})

    @app.errorhandler(sa.exc.OperationalError)
    def _database_busy(error: sa.exc.OperationalError) -> tuple[str, int, dict[str, str]]:
        # The database is unreachable, or SQLite's lock was held longer than we wait for it.
        log.error("database unavailable: %s", error.orig or error)
        return (*failure_page(*UNAVAILABLE, 503), {"Retry-After": "5"})

    @app.errorhandler(InternalServerError)
    def _failure(error: InternalServerError) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
        if isinstance(error.original_exception, sa.exc.OperationalError):
            return _database_busy(error.original_exception)  # it failed as the request committed
        return failure_page(*MESSAGES[500], 500)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        title, message = MESSAGES.get(code, (error.name, error.description or ""))
        return render_template("errors/error.html", title=title, message=message), code


def failure_page(title: str, message: str, code: int) -> tuple[str, int]:
    """The page after a failure, built without the database, which may be what failed.

    The request's session is dropped and the page is shown as to someone signed out (the
    header's name and menu would need the database); if even the layout fails, plain HTML.
    """
    discard_session()
    g._login_user = AnonymousUserMixin()  # Flask-Login's per-request user: skip loading it
    try:
        return render_template("errors/error.html", title=title, message=message), code
    except Exception:  # noqa: BLE001  (the last resort must not fail in turn)
        log.exception("the error page failed; sending plain HTML")
        return (f"<!doctype html><html lang=en><title>{escape(title)}</title>"
                f"<h1>{escape(title)}</h1><p>{escape(message)}</p>"
                "<p><a href=\"/\">Go to the Roadmap home page</a></p></html>"), code


def _wait(seconds: int) -> str:
    """How long to wait, in words: "a minute", "5 minutes", "an hour"."""
    minutes = max(1, round(seconds / 60))
    if minutes == 1:
        return "a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = round(minutes / 60)
    return "an hour" if hours == 1 else f"{hours} hours"

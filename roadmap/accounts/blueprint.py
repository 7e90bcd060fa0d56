"""The accounts blueprints and what their views share: the signed-in user and the sign-in steps."""
from __future__ import annotations

import datetime as dt
import time
from typing import Optional

from flask import (Blueprint, after_this_request, current_app, redirect, request,
                   session as cookie, url_for)
from flask_login import LoginManager
from werkzeug.wrappers import Response

from roadmap.accounts import code_attempts, devices, service
from roadmap.accounts.models import User
from roadmap.db import after_request_apart, get_session
from roadmap.links import safe_next  # noqa: F401 - the sign-in views take it from here

bp = Blueprint("accounts", __name__)  # signing in and out
account_bp = Blueprint("account", __name__)  # a person's own account
people_bp = Blueprint("people", __name__, url_prefix="/people")  # managing other people
login_manager = LoginManager()
# The session key of assessor mode (feedback.views.lock): the confirm-identity page drops it.
ASSESSOR_LOCK = "assessor_lock"
PENDING_SECONDS = 300  # time allowed between the password step and the code step


@login_manager.request_loader
def _load_user(_request: object) -> Optional[User]:
    """The person whose live server-side session the cookie names, or None."""
    token = cookie.get("sid")
    if not token:
        return None
    settings = current_app.config
    record = service.resume_session(
        get_session(), token,
        idle=dt.timedelta(minutes=settings["SESSION_IDLE_MINUTES"]),
        absolute=dt.timedelta(hours=settings["SESSION_ABSOLUTE_HOURS"]),
    )
    if record is None:
        cookie.pop("sid", None)
        return None
    if service.touch_due(record):
        # In a transaction of its own after the request's: a busy database may make it
        # wait or skip it, but never turns reading a page into a failure.
        record_id = record.id
        after_request_apart(lambda session: service.touch_session(session, record_id))
    return service.active_user(get_session(), record.user_id)


def begin_second_step(user: User, setup: bool) -> Response:
    """Remember who passed the password step, briefly, and ask for the second factor."""
    cookie["pending_user"], cookie["pending_at"] = user.id, time.time()
    return redirect(url_for("account.set_up_app" if setup else "accounts.two_factor"))


def pending_user() -> Optional[User]:
    """The person between the password step and the code step, if still in time."""
    user_id, started = cookie.get("pending_user"), cookie.get("pending_at", 0)
    if user_id is None or time.time() - started > PENDING_SECONDS:
        return None
    return service.active_user(get_session(), user_id)


def finish_sign_in(user: User) -> Response:
    """Start a fresh session (a new id, nothing carried over) and go where the user was going."""
    next_url = safe_next(cookie.get("pending_next"))
    cookie.clear()
    cookie["sid"] = service.start_session(get_session(), user, request.remote_addr,
                                          request.user_agent.string)

    @after_this_request
    def _trust_this_browser(response: Response) -> Response:
        # Set on whichever page ends the sign-in (a redirect, or the new recovery codes).
        return devices.remember(response, user.id)

    return redirect(next_url or url_for("home.home"))


def held_back(page: str, outcome: code_attempts.CodeCheck) -> tuple[str, int, dict[str, str]]:
    """A 429 saying how long to wait (Retry-After), or that the owner must unlock by email."""
    headers = {"Retry-After": str(outcome.wait_seconds)} if outcome.wait_seconds else {}
    return page, 429, headers


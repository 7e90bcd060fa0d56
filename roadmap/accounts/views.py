"""Sign in (password, then a second factor where the role needs one) and sign out."""
from __future__ import annotations

import datetime as dt
import time
from typing import Optional
from urllib.parse import urlsplit

from flask import (Blueprint, Flask, after_this_request, current_app, flash, g, redirect,
                   render_template, request, session as cookie, url_for)
from flask_login import LoginManager, current_user
from werkzeug.wrappers import Response

from roadmap.accounts import code_attempts, devices, service
from roadmap.accounts.forms import SignInForm, TwoFactorForm
from roadmap.accounts.models import User
from roadmap.db import after_request_apart, get_session
from roadmap.web.access import public
from roadmap.links import external_link

bp = Blueprint("accounts", __name__)
login_manager = LoginManager()
PENDING_SECONDS = 300  # time allowed between the password step and the code step


def init_app(app: Flask) -> None:
    """Register the blueprints and load the user from the server-side session on each request."""
    from roadmap.accounts import account_views, people_views

    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    app.register_blueprint(bp)
    app.register_blueprint(account_views.bp)
    app.register_blueprint(people_views.bp)
    people_views.register_navigation(app)

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


@login_manager.request_loader
def _load_user(_request: object) -> Optional[User]:
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
    return get_session().get(User, record.user_id)


def safe_next(target: Optional[str]) -> Optional[str]:
    """Accept only a path on this site: no scheme, no host, no backslash tricks."""
    if not target or "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or target.startswith("//"):
        return None
    return target


def begin_second_step(user: User, setup: bool) -> Response:
    """Remember who passed the password step, briefly, and ask for the second factor."""
    cookie["pending_user"], cookie["pending_at"] = user.id, time.time()
    return redirect(url_for("account.set_up_app" if setup else "accounts.two_factor"))


def pending_user() -> Optional[User]:
    """The person between the password step and the code step, if still in time."""
    user_id, started = cookie.get("pending_user"), cookie.get("pending_at", 0)
    if user_id is None or time.time() - started > PENDING_SECONDS:
        return None
    user = get_session().get(User, user_id)
    return user if user is not None and user.is_active else None


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


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in() -> Response | str | tuple[str, int]:
    """Step one: email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.home"))
    form = SignInForm()
    if request.method == "GET" and request.args.get("next"):
        cookie["pending_next"] = safe_next(request.args["next"])
    if form.validate_on_submit():
        result = service.check_password(get_session(), form.email.data, form.password.data,
                                        current_app.config["ARGON2_PROFILE"], request.remote_addr,
                                        devices.known_accounts())
        if result.throttled:
            form.email.errors = list(form.email.errors) + [
                "Too many failed attempts. Wait 15 minutes and try again, or reset your password"]
            return render_template("accounts/sign_in.html", form=form), 429
        if result.user is None:
            form.email.errors = list(form.email.errors) + [
                "Enter a correct email address and password"]
        elif result.needs_second_factor:
            code_attempts.resend_if_locked(get_session(), result.user, external_link)
            return begin_second_step(result.user, setup=result.needs_app_setup)
        else:
            return finish_sign_in(result.user)
    return render_template("accounts/sign_in.html", form=form)


@bp.route("/sign-in/code", methods=["GET", "POST"])
@public
def two_factor() -> Response | str | tuple[str, int, dict[str, str]]:
    """Step two: the code from the authenticator app, or a recovery code."""
    user = pending_user()
    if user is None:
        cookie.pop("pending_user", None)
        flash("Your sign-in timed out. Enter your email address and password again.", "info")
        return redirect(url_for("accounts.sign_in"))
    form = TwoFactorForm()
    if form.validate_on_submit():
        outcome = code_attempts.check_code(get_session(), user, form.code.data, external_link)
        if outcome.ok:
            return finish_sign_in(user)
        form.code.errors = list(form.code.errors) + [
            outcome.problem or "The security code is not correct or has expired"]
        if outcome.locked or outcome.wait_seconds:
            return held_back(render_template("accounts/two_factor.html", form=form), outcome)
    elif request.method == "GET" and user.two_factor_locked_at is not None:
        form.code.errors = [code_attempts.LOCKED]
    return render_template("accounts/two_factor.html", form=form)


def held_back(page: str, outcome: code_attempts.CodeCheck) -> tuple[str, int, dict[str, str]]:
    """A 429 saying how long to wait (Retry-After), or that the owner must unlock by email."""
    headers = {"Retry-After": str(outcome.wait_seconds)} if outcome.wait_seconds else {}
    return page, 429, headers


@bp.post("/sign-out")
@public
def sign_out() -> Response:
    """End this session on the server and in the browser."""
    token = cookie.get("sid")
    if token:
        service.end_session(get_session(), token)
    cookie.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("accounts.sign_in"))

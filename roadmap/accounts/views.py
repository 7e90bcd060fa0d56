"""Sign in (with a second factor where the role needs it) and sign out."""
from __future__ import annotations

import datetime as dt
import time
from typing import Optional
from urllib.parse import urlsplit

from flask import (Blueprint, Flask, current_app, flash, redirect, render_template, request,
                   session as cookie, url_for)
from flask_login import LoginManager, current_user
from werkzeug.wrappers import Response

from roadmap.accounts import service
from roadmap.accounts.forms import SignInForm, TwoFactorForm
from roadmap.accounts.models import User
from roadmap.db import get_session

bp = Blueprint("accounts", __name__)
login_manager = LoginManager()
PENDING_SECONDS = 300  # time allowed between the password step and the code step


def init_app(app: Flask) -> None:
    """Register the blueprint and load the user from the server-side session on each request."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    app.register_blueprint(bp)


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
    return get_session().get(User, record.user_id)


def safe_next(target: Optional[str]) -> Optional[str]:
    """Accept only a path on this site: no scheme, no host, no backslash tricks."""
    if not target or "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or target.startswith("//"):
        return None
    return target


def _finish_sign_in(user: User) -> Response:
    """Start a fresh session (a new id, nothing carried over) and go where the user was going."""
    next_url = safe_next(cookie.get("pending_next"))
    cookie.clear()
    cookie["sid"] = service.start_session(get_session(), user, request.remote_addr,
                                          request.user_agent.string)
    return redirect(next_url or url_for("web.home"))


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Response | str:
    """Step one: email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = SignInForm()
    if request.method == "GET" and request.args.get("next"):
        cookie["pending_next"] = safe_next(request.args["next"])
    if form.validate_on_submit():
        result = service.check_password(get_session(), form.email.data, form.password.data,
                                        current_app.config["ARGON2_PROFILE"], request.remote_addr)
        if result.user is None:
            form.email.errors = list(form.email.errors) + [
                "Enter a correct email address and password"]
        elif result.needs_second_factor:
            cookie["pending_user"] = result.user.id
            cookie["pending_at"] = time.time()
            return redirect(url_for("accounts.two_factor"))
        else:
            return _finish_sign_in(result.user)
    return render_template("accounts/sign_in.html", form=form)


@bp.route("/sign-in/code", methods=["GET", "POST"])
def two_factor() -> Response | str:
    """Step two: the code from the authenticator app, for roles that must use one."""
    user_id, started = cookie.get("pending_user"), cookie.get("pending_at", 0)
    if user_id is None or time.time() - started > PENDING_SECONDS:
        cookie.pop("pending_user", None)
        flash("Your sign-in timed out. Enter your email address and password again.", "info")
        return redirect(url_for("accounts.sign_in"))
    user = get_session().get(User, user_id)
    form = TwoFactorForm()
    if form.validate_on_submit():
        if user is not None and user.is_active and service.check_totp(user, form.code.data):
            return _finish_sign_in(user)
        form.code.errors = list(form.code.errors) + ["The security code is not correct or has expired"]
    return render_template("accounts/two_factor.html", form=form)


@bp.post("/sign-out")
def sign_out() -> Response:
    """End this session on the server and in the browser."""
    token = cookie.get("sid")
    if token:
        service.end_session(get_session(), token)
    cookie.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("accounts.sign_in"))

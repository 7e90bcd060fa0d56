"""Sign in (password, then a second factor where the role needs one) and sign out."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session as cookie, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from roadmap.accounts import code_attempts, devices, service
from roadmap.accounts.blueprint import (begin_second_step, bp, finish_sign_in, held_back,
                                        pending_user, safe_next)
from roadmap.accounts.forms import SignInForm, TwoFactorForm
from roadmap.db import get_session
from roadmap.web.access import public
from roadmap.links import external_link


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


@bp.post("/sign-out")
@public
def sign_out() -> Response:
    """End this session on the server and in the browser."""
    token = cookie.get("sid")
    if token:
        service.end_session(get_session(), token)
    cookie.clear()
    flash("You have signed out.", "info")
    response = redirect(url_for("accounts.sign_in"))
    # Whatever this browser keeps for the site (offline drafts, the service worker's caches) goes
    # too: the page's script has already warned about drafts not yet saved (roadmap/static/device.js).
    response.headers["Clear-Site-Data"] = '"storage"'
    return response

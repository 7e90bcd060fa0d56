"""A person's own account: invitation links, password reset and change, two-factor, re-checks."""
from __future__ import annotations

import datetime as dt

from flask import (abort, current_app, flash, redirect, render_template, request,
                   session as cookie, url_for)
from flask_login import current_user
from werkzeug.wrappers import Response

from roadmap.accounts import code_attempts, onboarding, service, tokens, twofactor
from roadmap.accounts.blueprint import (ASSESSOR_LOCK, account_bp as bp, begin_second_step,
                                        finish_sign_in, held_back, pending_user, safe_next)
from roadmap.accounts.forms import (ChangePasswordForm, ConfirmIdentityForm, ForgotPasswordForm,
                                    NewPasswordForm, TwoFactorForm, UnlockForm)
from roadmap.accounts.models import TokenPurpose, User
from roadmap.accounts.passwords import verify_password
from roadmap.accounts.policy import password_problem
from roadmap.db import get_session
from roadmap.web.access import public, signed_in
from roadmap.links import external_link


def _profile() -> str:
    """The password hashing profile the settings name."""
    return current_app.config["ARGON2_PROFILE"]


def _policy_ok(form: NewPasswordForm, user: User) -> bool:
    """Check the new password against the policy; put the reason beside the field."""
    problem = password_problem(form.password.data or "", [user.email, user.full_name])
    if problem:
        form.password.errors = list(form.password.errors) + [problem]
    return problem is None


def _after_password_set(user: User, message: str) -> Response:
    """Sign the person in, through the second factor (and its set-up) where they need it."""
    flash(message, "success")
    if user.needs_two_factor or user.totp_confirmed_at:
        return begin_second_step(user, setup=user.totp_confirmed_at is None)
    return finish_sign_in(user)


def _link_problem(problem: str | None, title: str) -> tuple[str, int]:
    """The page for an emailed link that cannot be used (spent, expired or unknown): 410."""
    return render_template("accounts/link_problem.html", problem=problem, title=title), 410


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str) -> Response | str | tuple[str, int]:
    """Set a password from an invitation link."""
    session = get_session()
    user, problem = tokens.holder(session, token, TokenPurpose.INVITATION)
    if user is None:
        return _link_problem(problem, "You cannot use this invitation link")
    form = NewPasswordForm()
    if form.validate_on_submit() and _policy_ok(form, user):
        accepted, problem = onboarding.accept_invitation(session, token, form.password.data, _profile())
        if accepted is None:
            return _link_problem(problem, "You cannot use this invitation link")
        return _after_password_set(accepted, "Your password is set. Welcome to Roadmap.")
    return render_template("accounts/accept_invitation.html", form=form, invited=user)


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
def forgot_password() -> Response | str:
    """Ask for a reset link; the answer is the same whether or not the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        hours = current_app.config["PASSWORD_RESET_HOURS"]
        onboarding.request_reset(get_session(), form.email.data, dt.timedelta(hours=hours),
                                 external_link)
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> Response | str | tuple[str, int]:
    """Choose a new password from a reset link."""
    session = get_session()
    user, problem = tokens.holder(session, token, TokenPurpose.PASSWORD_RESET)
    if user is None:
        return _link_problem(problem, "You cannot use this reset link")
    form = NewPasswordForm()
    if form.validate_on_submit() and _policy_ok(form, user):
        changed, problem = onboarding.reset_password(session, token, form.password.data, _profile())
        if changed is None:
            return _link_problem(problem, "You cannot use this reset link")
        cookie.clear()
        flash("Your password has been changed. Sign in with your new password.", "success")
        return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/sign-in/set-up-app", methods=["GET", "POST"])
@public
def set_up_app() -> Response | str:
    """Add Roadmap to an authenticator app during sign-in; required for some roles."""
    user = pending_user()
    if user is None:
        flash("Your sign-in timed out. Enter your email address and password again.", "info")
        return redirect(url_for("accounts.sign_in"))
    return _set_up(user, on_success=finish_sign_in)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@signed_in
def two_factor_settings() -> Response | str:
    """Turn on (or move to a new phone) sign-in with an authenticator app."""
    user = current_user._get_current_object()
    within = dt.timedelta(minutes=current_app.config["REAUTH_MINUTES"])
    if user.totp_confirmed_at and not service.recently_authenticated(
            get_session(), cookie.get("sid"), within):
        return redirect(url_for("account.confirm_identity", next=request.path))
    return _set_up(user, on_success=None)


def _set_up(user: User, on_success: object) -> Response | str:
    """Show the app's QR code and secret; a correct code confirms it and shows recovery codes."""
    secret = cookie.get("setup_secret") or twofactor.new_secret()
    cookie["setup_secret"] = secret
    form = TwoFactorForm()
    if form.validate_on_submit():
        codes = twofactor.confirm_app(get_session(), user, secret, form.code.data)
        if codes is not None:
            cookie.pop("setup_secret", None)
            if on_success is not None:
                on_success(user)  # starts the session; we show the codes on this response
            return render_template("accounts/recovery_codes.html", codes=codes)
        form.code.errors = list(form.code.errors) + ["The security code is not correct or has expired"]
    uri = twofactor.setup_uri(user, secret)
    return render_template("accounts/set_up_app.html", form=form, secret=secret,
                           qr=twofactor.qr_svg(uri), required=user.needs_two_factor)


@bp.get("/account")
@signed_in
def account() -> str:
    """The person's details, roles and security settings."""
    user = current_user._get_current_object()
    remaining = twofactor.remaining_recovery_codes(get_session(), user)
    return render_template("accounts/account.html", user=user, remaining=remaining)


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password() -> Response | str:
    """Change the password; every other session of the person ends."""
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(user.password_hash, form.current.data, _profile()):
            form.current.errors = list(form.current.errors) + ["Your current password is not correct"]
        elif _policy_ok(form, user):
            service.set_password(get_session(), user, form.password.data, _profile(), "password.changed")
            response = finish_sign_in(user)  # a fresh session here; all others have ended
            flash("Your password has been changed. You have been signed out everywhere else.", "success")
            return response
    return render_template("accounts/change_password.html", form=form)


@bp.route("/account/confirm", methods=["GET", "POST"])
@signed_in
def confirm_identity() -> Response | str | tuple[str, int, dict[str, str]]:
    """Enter the password or a code again before signing; it counts for a few minutes."""
    user = current_user._get_current_object()
    form = ConfirmIdentityForm()
    next_url = safe_next(request.args.get("next")) or url_for("home.home")
    if form.validate_on_submit():
        outcome = code_attempts.check_identity(get_session(), user, form.secret.data or "",
                                               _profile(), external_link)
        if outcome.ok:
            service.mark_reauthenticated(get_session(), cookie["sid"])
            cookie.pop(ASSESSOR_LOCK, None)  # the candidate is back: assessor mode ends
            return redirect(next_url)
        form.secret.errors = list(form.secret.errors) + [
            outcome.problem or "That is not your password or a current security code"]
        if outcome.locked or outcome.wait_seconds:
            return held_back(render_template("accounts/confirm.html", form=form,
                                             minutes=current_app.config["REAUTH_MINUTES"]), outcome)
    return render_template("accounts/confirm.html", form=form,
                           minutes=current_app.config["REAUTH_MINUTES"])


@bp.route("/sign-in/unlock/<token>", methods=["GET", "POST"])
@public
def unlock_two_factor(token: str) -> Response | str | tuple[str, int]:
    """Lift the lock after too many wrong codes, from the link emailed to the owner.

    Opening the link only shows a button: mail scanners open links, and must not unlock.
    """
    session = get_session()
    found = tokens.check(session, token, TokenPurpose.TWO_FACTOR_UNLOCK)
    if found.record is None:
        return _link_problem(found.problem, "You cannot use this unlock link")
    form = UnlockForm()
    if form.validate_on_submit():
        user, problem = code_attempts.unlock(session, token)
        if user is None:
            return _link_problem(problem, "You cannot use this unlock link")
        cookie.clear()
        flash("Signing in with a security code is unlocked. If you did not enter those wrong "
              "codes, someone knows your password: sign in and change it now.", "success")
        return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/unlock.html", form=form)


@bp.post("/account/recovery-codes")
@signed_in
def new_recovery_codes() -> Response | str:
    """Replace the recovery codes; needs a recent password or code."""
    user = current_user._get_current_object()
    within = dt.timedelta(minutes=current_app.config["REAUTH_MINUTES"])
    if not service.recently_authenticated(get_session(), cookie.get("sid"), within):
        return redirect(url_for("account.confirm_identity", next=url_for("account.account")))
    if not user.totp_confirmed_at:
        abort(404)
    codes = twofactor.new_recovery_codes(get_session(), user)
    return render_template("accounts/recovery_codes.html", codes=codes)

"""What the supervision views share: the blueprint, today's date, identity re-checks."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, session as cookie
from flask_login import current_user

from roadmap.accounts import service as accounts
from roadmap.accounts.passwords import verify_password
from roadmap.accounts.twofactor import code_matches
from roadmap.db import get_session
from roadmap.supervision.forms import IdentityForm
from roadmap.web.templating import LONDON

bp = Blueprint("supervision", __name__)


def today() -> dt.date:
    """Today in England."""
    return dt.datetime.now(LONDON).date()


def identity_recent() -> bool:
    """True when the password or a code was entered within the allowed minutes."""
    within = dt.timedelta(minutes=current_app.config["REAUTH_MINUTES"])
    return accounts.recently_authenticated(get_session(), cookie.get("sid"), within)


def identity_confirmed(form: IdentityForm) -> bool:
    """Signing needs the password or a code from the last few minutes; check what was typed."""
    if identity_recent():
        return True
    typed = form.identity.data or ""
    user = current_user._get_current_object()
    if typed and (code_matches(user.totp_secret, typed) or
                  verify_password(user.password_hash, typed, current_app.config["ARGON2_PROFILE"])):
        accounts.mark_reauthenticated(get_session(), cookie["sid"])
        return True
    form.identity.errors = list(form.identity.errors) + [
        "Enter your password or a current code from your authenticator app to sign"]
    return False

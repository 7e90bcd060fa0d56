"""The supervision blueprint and what its views share: identity re-checks before signing, an
item's assessment page and its assessor's form."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, current_app, session as cookie
from flask_login import current_user

from roadmap.accounts import code_attempts, service as accounts
from roadmap.clock import today
from roadmap.db import get_session
from roadmap.portfolio.forms import QuestionsForm, questions_form
from roadmap.supervision import assessment
from roadmap.supervision.forms import IdentityForm
from roadmap.links import external_link
from roadmap.web.reach import Reach, load_evidence

bp = Blueprint("supervision", __name__)


def item_page(evidence_id: int) -> assessment.ItemPage:
    """An item as its assessor reads it, to a current supervisor (404 to anyone else)."""
    evidence, _level = load_evidence(get_session(), current_user, evidence_id, {Reach.SUPERVISOR},
                                     today())
    return assessment.item_page(get_session(), evidence)


def assessor_form(page: assessment.ItemPage, **options: Any) -> QuestionsForm:
    """The assessor's questions of the item: its form's, and a grade for each heading the
    candidate tagged where the type asks for one."""
    return questions_form(page.kind, page.evidence.template_code, page.scales, ["assessor"],
                          page.headings, **options)


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
    outcome = code_attempts.check_identity(get_session(), user, typed,
                                           current_app.config["ARGON2_PROFILE"],
                                           external_link) if typed else None
    if outcome is not None and outcome.ok:
        accounts.mark_reauthenticated(get_session(), cookie["sid"])
        return True
    if not typed:
        problem = "Enter your password or a current code from your authenticator app to sign"
    else:  # typed but refused: say so, never as if the box were empty
        problem = (outcome and outcome.problem) or "The password or code is not right"
    form.identity.errors = list(form.identity.errors) + [problem]
    return False

"""The portfolio's blueprint and what its views share: the enrolment, lost-work care, the item page."""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable, Optional

from flask import Blueprint, abort, render_template, request, session as cookie
from flask_login import current_user

from roadmap.clock import today
from roadmap.cohorts.models import Enrolment, current_enrolment
from roadmap.db import get_session
from roadmap.links import absolute_url
from roadmap.portfolio import autosave, items
from roadmap.web.reach import CONTENT, Reach, load_evidence, signed_version

bp = Blueprint("portfolio", __name__, url_prefix="/portfolio")
OWNER = {Reach.OWNER}


def enrolment_or_none() -> Optional[Enrolment]:
    """The signed-in candidate's current enrolment."""
    return current_enrolment(get_session(), current_user)


def enrolment_or_404() -> Enrolment:
    """The signed-in candidate's current enrolment, or 404 when they have none."""
    enrolment = enrolment_or_none()
    if enrolment is None:
        abort(404)
    return enrolment


def form_key() -> str:
    """The page a form belongs to, with its query: what autosaved answers are kept under."""
    return request.full_path.rstrip("?")[:300]


def absolute(endpoint: str, **values: Any) -> str:
    """An absolute link for an email, from BASE_URL (never from the request's host)."""
    return absolute_url(endpoint, **values)


def lock_version(value: Any) -> int:
    """The version a form carries; one that is missing, not a number, or beyond any version
    the database can hold (it would fail the comparison) is treated as stale."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return -1
    return number if 0 <= number < 2**31 else -1


def keeps_work(view: Callable[..., Any]) -> Callable[..., Any]:
    """Outside the access check: a form posted after the session ended is kept, not lost.

    The answers are kept for the person whose session it was and offered back on the same
    page once they have signed in again (sign-in returns them there).
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.method == "POST":
            token = cookie.get("sid")  # read before current_user, which drops an ended session
            if token and not current_user.is_authenticated:
                autosave.keep_for_expired_session(get_session(), token, form_key(), request.form)
        return view(*args, **kwargs)

    wrapper.allowed_roles = view.allowed_roles  # type: ignore[attr-defined]
    return wrapper


def evidence_page(evidence_id: int, upload_error: Optional[str] = None,
                  marked: Optional[object] = None, excerpts: Optional[list] = None) -> str:
    """An item's page for whoever may read it; with an upload's refusal beside the file field
    (and `marked`, a file name that may identify a patient, highlighted, with its confirmation)."""
    session, user = get_session(), current_user._get_current_object()
    evidence, level = load_evidence(session, user, evidence_id, CONTENT, today())
    former = level is Reach.SUPERVISOR_READONLY  # as they signed it, nothing newer
    page = items.item_page(session, user, evidence, level == Reach.OWNER,
                           signed_version(session, user, evidence.id) if former else None)
    return render_template("portfolio/evidence.html", upload_error=upload_error,
                           upload_marked=marked, upload_excerpts=excerpts, **page.context())

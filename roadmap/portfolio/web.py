"""What the portfolio's views share: the blueprint, today's date, the enrolment, lost-work care."""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable, Optional

from flask import Blueprint, abort, request, session as cookie
from flask_login import current_user

from roadmap.cohorts.models import Enrolment, current_enrolment
from roadmap.db import get_session
from roadmap.portfolio import autosave
from roadmap.links import absolute_url

bp = Blueprint("portfolio", __name__, url_prefix="/portfolio")

STATUS_TAGS = {
    "draft": ("Draft", "nhsuk-tag--grey"),
    "submitted": ("Waiting for supervisor", "nhsuk-tag--blue"),
    "returned": ("Returned to you", "nhsuk-tag--orange"),
    "signed": ("Signed", "nhsuk-tag--green"),
    "changed_since_signed": ("Changed since signed", "nhsuk-tag--yellow"),
}



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

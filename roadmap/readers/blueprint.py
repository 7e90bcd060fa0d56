"""The readers' blueprint and what its views share: the candidate's own enrolment."""
from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

from roadmap.cohorts.models import Enrolment, current_enrolment
from roadmap.db import get_session

bp = Blueprint("readers", __name__, url_prefix="/portfolio/readers")


def enrolment_or_404() -> Enrolment:
    """The signed-in candidate's current enrolment, or 404 when they have none."""
    enrolment = current_enrolment(get_session(), current_user)
    if enrolment is None:
        abort(404)
    return enrolment

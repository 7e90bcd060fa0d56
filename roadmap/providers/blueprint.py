"""The education provider blueprints and what their views share.

`providers` is the administrators' set-up of providers and their reviewers; `reviews` is a
reviewer's queue and review pages, where deciding asks who they are as signing does (the
identity re-check of roadmap.supervision.blueprint).
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app
from flask_login import current_user

from roadmap.accounts.models import User
from roadmap.supervision.blueprint import identity_confirmed, identity_recent

bp = Blueprint("providers", __name__, url_prefix="/providers")  # administrators
reviews_bp = Blueprint("reviews", __name__, url_prefix="/provider")  # a reviewer's own pages

__all__ = ["bp", "identity_confirmed", "identity_recent", "invitation_lifetime", "me",
           "reviews_bp", "sample_percent"]


def me() -> User:
    """The signed-in person."""
    return current_user._get_current_object()


def invitation_lifetime() -> dt.timedelta:
    """How long the invitation a new reviewer gets stays valid."""
    return dt.timedelta(days=current_app.config["INVITATION_DAYS"])


def sample_percent() -> int:
    """The share of first approvals sent to a second review (ROADMAP_PROVIDER_SAMPLE_PERCENT)."""
    return int(current_app.config["PROVIDER_SAMPLE_PERCENT"])

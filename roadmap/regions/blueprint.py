"""The region blueprint and what its views share: who may look, the signed-in person.

An administrator sees and sets up every region; a regional lead sees the regions they lead,
counts only. Anything of another region is a 404 (the loaders in roadmap.web.reach), so
nobody learns that it exists.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app
from flask_login import current_user

from roadmap.accounts.models import Role, User

bp = Blueprint("regions", __name__, url_prefix="/regions")
VIEWERS = (Role.REGIONAL_LEAD, Role.ADMIN)


def me() -> User:
    """The signed-in person."""
    return current_user._get_current_object()


def invitation_lifetime() -> dt.timedelta:
    """How long the invitation a new regional lead gets stays valid."""
    return dt.timedelta(days=current_app.config["INVITATION_DAYS"])

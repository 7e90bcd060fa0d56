"""The training hub blueprints and what their views share: who manages, the signed-in person.

Administrators manage hubs; a hub lead manages their own hub's cohorts only: anything of
another hub is a 404 (the loaders in roadmap.web.reach), so nobody learns that it exists.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Optional, TypeVar

from flask import Blueprint, current_app
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from roadmap.accounts.models import Role, User
from roadmap.framework.models import FrameworkVersion
from roadmap.providers.models import EducationProvider
from roadmap.supervision.blueprint import identity_confirmed, identity_recent

bp = Blueprint("cohorts", __name__)
hubs_bp = Blueprint("hubs", __name__, url_prefix="/hubs")
MANAGERS = (Role.HUB_LEAD, Role.ADMIN)

__all__ = ["MANAGERS", "bp", "chosen", "hubs_bp", "identity_confirmed", "identity_recent",
           "invitation_lifetime", "me", "provider_choices", "version_choices"]

Option = TypeVar("Option", bound=Any)  # a loaded row with an id: a framework version, an employer


def me() -> User:
    """The signed-in person."""
    return current_user._get_current_object()


def invitation_lifetime() -> dt.timedelta:
    """How long the invitation a new candidate gets stays valid."""
    return dt.timedelta(days=current_app.config["INVITATION_DAYS"])


def version_choices(versions: Iterable[FrameworkVersion]) -> list[SelectChoice]:
    """The roadmaps a new enrolment may be pinned to, as a select's choices."""
    return [SelectChoice(v.id, f"{v.title} (version {v.version_label})") for v in versions]


def provider_choices(providers: Iterable[EducationProvider]) -> list[SelectChoice]:
    """The education providers an enrolment may name, after "None", as a select's choices."""
    return [SelectChoice(0, "None (portfolio route without a provider)")] + [
        SelectChoice(p.id, p.name) for p in providers]


def chosen(options: Iterable[Option], option_id: Optional[int]) -> Optional[Option]:
    """The offered option with this id, or None (a stale or forged id)."""
    return next((option for option in options if option.id == option_id), None)

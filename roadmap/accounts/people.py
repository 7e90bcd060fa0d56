"""Managing people: who may invite whom, finding accounts, changing roles, disabling accounts.

Admins invite anyone and manage every account; a hub lead invites candidates and
supervisors for the hubs they lead. The view checks the role; these functions keep the rules.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts import onboarding, service
from roadmap.accounts.models import Role, User
from roadmap.cohorts.models import TrainingHub, hubs_led_by


class PeopleError(ValueError):
    """A rule stopped the change; the message says why, in plain words."""


def search(session: Session, query: str, page: int, size: int) -> tuple[list[User], bool]:
    """A page of accounts by name, matching the name or email when asked; and whether more follow."""
    statement = sa.select(User).order_by(User.full_name, User.id)
    if query:
        like = f"%{query.lower()}%"
        statement = statement.where(sa.or_(sa.func.lower(User.full_name).like(like),
                                           User.email.like(like)))
    people = session.scalars(statement.limit(size + 1).offset((page - 1) * size)).all()
    return list(people[:size]), len(people) > size


def invitable_roles(user: User) -> list[Role]:
    """Admins invite anyone; hub leads invite candidates and supervisors for their hub."""
    if user.has_role(Role.ADMIN):
        return list(Role)
    return [Role.CANDIDATE, Role.SUPERVISOR]


def invitable_hubs(session: Session, user: User) -> list[TrainingHub]:
    """The hubs someone this person invites may lead: every hub for an admin, else their own."""
    statement = sa.select(TrainingHub).order_by(TrainingHub.name)
    if not user.has_role(Role.ADMIN):
        statement = statement.where(TrainingHub.id.in_(hubs_led_by(user.id)))
    return list(session.scalars(statement))


def invite(session: Session, inviter: User, role: Role, hub_id: Optional[int], *, email: str,
           full_name: str, lifetime: dt.timedelta, link_for: onboarding.LinkFor,
           **details: Optional[str]) -> User:
    """Invite someone by email in one role; a hub lead's hub must be one the inviter may give.

    Raises onboarding.InvitationError naming the field that is wrong.
    """
    if role not in invitable_roles(inviter):
        raise onboarding.InvitationError("role", "Select a role you may invite")
    if role is Role.HUB_LEAD and hub_id not in {h.id for h in invitable_hubs(session, inviter)}:
        raise onboarding.InvitationError("hub_id", "Select the hub this person will lead")
    return onboarding.invite(session, email=email, full_name=full_name, roles=[role],
                             hub_id=hub_id or None, invited_by=inviter, lifetime=lifetime,
                             link_for=link_for, **details)


@dataclass
class PersonPage:
    """One account as an admin sees it, with the hubs a lead could be given."""

    person: User
    hubs: list[TrainingHub]
    lead_hub_id: Optional[int]  # the hub the person leads, if any


def person_page(session: Session, person: User) -> PersonPage:
    """What the admin's page of one account shows."""
    hubs = list(session.scalars(sa.select(TrainingHub).order_by(TrainingHub.name)))
    led = session.scalars(hubs_led_by(person.id)).first()
    return PersonPage(person, hubs, led)


def change_roles(session: Session, person: User, roles: set[Role], hub_id: Optional[int],
                 actor_id: int) -> None:
    """Replace an account's roles; a hub lead must lead a hub that exists."""
    if not roles:
        raise PeopleError("Choose at least one role. To stop someone signing in, disable the "
                          "account.")
    if Role.HUB_LEAD in roles and (hub_id is None or session.get(TrainingHub, hub_id) is None):
        raise PeopleError("Choose the hub a hub lead leads.")
    service.set_roles(session, person, roles, hub_id, actor_id)


def set_active(session: Session, person: User, active: bool, actor_id: int) -> None:
    """Disable an account (ending its sessions at once) or enable it; never one's own."""
    if person.id == actor_id:
        raise PeopleError("You cannot disable your own account.")
    service.set_active(session, person, active, actor_id)

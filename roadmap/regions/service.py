"""Setting up regions: the regions, their targets, and who leads each.

An administrator creates regions, places hubs in them (on each hub's own form) and adds or
ends regional leads: an account with the role `regional_lead` (so a second factor at sign-in),
invited by email when new, and a row saying which region they lead. Every change is audited in
the same transaction; nothing here commits. `create_region` and `assign_regional_lead` are also
what the demo calls.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from roadmap import mail
from roadmap.accounts import onboarding, people, service as accounts
from roadmap.accounts.models import Role, User
from roadmap.audit.service import record
from roadmap.cohorts.models import TrainingHub
from roadmap.db import utcnow
from roadmap.regions.models import Region, RegionLead, regions_led_by


class RegionError(ValueError):
    """A rule stopped the change; `field` names the form field the message belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def tidy(name: str) -> str:
    """A region's name as kept: single spaces, no spaces at the ends."""
    return " ".join((name or "").split())


def _actor(user: Optional[User]) -> Optional[int]:
    return user.id if user is not None else None


def _same_name(name: str, other_than: Optional[int] = None) -> sa.Select[tuple[int]]:
    """Regions with this name, ignoring case (folded by the database), but one."""
    statement = sa.select(Region.id).where(sa.func.lower(Region.name) == sa.func.lower(sa.literal(name)))
    return statement.where(Region.id != other_than) if other_than is not None else statement


def regions_for(session: Session, user: User) -> list[tuple[Region, int]]:
    """The regions a person sees, by name, with how many hubs each has: every region for an
    administrator, the regions they lead now for a regional lead."""
    hubs = (sa.select(TrainingHub.region_id, sa.func.count().label("n"))
            .group_by(TrainingHub.region_id).subquery())
    statement = (sa.select(Region, sa.func.coalesce(hubs.c.n, 0))
                 .outerjoin(hubs, hubs.c.region_id == Region.id).order_by(Region.name))
    if not user.has_role(Role.ADMIN):
        statement = statement.where(Region.id.in_(regions_led_by(user.id)))
    return [(region, count) for region, count in session.execute(statement).all()]


def create_region(session: Session, name: str, annual_signoff_target: Optional[int] = None, *,
                  by: Optional[User]) -> Region:
    """A new region (administrators only: the view checks the role); `by` None is the system."""
    name = tidy(name)
    if not name:
        raise RegionError("name", "Enter the region's name")
    if session.scalar(_same_name(name)):
        raise RegionError("name", "A region with this name already exists")
    region = Region(name=name, annual_signoff_target=annual_signoff_target)
    session.add(region)
    session.flush()
    record(session, "region.created", actor_id=_actor(by), subject_type="region",
           subject_id=region.id, data={"name": name, "target": annual_signoff_target})
    return region


def update_region(session: Session, region: Region, name: str,
                  annual_signoff_target: Optional[int], *, by: Optional[User]) -> None:
    """Change a region's name or its annual Stage 2 sign-off target."""
    name = tidy(name)
    if not name:
        raise RegionError("name", "Enter the region's name")
    if session.scalar(_same_name(name, other_than=region.id)):
        raise RegionError("name", "A region with this name already exists")
    before = {"name": region.name, "target": region.annual_signoff_target}
    region.name, region.annual_signoff_target = name, annual_signoff_target
    session.flush()
    record(session, "region.updated", actor_id=_actor(by), subject_type="region",
           subject_id=region.id, data={"before": before, "after": {
               "name": name, "target": annual_signoff_target}})


def assign_regional_lead(session: Session, region: Region, user: User, *,
                         by: Optional[User]) -> RegionLead:
    """Make an existing account a lead of the region, with the role and an email saying so.

    The role brings the second factor at sign-in; a person may lead several regions.
    """
    if not user.is_active:
        raise RegionError("email", "This account is disabled: enable it first")
    if session.scalar(sa.select(RegionLead.id).where(
            RegionLead.region_id == region.id, RegionLead.user_id == user.id,
            RegionLead.ended_at.is_(None))):
        raise RegionError("email", f"{user.full_name} already leads {region.name}")
    accounts.grant_role(session, user, Role.REGIONAL_LEAD, _actor(by))
    who = by.full_name if by is not None else "An administrator"
    mail.queue(session, user.email, f"You now lead {region.name} in Roadmap",
               f"Dear {user.full_name},\n\n{who} has made you a regional lead for {region.name}. "
               "When you sign in you see its training hubs side by side: counts only, never "
               "a candidate's name or anything they wrote.\n")
    return _lead(session, region, user, by)


def add_regional_lead(session: Session, region: Region, email: str, full_name: str, *,
                      by: User, lifetime: dt.timedelta,
                      link_for: onboarding.LinkFor) -> RegionLead:
    """Make someone a lead of the region: an existing account is assigned, someone new is
    invited by email as a regional lead first."""
    person = accounts.find_user(session, email)
    if person is not None:
        return assign_regional_lead(session, region, person, by=by)
    person = people.invite(session, by, Role.REGIONAL_LEAD, None, email=email,
                           full_name=full_name, lifetime=lifetime, link_for=link_for)
    return _lead(session, region, person, by)


def _lead(session: Session, region: Region, user: User, by: Optional[User]) -> RegionLead:
    """The row that makes the person a lead of the region, audited."""
    lead = RegionLead(region_id=region.id, user_id=user.id, added_by_id=_actor(by))
    session.add(lead)
    session.flush()
    record(session, "region.lead_added", actor_id=_actor(by), subject_type="region",
           subject_id=region.id, data={"user_id": user.id, "lead_id": lead.id})
    return lead


def end_regional_lead(session: Session, region: Region, lead_id: int, *,
                      by: Optional[User]) -> RegionLead:
    """Stop someone leading the region, from now; the history is kept."""
    lead = session.scalar(sa.select(RegionLead).where(
        RegionLead.id == lead_id, RegionLead.region_id == region.id,
        RegionLead.ended_at.is_(None)).options(selectinload(RegionLead.user)))
    if lead is None:
        raise RegionError("lead", "This person no longer leads the region")
    lead.ended_at, lead.ended_by_id = utcnow(), _actor(by)
    session.flush()
    record(session, "region.lead_ended", actor_id=_actor(by), subject_type="region",
           subject_id=region.id, data={"user_id": lead.user_id, "lead_id": lead.id})
    return lead


@dataclass
class Leads:
    """Who leads a region now and who led it before, as an administrator sees them."""

    current: list[RegionLead]
    former: list[RegionLead]


def leads(session: Session, region: Region) -> Leads:
    """The region's leads, latest first, with their accounts."""
    rows = session.scalars(sa.select(RegionLead).where(RegionLead.region_id == region.id)
                           .options(selectinload(RegionLead.user))
                           .order_by(RegionLead.added_at.desc(), RegionLead.id.desc())).all()
    return Leads([r for r in rows if r.ended_at is None], [r for r in rows if r.ended_at is not None])

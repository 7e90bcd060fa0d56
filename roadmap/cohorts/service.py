"""Training hubs, employers, cohorts and enrolments: the rules, without HTTP.

Functions take the session, flush but never commit, and append the audit event of every
write in the same transaction. An enrolment is pinned to one framework version (rule D1).
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts import onboarding
from roadmap.accounts.models import Role, User
from roadmap.accounts.service import find_user
from roadmap.audit.service import record
from roadmap.clock import long_date
from roadmap.cohorts.models import Cohort, Employer, Enrolment, EnrolmentStatus, Route, TrainingHub
from roadmap.fields import DATE_RANGE_MESSAGE, date_in_range
from roadmap.framework.models import FrameworkVersion
from roadmap.providers.models import EducationProvider
from roadmap.regions.models import Region

DEFAULT_STAGE2_MONTHS = 6


class CohortError(ValueError):
    """A rule stopped the change; `field` names the form field the message belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def same_name(column: Any, name: str) -> Any:
    """Names that match ignoring case, folded by the database on both sides: Python and SQL
    fold letters beyond ASCII differently ("İ"), and a match missed here then breaks the
    name's unique constraint with an error page."""
    return sa.func.lower(column) == sa.func.lower(sa.literal(name))


def _actor(user: Optional[User]) -> Optional[int]:
    return user.id if user is not None else None


def create_hub(session: Session, name: str, region: Optional[Region],
               annual_signoff_target: Optional[int], actor: Optional[User]) -> TrainingHub:
    """A new training hub, in a region or none (administrators only: the view checks the role)."""
    name = name.strip()
    if session.scalar(sa.select(TrainingHub.id).where(same_name(TrainingHub.name, name))):
        raise CohortError("name", "A training hub with this name already exists")
    hub = TrainingHub(name=name, region_id=region.id if region is not None else None,
                      annual_signoff_target=annual_signoff_target)
    session.add(hub)
    session.flush()
    record(session, "hub.created", actor_id=_actor(actor), subject_type="hub", subject_id=hub.id,
           data={"name": hub.name, "region_id": hub.region_id, "target": annual_signoff_target})
    return hub


def update_hub(session: Session, hub: TrainingHub, name: str, region: Optional[Region],
               annual_signoff_target: Optional[int], actor: Optional[User]) -> None:
    """Change a hub's name, region or annual Stage 2 sign-off target."""
    name = name.strip()
    clash = session.scalar(sa.select(TrainingHub.id).where(
        same_name(TrainingHub.name, name), TrainingHub.id != hub.id))
    if clash:
        raise CohortError("name", "A training hub with this name already exists")
    before = {"name": hub.name, "region_id": hub.region_id, "target": hub.annual_signoff_target}
    hub.name, hub.region_id = name, region.id if region is not None else None
    hub.annual_signoff_target = annual_signoff_target
    session.flush()
    record(session, "hub.updated", actor_id=_actor(actor), subject_type="hub", subject_id=hub.id,
           data={"before": before, "after": {"name": hub.name, "region_id": hub.region_id,
                                             "target": hub.annual_signoff_target}})


def add_employer(session: Session, name: str, actor: Optional[User]) -> Employer:
    """An employer (provider, practice or PCN), or the existing one with the same name."""
    name = " ".join(name.split())
    if not name:
        raise CohortError("name", "Enter the employer's name")
    existing = find_employer(session, name)
    if existing is not None:
        return existing
    employer = Employer(name=name)
    session.add(employer)
    session.flush()
    record(session, "employer.created", actor_id=_actor(actor), subject_type="employer",
           subject_id=employer.id, data={"name": name})
    return employer


def find_employer(session: Session, name: str) -> Optional[Employer]:
    """The employer with this name, ignoring case and extra spaces."""
    return session.scalar(sa.select(Employer).where(same_name(Employer.name, " ".join(name.split()))))


def employers(session: Session) -> list[Employer]:
    """Every employer, by name."""
    return list(session.scalars(sa.select(Employer).order_by(Employer.name)))


def create_cohort(session: Session, hub: TrainingHub, name: str, starts_on: Optional[dt.date],
                  actor: Optional[User]) -> Cohort:
    """A new cohort in a hub; names are unique within the hub."""
    name = name.strip()
    if session.scalar(sa.select(Cohort.id).where(Cohort.hub_id == hub.id, same_name(Cohort.name, name))):
        raise CohortError("name", "This hub already has a cohort with this name")
    cohort = Cohort(hub_id=hub.id, name=name, starts_on=starts_on)
    session.add(cohort)
    session.flush()
    record(session, "cohort.created", actor_id=_actor(actor), subject_type="cohort",
           subject_id=cohort.id, data={"hub_id": hub.id, "name": name})
    return cohort


def frameworks(session: Session) -> list[FrameworkVersion]:
    """The latest version of each loaded roadmap: what new enrolments are pinned to."""
    latest = (sa.select(sa.func.max(FrameworkVersion.id)).group_by(FrameworkVersion.slug)
              .scalar_subquery())
    return list(session.scalars(sa.select(FrameworkVersion)
                                .where(FrameworkVersion.id.in_(latest))
                                .order_by(FrameworkVersion.title)))


def stage2_requirements(version: FrameworkVersion) -> dict[str, Any]:
    """The Stage 2 thresholds of a version (the last stage), or an empty dict."""
    stages = (version.document or {}).get("stages") or []
    return dict((stages[-1].get("requirements") or {}) if stages else {})


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month, months later (the month's last day when it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_target(version: FrameworkVersion, stage2_started_on: Optional[dt.date]) -> Optional[dt.date]:
    """Stage 2 start plus the expected months (about 6 full time, rule D3), or None."""
    if stage2_started_on is None:
        return None
    months = int(stage2_requirements(version).get("expected_months") or DEFAULT_STAGE2_MONTHS)
    return add_months(stage2_started_on, months)


@dataclass
class NewEnrolment:
    """What a hub lead gives to enrol one candidate."""

    full_name: str
    email: str
    enrolled_on: dt.date
    route: str = Route.PORTFOLIO.value
    employer: Optional[Employer] = None
    profession: Optional[str] = None
    stage2_started_on: Optional[dt.date] = None
    target_on: Optional[dt.date] = None
    provider: Optional[EducationProvider] = None  # who approves after the supervisor (D11)


def detail_problems(version: FrameworkVersion, details: NewEnrolment) -> list[tuple[str, str]]:
    """Every rule the details break, as (field, message); enrol() and the CSV dry run share it."""
    problems = []
    if details.route not in {r.value for r in Route}:
        problems.append(("route", "Select the portfolio or taught route"))
    for name in ("enrolled_on", "stage2_started_on", "target_on"):
        if not date_in_range(getattr(details, name)):
            problems.append((name, DATE_RANGE_MESSAGE))
    if problems:
        return problems  # no date arithmetic with a year 9999
    start = details.stage2_started_on
    if start is not None and start < details.enrolled_on:
        problems.append(("stage2_started_on", "Stage 2 cannot start before enrolment"))
    target = details.target_on or default_target(version, start)
    if target is not None and target < (start or details.enrolled_on):
        problems.append(("target_on", "The target date must be after the start"))
    return problems


def enrolment_problem(session: Session, cohort: Cohort, email: str) -> Optional[str]:
    """Why this email cannot be enrolled in the cohort, or None."""
    user = find_user(session, email)
    if user is None:
        return None
    if not user.has_role(Role.CANDIDATE):
        return "This email belongs to an account that is not a candidate's"
    active = session.scalar(sa.select(Enrolment.id).where(
        Enrolment.candidate_id == user.id, Enrolment.status == EnrolmentStatus.ACTIVE.value))
    if active is not None:
        return "This candidate is already enrolled"
    return None


def enrol(session: Session, cohort: Cohort, version: FrameworkVersion, details: NewEnrolment,
          actor: Optional[User], *, invitation_lifetime: dt.timedelta,
          link_for: onboarding.LinkFor) -> Enrolment:
    """Enrol a candidate, pinned to the version; a new person is invited by email on commit."""
    problems = detail_problems(version, details)
    if problems:
        raise CohortError(*problems[0])
    problem = enrolment_problem(session, cohort, details.email)
    if problem:
        raise CohortError("email", problem)
    start = details.stage2_started_on
    target = details.target_on or default_target(version, start)
    candidate = find_user(session, details.email)
    if candidate is None:
        candidate = onboarding.invite(
            session, email=details.email, full_name=details.full_name, roles=[Role.CANDIDATE],
            hub_id=None, invited_by=actor, lifetime=invitation_lifetime, link_for=link_for,
            profession=details.profession or None)
    enrolment = Enrolment(
        candidate_id=candidate.id, cohort_id=cohort.id, framework_version_id=version.id,
        employer_id=details.employer.id if details.employer else None, route=details.route,
        provider_id=details.provider.id if details.provider else None,
        enrolled_on=details.enrolled_on, stage2_started_on=start, target_on=target)
    session.add(enrolment)
    session.flush()
    record(session, "enrolment.created", actor_id=_actor(actor), subject_type="enrolment",
           subject_id=enrolment.id, enrolment_id=enrolment.id,
           data={"candidate_id": candidate.id, "cohort_id": cohort.id,
                 "framework_version_id": version.id, "framework": version.content_hash,
                 "route": details.route, "target_on": target.isoformat() if target else None,
                 "provider_id": details.provider.id if details.provider else None})
    return enrolment


def set_target(session: Session, enrolment: Enrolment, target_on: dt.date,
               actor: Optional[User]) -> None:
    """Move an enrolment's target date, as agreed with the employer."""
    start = enrolment.stage2_started_on or enrolment.enrolled_on
    if target_on < start:
        raise CohortError("target_on", f"The target date must be on or after {long_date(start)}")
    before = enrolment.target_on
    enrolment.target_on = target_on
    session.flush()
    record(session, "enrolment.target_changed", actor_id=_actor(actor), subject_type="enrolment",
           subject_id=enrolment.id, enrolment_id=enrolment.id,
           data={"from": before.isoformat() if before else None, "to": target_on.isoformat()})


def regions(session: Session) -> list[Region]:
    """Every region, by name: those a hub may belong to."""
    return list(session.scalars(sa.select(Region).order_by(Region.name)))

"""What each role's home page shows, gathered in a fixed number of queries."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from roadmap.accounts.models import Role, User
from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub, hubs_led_by
from roadmap.framework.models import FrameworkVersion
from roadmap.lna import queries as analyses
from roadmap.portfolio.models import Evidence
from roadmap.readers.team import WORKPLACE_KINDS
from roadmap.providers.queue import Waiting, queue
from roadmap.regions.models import Region
from roadmap.regions.service import regions_for
from roadmap.supervision.models import SupervisorAssignment, covering
from roadmap.supervision.waiting import StageWait, one_enrolment


@dataclass
class CandidateHome:
    """A candidate's enrolment at a glance."""

    enrolment: Optional[Enrolment]
    primary: Optional[User] = None
    backup: Optional[User] = None
    educational: Optional[User] = None
    status_counts: dict[str, int] = field(default_factory=dict)
    waits: list[StageWait] = field(default_factory=list)  # each stage, and where it waits
    target_passed: bool = False  # the Stage 2 target date is behind them, Stage 2 not signed off


def candidate_home(session: Session, user: User, today: dt.date) -> CandidateHome:
    """The candidate's latest enrolment, supervisors, evidence counts by status, stage waits."""
    enrolment = session.scalar(
        sa.select(Enrolment).where(Enrolment.candidate_id == user.id)
        .options(selectinload(Enrolment.cohort).selectinload(Cohort.hub),
                 selectinload(Enrolment.framework_version),
                 selectinload(Enrolment.assignments).selectinload(SupervisorAssignment.supervisor))
        .order_by(Enrolment.enrolled_on.desc()).limit(1))
    if enrolment is None:
        return CandidateHome(None)
    current = [a for a in enrolment.assignments if a.is_current(today)]
    counts = dict(session.execute(
        sa.select(Evidence.status, sa.func.count()).where(Evidence.enrolment_id == enrolment.id)
        .group_by(Evidence.status)).all())
    return CandidateHome(
        enrolment,
        primary=next((a.supervisor for a in current if a.kind == "primary"), None),
        backup=next((a.supervisor for a in current if a.kind == "backup"), None),
        educational=next((a.supervisor for a in current if a.kind == "educational"), None),
        status_counts=counts,
        waits=one_enrolment(session, enrolment.id, today),
        target_passed=(enrolment.target_on is not None and enrolment.target_on < today
                       and enrolment.stage2_signed_off_on is None),
    )


def supervised_enrolments(session: Session, user: User, today: dt.date) -> list[tuple[SupervisorAssignment, int]]:
    """The supervisor's current assignments with how many items wait on them for each.

    Nothing waits on an educational supervisor, who signs nothing: their count is always 0.
    """
    waiting = (sa.select(Evidence.enrolment_id, sa.func.count().label("n"))
               .where(Evidence.submitted_to_id == user.id, Evidence.status == "submitted")
               .group_by(Evidence.enrolment_id).subquery())
    signs = SupervisorAssignment.kind.in_(WORKPLACE_KINDS)
    rows = session.execute(
        sa.select(SupervisorAssignment,
                  sa.case((signs, sa.func.coalesce(waiting.c.n, 0)), else_=0))
        .outerjoin(waiting, waiting.c.enrolment_id == SupervisorAssignment.enrolment_id)
        .where(SupervisorAssignment.supervisor_id == user.id,
               covering(today))
        .options(selectinload(SupervisorAssignment.enrolment).selectinload(Enrolment.candidate))
    ).all()
    return sorted(((a, n) for a, n in rows), key=lambda row: row[0].enrolment.candidate.full_name)


def hub_cohorts(session: Session, user: User) -> list[tuple[TrainingHub, Cohort, int]]:
    """The cohorts of the hubs the user leads, with their number of enrolments."""
    counts = (sa.select(Enrolment.cohort_id, sa.func.count().label("n"))
              .group_by(Enrolment.cohort_id).subquery())
    rows = session.execute(
        sa.select(TrainingHub, Cohort, sa.func.coalesce(counts.c.n, 0))
        .join(Cohort, Cohort.hub_id == TrainingHub.id)
        .outerjoin(counts, counts.c.cohort_id == Cohort.id)
        .where(TrainingHub.id.in_(hubs_led_by(user.id))).order_by(TrainingHub.name, Cohort.name)
    ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def admin_overview(session: Session) -> dict[str, object]:
    """Counts an administrator watches, and the loaded framework versions."""
    return {
        "users": session.scalar(sa.select(sa.func.count()).select_from(User)),
        "hubs": session.scalar(sa.select(sa.func.count()).select_from(TrainingHub)),
        "enrolments": session.scalar(sa.select(sa.func.count()).select_from(Enrolment)),
        "frameworks": session.scalars(
            sa.select(FrameworkVersion).order_by(FrameworkVersion.slug, FrameworkVersion.id)).all(),
    }


@dataclass
class HomePage:
    """One section for each role the person holds; None for the roles they do not hold."""

    candidate: Optional[CandidateHome] = None
    supervised: Optional[list[tuple[SupervisorAssignment, int]]] = None
    cohorts: Optional[list[tuple[TrainingHub, Cohort, int]]] = None
    overview: Optional[dict[str, object]] = None
    lna_task: Optional[str] = None  # the candidate's analysis to "start" or "continue"
    lna_waiting: int = 0  # sent analyses the person confirms
    reviews: Optional[list[Waiting]] = None  # an education provider's reviewer's queue
    regions: Optional[list[tuple[Region, int]]] = None  # a regional lead's, with their hubs


def home_page(session: Session, user: User, today: dt.date) -> HomePage:
    """What the person's home page shows, section by section."""
    roles = user.role_set
    page = HomePage()
    if Role.CANDIDATE in roles:
        page.candidate = candidate_home(session, user, today)
        page.lna_task = analyses.candidate_task(session, page.candidate.enrolment)
    page.lna_waiting = len(analyses.waiting(session, user, today))
    if Role.SUPERVISOR in roles:
        page.supervised = supervised_enrolments(session, user, today)
    if Role.HUB_LEAD in roles:
        page.cohorts = hub_cohorts(session, user)
    if Role.ADMIN in roles:
        page.overview = admin_overview(session)
    if Role.PROVIDER_REVIEWER in roles:
        page.reviews = queue(session, user, today)
    if Role.REGIONAL_LEAD in roles:
        page.regions = regions_for(session, user)
    return page

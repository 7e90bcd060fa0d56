"""Who reaches an enrolment, and how far: the one place object access is decided.

Views load enrolments and evidence only through these loaders. Anything a person may not
reach is a 404, so nobody learns that it exists.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import Iterable, Optional

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import Session

from roadmap.accounts.models import Role, User
from roadmap.cohorts.models import Cohort, Enrolment
from roadmap.portfolio.models import Evidence
from roadmap.supervision.models import SupervisorAssignment


class Reach(enum.IntEnum):
    """How far a person reaches into an enrolment; higher reaches more."""

    NONE = 0
    HUB = 1  # progress, counts, statuses and dates; never reflective text or feedback
    SUPERVISOR_READONLY = 2  # a supervisor whose assignment has ended: read, never act
    SUPERVISOR = 3  # a current primary or backup supervisor
    OWNER = 4  # the candidate

    @property
    def sees_content(self) -> bool:
        """True when the person may read reflections, answers and feedback."""
        return self >= Reach.SUPERVISOR_READONLY


CONTENT = frozenset({Reach.SUPERVISOR_READONLY, Reach.SUPERVISOR, Reach.OWNER})


def reach(session: Session, user: User, enrolment: Enrolment, today: dt.date) -> Reach:
    """The furthest the person reaches into the enrolment, over all the roles they hold."""
    best = Reach.NONE
    if user.has_role(Role.CANDIDATE) and enrolment.candidate_id == user.id:
        return Reach.OWNER
    if user.has_role(Role.SUPERVISOR):
        periods = session.execute(sa.select(SupervisorAssignment.starts_on, SupervisorAssignment.ends_on)
                                  .where(SupervisorAssignment.enrolment_id == enrolment.id,
                                         SupervisorAssignment.supervisor_id == user.id)).all()
        for starts_on, ends_on in periods:
            if starts_on <= today and (ends_on is None or ends_on >= today):
                return Reach.SUPERVISOR
            if ends_on is not None and ends_on < today:
                best = max(best, Reach.SUPERVISOR_READONLY)
    if best == Reach.NONE and user.has_role(Role.HUB_LEAD):
        hub_ids = {g.hub_id for g in user.roles if g.role == Role.HUB_LEAD.value}
        hub_id = session.scalar(sa.select(Cohort.hub_id).where(Cohort.id == enrolment.cohort_id))
        if hub_id in hub_ids:
            best = Reach.HUB
    return best


def load_enrolment(session: Session, user: User, enrolment_id: int, allowed: Iterable[Reach],
                   today: dt.date) -> tuple[Enrolment, Reach]:
    """The enrolment and the person's reach, or 404 when the reach is not among those allowed."""
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None:
        abort(404)
    level = reach(session, user, enrolment, today)
    if level not in set(allowed):
        abort(404)
    return enrolment, level


def load_evidence(session: Session, user: User, evidence_id: int, allowed: Iterable[Reach],
                  today: dt.date) -> tuple[Evidence, Reach]:
    """An evidence item and the person's reach into its enrolment, or 404."""
    evidence = session.get(Evidence, evidence_id)
    if evidence is None:
        abort(404)
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    assert enrolment is not None
    level = reach(session, user, enrolment, today)
    if level not in set(allowed):
        abort(404)
    return evidence, level


def current_enrolment(session: Session, candidate: User) -> Optional[Enrolment]:
    """The candidate's active (else most recent) enrolment."""
    return session.scalar(sa.select(Enrolment).where(Enrolment.candidate_id == candidate.id)
                          .order_by((Enrolment.status == "active").desc(),
                                    Enrolment.enrolled_on.desc()).limit(1))

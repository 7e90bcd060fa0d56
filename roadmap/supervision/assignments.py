"""Assigning primary and backup supervisors, with history, handover notes and capacity (D5, D6).

One full-time-equivalent supervisor carries at most 4 candidates (rule D6): going beyond that
is never silently allowed. `assign` returns the warning without writing anything unless the
caller confirms it, and a confirmed overload is written to the audit log.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import Role, SupervisorProfile, User
from roadmap.audit.service import record
from roadmap.cohorts.models import Enrolment, EnrolmentStatus
from roadmap.supervision.models import AssignmentKind, SupervisorAssignment

CANDIDATES_PER_FTE = 4
# Only primary supervision counts toward capacity: a backup acts when the primary is away.
COUNTED_KINDS = (AssignmentKind.PRIMARY.value,)


class AssignmentError(ValueError):
    """The assignment breaks a rule; `field` names the form field the message belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Load:
    """How many candidates a supervisor carries against what their FTE allows."""

    supervisor_id: int
    candidates: int
    fte: float

    @property
    def capacity(self) -> float:
        """Candidates the supervisor may carry: 4 per FTE, pro rata."""
        return CANDIDATES_PER_FTE * self.fte

    @property
    def ratio(self) -> float:
        """Current candidates divided by capacity; above 1.0 is overload."""
        return self.candidates / self.capacity if self.capacity else float("inf")

    @property
    def over(self) -> bool:
        """True when the supervisor carries more than their FTE allows."""
        return self.candidates > self.capacity + 1e-9

    def describe(self) -> str:
        """The load in words, e.g. "5 candidates for 0.6 FTE (capacity 2.4)"."""
        return (f"{self.candidates} candidate{'s' if self.candidates != 1 else ''} for "
                f"{self.fte:g} FTE (capacity {self.capacity:g})")


@dataclass
class AssignResult:
    """What `assign` did: the new assignment, or only the warning when it was not confirmed."""

    assignment: Optional[SupervisorAssignment]
    load_after: Load
    warnings: list[str] = field(default_factory=list)
    ended: Optional[SupervisorAssignment] = None

    @property
    def needs_confirmation(self) -> bool:
        """True when nothing was written because the caller must confirm the overload."""
        return self.assignment is None


def current_filter(on: dt.date) -> sa.ColumnElement[bool]:
    """SQL condition: the assignment covers the given day."""
    return sa.and_(SupervisorAssignment.starts_on <= on,
                   sa.or_(SupervisorAssignment.ends_on.is_(None),
                          SupervisorAssignment.ends_on >= on))


def loads(session: Session, supervisor_ids: Iterable[int], on: dt.date) -> dict[int, Load]:
    """Each supervisor's load on a day, across every hub, in two statements whatever the count."""
    ids = sorted(set(supervisor_ids))
    if not ids:
        return {}
    counts = dict(session.execute(
        sa.select(SupervisorAssignment.supervisor_id,
                  sa.func.count(sa.distinct(SupervisorAssignment.enrolment_id)))
        .join(Enrolment, Enrolment.id == SupervisorAssignment.enrolment_id)
        .where(SupervisorAssignment.supervisor_id.in_(ids), current_filter(on),
               SupervisorAssignment.kind.in_(COUNTED_KINDS),
               Enrolment.status == EnrolmentStatus.ACTIVE.value)
        .group_by(SupervisorAssignment.supervisor_id)).all())
    ftes = dict(session.execute(
        sa.select(SupervisorProfile.user_id, SupervisorProfile.fte)
        .where(SupervisorProfile.user_id.in_(ids))).all())
    return {i: Load(i, int(counts.get(i, 0)), float(ftes.get(i) or 1.0)) for i in ids}


def set_fte(session: Session, supervisor: User, fte: float, actor: Optional[User]) -> None:
    """Record a supervisor's FTE (0 < fte <= 1), creating their profile if they have none."""
    if not 0 < fte <= 1:
        raise AssignmentError("fte", "Enter an FTE between 0.1 and 1, like 0.6")
    profile = session.get(SupervisorProfile, supervisor.id)
    before = profile.fte if profile else None
    if profile is None:
        profile = SupervisorProfile(user_id=supervisor.id, category="not_recorded", fte=fte)
        session.add(profile)
    elif abs(float(profile.fte) - fte) < 1e-9:
        return
    profile.fte = fte
    session.flush()
    record(session, "supervisor.fte_changed", actor_id=actor.id if actor else None,
           subject_type="user", subject_id=supervisor.id, data={"from": before, "to": fte})


def _open_assignment(session: Session, enrolment_id: int, kind: str,
                     on: dt.date) -> Optional[SupervisorAssignment]:
    """The assignment of this kind that covers the day or starts later and has no end."""
    return session.scalar(
        sa.select(SupervisorAssignment)
        .where(SupervisorAssignment.enrolment_id == enrolment_id,
               SupervisorAssignment.kind == kind,
               sa.or_(SupervisorAssignment.ends_on.is_(None),
                      SupervisorAssignment.ends_on >= on))
        .order_by(SupervisorAssignment.starts_on.desc(), SupervisorAssignment.id.desc())
        .limit(1))


def assign(session: Session, enrolment: Enrolment, supervisor: User, kind: str,
           starts_on: dt.date, actor: Optional[User], *, handover_note: Optional[str] = None,
           confirm_over_capacity: bool = False) -> AssignResult:
    """Make the supervisor the enrolment's primary or backup from a date, ending whoever held it.

    History is kept: the previous holder's assignment ends the day before (or, when it began
    that same day, on that day; the latest start wins). Over capacity, nothing is written
    unless `confirm_over_capacity` is true, and then the overload is audited.
    """
    if kind not in {k.value for k in AssignmentKind}:
        raise AssignmentError("kind", "Select primary or backup supervisor")
    if not supervisor.has_role(Role.SUPERVISOR) or not supervisor.is_active:
        raise AssignmentError("supervisor_id", "Select a supervisor with an active account")
    if supervisor.id == enrolment.candidate_id:
        raise AssignmentError("supervisor_id", "A candidate cannot supervise themselves")
    other_kind = "backup" if kind == "primary" else "primary"
    other = _open_assignment(session, enrolment.id, other_kind, starts_on)
    if other is not None and other.supervisor_id == supervisor.id:
        raise AssignmentError("supervisor_id", f"{supervisor.full_name} is already the "
                              f"{other_kind} supervisor: choose someone else")
    previous = _open_assignment(session, enrolment.id, kind, starts_on)
    if previous is not None and previous.supervisor_id == supervisor.id:
        raise AssignmentError("supervisor_id", f"{supervisor.full_name} is already the {kind} "
                              "supervisor")
    if previous is not None and previous.starts_on > starts_on:
        raise AssignmentError("starts_on", "The start date must be on or after "
                              f"{previous.starts_on:%d/%m/%Y}, when the current {kind} "
                              "supervisor starts")
    before = loads(session, [supervisor.id], starts_on)[supervisor.id]
    after = Load(before.supervisor_id,
                 before.candidates + (1 if kind in COUNTED_KINDS else 0), before.fte)
    warnings = []
    if kind in COUNTED_KINDS and after.over:
        warnings.append(f"{supervisor.full_name} would carry {after.describe()}: more than "
                        f"{CANDIDATES_PER_FTE} candidates per FTE")
        if not confirm_over_capacity:
            return AssignResult(None, after, warnings)
    if previous is not None:
        previous.ends_on = max(previous.starts_on, starts_on - dt.timedelta(days=1))
        if handover_note:
            previous.handover_note = handover_note
        record(session, "assignment.ended", actor_id=actor.id if actor else None,
               subject_type="assignment", subject_id=previous.id, enrolment_id=enrolment.id,
               data={"kind": kind, "ends_on": previous.ends_on.isoformat(),
                     "replaced_by": supervisor.id})
    assignment = SupervisorAssignment(enrolment_id=enrolment.id, supervisor_id=supervisor.id,
                                      kind=kind, starts_on=starts_on,
                                      handover_note=handover_note or None)
    session.add(assignment)
    session.flush()
    record(session, "assignment.created", actor_id=actor.id if actor else None,
           subject_type="assignment", subject_id=assignment.id, enrolment_id=enrolment.id,
           data={"supervisor_id": supervisor.id, "kind": kind,
                 "starts_on": starts_on.isoformat(), "replaces": previous.id if previous else None})
    if warnings:
        record(session, "assignment.over_capacity", actor_id=actor.id if actor else None,
               subject_type="assignment", subject_id=assignment.id, enrolment_id=enrolment.id,
               data={"supervisor_id": supervisor.id, "candidates": after.candidates,
                     "fte": after.fte, "capacity": after.capacity})
    return AssignResult(assignment, after, warnings, ended=previous)


def end_assignment(session: Session, assignment: SupervisorAssignment, ends_on: dt.date,
                   actor: Optional[User], handover_note: Optional[str] = None) -> None:
    """End an assignment on a date (kept in the history), with an optional handover note."""
    if ends_on < assignment.starts_on:
        raise AssignmentError("ends_on", "The end date must be on or after "
                              f"{assignment.starts_on:%d/%m/%Y}")
    assignment.ends_on = ends_on
    if handover_note:
        assignment.handover_note = handover_note
    session.flush()
    record(session, "assignment.ended", actor_id=actor.id if actor else None,
           subject_type="assignment", subject_id=assignment.id,
           enrolment_id=assignment.enrolment_id,
           data={"kind": assignment.kind, "ends_on": ends_on.isoformat()})


def history(session: Session, enrolment_id: int) -> list[SupervisorAssignment]:
    """Every assignment of an enrolment, latest first, with the supervisor loaded."""
    from sqlalchemy.orm import selectinload

    return list(session.scalars(
        sa.select(SupervisorAssignment).where(SupervisorAssignment.enrolment_id == enrolment_id)
        .options(selectinload(SupervisorAssignment.supervisor))
        .order_by(SupervisorAssignment.starts_on.desc(), SupervisorAssignment.id.desc())))

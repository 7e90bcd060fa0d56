"""Assigning primary and backup supervisors, with history, handover notes and capacity (D5, D6).

One full-time-equivalent supervisor carries at most 4 candidates (rule D6): going beyond that
is never silently allowed. `assign` returns the warning without writing anything unless the
caller confirms it, and a confirmed overload is written to the audit log. The educational
supervisor is assigned another way (roadmap.supervision.educational) and carries no load.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import clock, mail
from roadmap.accounts.models import Role, SupervisorProfile, User
from roadmap.audit.service import record
from roadmap.cohorts.models import Enrolment, EnrolmentStatus
from roadmap.supervision.models import AssignmentKind, SupervisorAssignment, covering

CANDIDATES_PER_FTE = 4
# Only primary supervision counts toward capacity: a backup acts when the primary is away,
# and an educational supervisor does no workplace supervision at all.
COUNTED_KINDS = (AssignmentKind.PRIMARY.value,)
# What a hub assigns here; the education provider's educational supervisor comes another way.
HUB_KINDS = (AssignmentKind.PRIMARY.value, AssignmentKind.BACKUP.value)


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


def current_filter(on: dt.date | dt.datetime) -> sa.ColumnElement[bool]:
    """SQL condition: the assignment covers the moment (a day: see roadmap.clock.moment)."""
    return covering(on)


def load_rows(supervisors: Any, on: dt.date | dt.datetime | sa.ColumnElement[bool]) -> sa.Select:
    """(supervisor id, candidates carried as primary, FTE) on a day, across every hub, of each
    supervisor in `supervisors` (a list of ids, or a SELECT of them: a region's thousands stay
    in the database): the one count of a supervisor's load (rule D6). `on` may instead be the
    condition that an assignment is current, with the day as a parameter, for a statement
    built once (roadmap.regions.figures)."""
    SA = SupervisorAssignment
    current = on if isinstance(on, sa.ColumnElement) else current_filter(on)
    counts = (sa.select(SA.supervisor_id, sa.func.count(sa.distinct(SA.enrolment_id)).label("n"))
              .join(Enrolment, Enrolment.id == SA.enrolment_id)
              .where(SA.supervisor_id.in_(supervisors), current,
                     SA.kind.in_(COUNTED_KINDS), Enrolment.status == EnrolmentStatus.ACTIVE.value)
              .group_by(SA.supervisor_id).subquery("counts"))
    return (sa.select(User.id.label("supervisor_id"),
                      sa.func.coalesce(counts.c.n, 0).label("candidates"),
                      SupervisorProfile.fte.label("fte"))
            .outerjoin(counts, counts.c.supervisor_id == User.id)
            .outerjoin(SupervisorProfile, SupervisorProfile.user_id == User.id)
            .where(User.id.in_(supervisors)))


def over_capacity(candidates: Any, fte: Any) -> sa.ColumnElement[bool]:
    """SQL: carrying more candidates than the FTE allows (Load.over, added up in the database)."""
    return candidates > CANDIDATES_PER_FTE * fte


def load_of(supervisor_id: int, candidates: int, fte: Optional[float]) -> Load:
    """A load from a row of `load_rows`: a supervisor with no recorded FTE counts as full time."""
    return Load(supervisor_id, int(candidates), float(fte or 1.0))


def loads(session: Session, supervisor_ids: Iterable[int],
          on: dt.date | dt.datetime) -> dict[int, Load]:
    """Each supervisor's load on a day, across every hub, in one statement whatever the count."""
    ids = sorted(set(supervisor_ids))
    if not ids:
        return {}
    found = {row[0]: load_of(*row) for row in session.execute(load_rows(ids, on))}
    return {i: found.get(i) or load_of(i, 0, None) for i in ids}


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


def open_assignment(session: Session, enrolment_id: int, kind: str,
                    at: dt.datetime) -> Optional[SupervisorAssignment]:
    """The assignment of this kind that has not ended by the moment (it may start later)."""
    return session.scalar(
        sa.select(SupervisorAssignment)
        .where(SupervisorAssignment.enrolment_id == enrolment_id,
               SupervisorAssignment.kind == kind,
               sa.or_(SupervisorAssignment.ended_at.is_(None),
                      SupervisorAssignment.ended_at > at))
        .order_by(SupervisorAssignment.starts_on.desc(), SupervisorAssignment.id.desc())
        .limit(1))


def assign(session: Session, enrolment: Enrolment, supervisor: User, kind: str,
           starts_on: dt.date, actor: Optional[User], *, handover_note: Optional[str] = None,
           confirm_over_capacity: bool = False) -> AssignResult:
    """Make the supervisor the enrolment's primary or backup from a date, ending whoever held it.

    History is kept: the previous holder's access ends when the new one's begins, and never
    later than now (a start today or in the past ends it at once). Over capacity, nothing is
    written unless `confirm_over_capacity` is true, and then the overload is audited. The
    candidate is told by email; the audit events put it on their timeline.
    """
    if kind not in HUB_KINDS:
        raise AssignmentError("kind", "Select primary or backup supervisor")
    if not supervisor.has_role(Role.SUPERVISOR) or not supervisor.is_active:
        raise AssignmentError("supervisor_id", "Select a supervisor with an active account")
    if supervisor.id == enrolment.candidate_id:
        raise AssignmentError("supervisor_id", "A candidate cannot supervise themselves")
    effective = max(clock.now(), clock.start_of_day(starts_on))
    other_kind = "backup" if kind == "primary" else "primary"
    other = open_assignment(session, enrolment.id, other_kind, effective)
    if other is not None and other.supervisor_id == supervisor.id:
        raise AssignmentError("supervisor_id", f"{supervisor.full_name} is already the "
                              f"{other_kind} supervisor: choose someone else")
    educational = open_assignment(session, enrolment.id, AssignmentKind.EDUCATIONAL.value,
                                  effective)
    if educational is not None and educational.supervisor_id == supervisor.id:
        raise AssignmentError("supervisor_id", f"{supervisor.full_name} is the educational "
                              "supervisor: choose someone else")
    previous = open_assignment(session, enrolment.id, kind, effective)
    if previous is not None and previous.supervisor_id == supervisor.id:
        raise AssignmentError("supervisor_id", f"{supervisor.full_name} is already the {kind} "
                              "supervisor")
    if previous is not None and previous.starts_on > starts_on:
        raise AssignmentError("starts_on", "The start date must be on or after "
                              f"{clock.long_date(previous.starts_on)}, when the current {kind} "
                              "supervisor starts")
    before = loads(session, [supervisor.id], effective)[supervisor.id]
    after = Load(before.supervisor_id,
                 before.candidates + (1 if kind in COUNTED_KINDS else 0), before.fte)
    warnings = []
    if kind in COUNTED_KINDS and after.over:
        warnings.append(f"{supervisor.full_name} would carry {after.describe()}: more than "
                        f"{CANDIDATES_PER_FTE} candidates per FTE")
        if not confirm_over_capacity:
            return AssignResult(None, after, warnings)
    if previous is not None:
        previous.ended_at = effective
        previous.ended_by_id = actor.id if actor else None
        if handover_note:
            previous.handover_note = handover_note
        record(session, "assignment.ended", actor_id=actor.id if actor else None,
               subject_type="assignment", subject_id=previous.id, enrolment_id=enrolment.id,
               data={"kind": kind, "supervisor_id": previous.supervisor_id,
                     "ended_at": effective.isoformat(), "replaced_by": supervisor.id})
    assignment = SupervisorAssignment(enrolment_id=enrolment.id, supervisor_id=supervisor.id,
                                      kind=kind, starts_on=starts_on,
                                      assigned_by_id=actor.id if actor else None,
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
    tell_candidate(session, enrolment, actor, assignment, supervisor, previous)
    return AssignResult(assignment, after, warnings, ended=previous)


def end_assignment(session: Session, assignment: SupervisorAssignment, actor: Optional[User],
                   handover_note: Optional[str] = None,
                   at: Optional[dt.datetime] = None) -> None:
    """End an assignment now (or at a later moment), keeping it in the history; tell the candidate."""
    if assignment.ended_at is not None and assignment.ended_at <= clock.now():
        raise AssignmentError("supervisor_id", "This assignment has already ended")
    ended_at = max(at or clock.now(), clock.start_of_day(assignment.starts_on))
    assignment.ended_at, assignment.ended_by_id = ended_at, actor.id if actor else None
    if handover_note:
        assignment.handover_note = handover_note
    session.flush()
    record(session, "assignment.ended", actor_id=actor.id if actor else None,
           subject_type="assignment", subject_id=assignment.id,
           enrolment_id=assignment.enrolment_id,
           data={"kind": assignment.kind, "supervisor_id": assignment.supervisor_id,
                 "ended_at": ended_at.isoformat()})
    enrolment = session.get(Enrolment, assignment.enrolment_id)
    assert enrolment is not None
    tell_candidate(session, enrolment, actor, None, None, assignment)


def tell_candidate(session: Session, enrolment: Enrolment, actor: Optional[User],
                   new: Optional[SupervisorAssignment], supervisor: Optional[User],
                   ended: Optional[SupervisorAssignment]) -> None:
    """Email the candidate who now reads their portfolio, who stopped, and who decided it.

    Nobody gains or loses sight of a portfolio without its owner hearing of it: that is
    what makes a supervisor assigned behind their back visible.
    """
    candidate = session.get(User, enrolment.candidate_id)
    if candidate is None or not candidate.is_active:
        return
    by = f"{actor.full_name} ({actor.email})" if actor else "Your training hub"
    lines, subject = [], ""
    if new is not None and supervisor is not None:
        subject = f"{supervisor.full_name} is now your {new.kind} supervisor"
        lines.append(f"{by} assigned {supervisor.full_name} ({supervisor.email}) as your "
                     f"{new.kind} supervisor from {clock.long_date(new.starts_on)}. From then "
                     "they can read everything you submit: items, reflections, attachments and "
                     "your timeline."
                     + (" They review your progress with you; they sign no item and no stage."
                        if new.kind == AssignmentKind.EDUCATIONAL.value else ""))
    if ended is not None:
        gone = session.get(User, ended.supervisor_id)
        name = gone.full_name if gone else "Your previous supervisor"
        subject = subject or f"{name} is no longer your {ended.kind} supervisor"
        until = ended.ended_at or clock.now()
        verb = "ended" if until <= clock.now() else "ends"
        lines.append(f"{name}'s access as your {ended.kind} supervisor {verb} on "
                     f"{clock.in_words(until)}. After that "
                     + ("they can no longer read your portfolio."
                        if ended.kind == AssignmentKind.EDUCATIONAL.value
                        else "they can read only the items they signed themselves.")
                     + ("" if new is not None else f" This was ended by {by}."))
    lines.append("If you do not expect this, tell your training hub. Your portfolio's page "
                 "\u201cWho can see your portfolio\u201d lists everyone who can read it, and "
                 "who opened what and when.")
    mail.queue(session, candidate.email, subject,
               f"Dear {candidate.full_name},\n\n" + "\n\n".join(lines) + "\n\nRoadmap\n")


def history(session: Session, enrolment_id: int) -> list[SupervisorAssignment]:
    """Every assignment of an enrolment, latest first, with the supervisor loaded."""
    from sqlalchemy.orm import selectinload

    return list(session.scalars(
        sa.select(SupervisorAssignment).where(SupervisorAssignment.enrolment_id == enrolment_id)
        .options(selectinload(SupervisorAssignment.supervisor))
        .order_by(SupervisorAssignment.starts_on.desc(), SupervisorAssignment.id.desc())))

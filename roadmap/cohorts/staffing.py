"""Who supervises whom: an enrolment's supervisors and the supervisors working in a hub.

Each supervisor is shown with their load, which is never silently over capacity (rule D6).
The load is workplace supervision only: an educational supervisor's candidates are not in it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import Role, User, UserRole
from roadmap.cohorts.models import Cohort, Enrolment
from roadmap.framework.models import FrameworkVersion
from roadmap.readers.team import WORKPLACE_KINDS
from roadmap.supervision import assignments, handover
from roadmap.supervision.models import SupervisorAssignment


@dataclass
class SupervisorsPage:
    """An enrolment's supervisors: who holds each kind today, the history, who could be next."""

    candidate: Optional[User]
    version: Optional[FrameworkVersion]
    history: list[SupervisorAssignment]  # latest first
    holders: dict[str, SupervisorAssignment]  # kind -> the current assignment
    options: list[tuple[User, str]]  # active supervisors by name, with their load in words

    def supervisor(self, user_id: Optional[int]) -> Optional[User]:
        """The offered supervisor with this id, or None."""
        return next((person for person, _label in self.options if person.id == user_id), None)


def supervisor_options(session: Session, on: dt.date) -> list[tuple[User, str]]:
    """Active supervisors by name, each labelled with their current load (rule D6)."""
    people = list(session.scalars(
        sa.select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.SUPERVISOR.value, User.is_active)
        .order_by(User.full_name).distinct()))
    loads = assignments.loads(session, [p.id for p in people], on)
    return [(p, f"{p.full_name}: {loads[p.id].describe()}"
             + (", over capacity" if loads[p.id].over else "")) for p in people]


def supervisors_page(session: Session, enrolment: Enrolment, day: dt.date) -> SupervisorsPage:
    """What the supervisors page of an enrolment shows on a day."""
    candidate = session.get(User, enrolment.candidate_id)
    options = supervisor_options(session, day)
    past = assignments.history(session, enrolment.id)
    holders = {}
    for assignment in reversed(past):  # oldest first, so the latest start wins
        if assignment.is_current(day):
            holders[assignment.kind] = assignment
    version = session.get(FrameworkVersion, enrolment.framework_version_id)
    return SupervisorsPage(candidate, version, past, holders, options)


def assign_supervisor(session: Session, enrolment: Enrolment, supervisor: Optional[User],
                      kind: str, starts_on: dt.date, actor: User, *, fte: Optional[str],
                      handover_note: Optional[str], confirmed: bool,
                      pid_confirmed: bool = False) -> assignments.AssignResult:
    """Set the supervisor's FTE when one is given, then assign them as primary or backup.

    Raises AssignmentError naming the field that is wrong; over capacity, nothing is assigned
    until `confirmed` (the result then carries the warnings). A handover note that may identify
    a patient is refused on its field until `pid_confirmed` (then audited, rule D9).
    """
    if supervisor is None:
        raise assignments.AssignmentError("supervisor_id", "Choose a supervisor")
    found = handover.checked(handover_note, pid_confirmed)
    if fte:
        try:
            share = float(fte)
        except ValueError:
            raise assignments.AssignmentError(
                "fte", "Enter the FTE as a number, like 0.6") from None
        assignments.set_fte(session, supervisor, share, actor)
    result = assignments.assign(session, enrolment, supervisor, kind, starts_on, actor,
                                handover_note=handover_note, confirm_over_capacity=confirmed)
    if result.assignment is not None:
        handover.record_confirmed(session, found, actor.id, enrolment.id, result.assignment.id)
    return result


def hub_loads(session: Session, hub_id: int,
              day: dt.date) -> list[tuple[User, assignments.Load, int, int]]:
    """Supervisors working in the hub today: (person, load everywhere, primaries here, backups here)."""
    rows = session.execute(
        sa.select(User, SupervisorAssignment.kind, sa.func.count())
        .join(SupervisorAssignment, SupervisorAssignment.supervisor_id == User.id)
        .join(Enrolment, Enrolment.id == SupervisorAssignment.enrolment_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Cohort.hub_id == hub_id, assignments.current_filter(day),
               SupervisorAssignment.kind.in_(WORKPLACE_KINDS), Enrolment.status == "active")
        .group_by(User.id, SupervisorAssignment.kind)).all()
    people: dict[int, User] = {}
    here: dict[tuple[int, str], int] = {}
    for person, kind, count in rows:
        people[person.id] = person
        here[(person.id, kind)] = count
    loads = assignments.loads(session, people, day)
    result = [(p, loads[p.id], here.get((p.id, "primary"), 0), here.get((p.id, "backup"), 0))
              for p in people.values()]
    return sorted(result, key=lambda item: (-item[1].ratio, item[0].full_name))

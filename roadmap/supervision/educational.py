"""Assigning an enrolment's educational supervisor, the education provider's reader of it.

An educational supervisor reads the portfolio and records progress reviews
(roadmap.supervision.progress_reviews); they sign nothing and do no workplace supervision, so
capacity (rule D6) never counts them. The hub assigns one here, on a path of its own with an
audit event of its own: nothing that assigns a primary or backup supervisor can make one.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy.orm import Session

from roadmap import clock
from roadmap.accounts.models import Role, User
from roadmap.audit.service import record
from roadmap.cohorts.models import Enrolment
from roadmap.readers.team import WORKPLACE_KINDS
from roadmap.supervision import handover
from roadmap.supervision.assignments import AssignmentError, open_assignment, tell_candidate
from roadmap.supervision.models import AssignmentKind, SupervisorAssignment

EDUCATIONAL = AssignmentKind.EDUCATIONAL.value


def assign_educational(session: Session, enrolment: Enrolment, supervisor: Optional[User],
                       starts_on: dt.date, actor: Optional[User], *,
                       handover_note: Optional[str] = None,
                       pid_confirmed: bool = False) -> SupervisorAssignment:
    """Make the supervisor the enrolment's educational supervisor from a date, ending the last.

    As for the other kinds, history is kept and the previous holder's access ends when the new
    one's begins, never later than now. The candidate is told by email. Raises AssignmentError
    naming the form field that is wrong.
    """
    if supervisor is None:
        raise AssignmentError("supervisor_id", "Choose a supervisor")
    if not supervisor.has_role(Role.SUPERVISOR) or not supervisor.is_active:
        raise AssignmentError("supervisor_id", "Select a supervisor with an active account")
    if supervisor.id == enrolment.candidate_id:
        raise AssignmentError("supervisor_id", "A candidate cannot supervise themselves")
    found = handover.checked(handover_note, pid_confirmed)
    effective = max(clock.now(), clock.start_of_day(starts_on))
    for kind in WORKPLACE_KINDS:  # the reader of progress is never also its signer
        held = open_assignment(session, enrolment.id, kind, effective)
        if held is not None and held.supervisor_id == supervisor.id:
            raise AssignmentError("supervisor_id", f"{supervisor.full_name} is the {kind} "
                                  "supervisor: the educational supervisor must be someone else")
    previous = open_assignment(session, enrolment.id, EDUCATIONAL, effective)
    if previous is not None and previous.supervisor_id == supervisor.id:
        raise AssignmentError("supervisor_id",
                              f"{supervisor.full_name} is already the educational supervisor")
    if previous is not None and previous.starts_on > starts_on:
        raise AssignmentError("starts_on", "The start date must be on or after "
                              f"{clock.long_date(previous.starts_on)}, when the current educational "
                              "supervisor starts")
    actor_id = actor.id if actor else None
    if previous is not None:
        previous.ended_at, previous.ended_by_id = effective, actor_id
        if handover_note:
            previous.handover_note = handover_note
        record(session, "assignment.ended", actor_id=actor_id, subject_type="assignment",
               subject_id=previous.id, enrolment_id=enrolment.id,
               data={"kind": EDUCATIONAL, "supervisor_id": previous.supervisor_id,
                     "ended_at": effective.isoformat(), "replaced_by": supervisor.id})
    assignment = SupervisorAssignment(enrolment_id=enrolment.id, supervisor_id=supervisor.id,
                                      kind=EDUCATIONAL, starts_on=starts_on,
                                      assigned_by_id=actor_id, handover_note=handover_note or None)
    session.add(assignment)
    session.flush()
    record(session, "educational_supervisor.assigned", actor_id=actor_id,
           subject_type="assignment", subject_id=assignment.id, enrolment_id=enrolment.id,
           data={"supervisor_id": supervisor.id, "kind": EDUCATIONAL,
                 "starts_on": starts_on.isoformat(), "replaces": previous.id if previous else None})
    handover.record_confirmed(session, found, actor_id, enrolment.id, assignment.id)
    tell_candidate(session, enrolment, actor, assignment, supervisor, previous)
    return assignment

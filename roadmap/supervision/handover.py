"""A handover note passes the patient-identifier check (rule D9, issue 22) before it is kept.

A hub lead writes it for the next supervisor, who reads it on the supervisors page; what they
write about "where the candidate is" can name the patient of a pending assessment as easily as
any reflection. So it asks the question every other writer is asked: the finding is named
beside the field, and a note kept past it is an audit event naming the field and kinds only.
"""
from __future__ import annotations

from typing import Optional

from sqlalchemy.orm import Session

from roadmap.audit.service import record
from roadmap.pid import check as pid_check
from roadmap.pid.finding import Finding
from roadmap.supervision.assignments import AssignmentError

FIELD = "handover_note"


def checked(note: Optional[str], confirmed: bool) -> dict[str, list[Finding]]:
    """The note's findings; AssignmentError on the note's field unless the writer confirmed."""
    found = pid_check.flagged({FIELD: note or ""})
    if found and not confirmed:
        raise AssignmentError(FIELD, pid_check.messages(found)[FIELD])
    return found


def record_confirmed(session: Session, found: dict[str, list[Finding]], actor_id: Optional[int],
                     enrolment_id: int, assignment_id: int) -> None:
    """The confirmation, in the assignment's transaction: which field and kinds, no text."""
    if found:
        record(session, "assignment.pid_confirmed", actor_id=actor_id,
               subject_type="assignment", subject_id=assignment_id, enrolment_id=enrolment_id,
               data=pid_check.audit_data(found))

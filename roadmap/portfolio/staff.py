"""The people around a portfolio, by name, whom the patient-identifier check must not flag.

Reflections name the people who watched, supervised and assessed the work ("Observed by Tom
Hughes, I saw a gentleman ..."), and a name beside "gentleman" reads like a patient's to the
scanner. The service knows who these people are, so it tells the check (issue 22); the check
itself (roadmap.pid, core) knows no feature and takes the names as plain strings.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.cohorts.models import Enrolment
from roadmap.feedback.models import AssessmentTicket
from roadmap.portfolio.models import Evidence
from roadmap.supervision.models import SupervisorAssignment


def known_people(session: Session, enrolment_id: int) -> list[str]:
    """Full names of the candidate, every supervisor ever assigned to this enrolment (primary,
    backup, educational; history included, since an old reflection names an old supervisor) and
    every external assessor invited to assess one of its items."""
    candidate = sa.select(User.full_name).join(Enrolment, Enrolment.candidate_id == User.id) \
        .where(Enrolment.id == enrolment_id)
    supervisors = sa.select(User.full_name) \
        .join(SupervisorAssignment, SupervisorAssignment.supervisor_id == User.id) \
        .where(SupervisorAssignment.enrolment_id == enrolment_id)
    tickets = session.execute(
        sa.select(AssessmentTicket.invited_name, AssessmentTicket.assessor_name)
        .join(Evidence, Evidence.id == AssessmentTicket.evidence_id)
        .where(Evidence.enrolment_id == enrolment_id)).all()
    names = {*session.scalars(candidate), *session.scalars(supervisors),
             *(name for row in tickets for name in row)}
    return sorted(name for name in names if name)

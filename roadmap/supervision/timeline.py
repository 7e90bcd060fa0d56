"""A candidate's timeline: their audit events, newest first, said in words."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.audit.models import AuditEvent
from roadmap.portfolio.models import Evidence

PAGE = 50
CAPACITY = {"primary_supervisor": "as primary supervisor", "backup_supervisor": "as backup supervisor",
            "backup_acting_for_primary": "as backup supervisor, acting for the primary",
            "candidate": "as the candidate", "external_assessor": "as an external assessor"}
WORDS = {
    "enrolment.created": "Enrolled on the roadmap",
    "assignment.created": "Supervisor assigned",
    "evidence.created": "Started an item",
    "evidence.submitted": "Submitted an item for assessment",
    "evidence.returned": "Returned an item with comments",
    "evidence.signed": "Signed an item",
    "evidence.edited_after_signing": "Changed an item after it was signed (the signed version is kept)",
    "evidence.started_by_supervisor": "Recorded an observed assessment",
    "capability.rated": "Rated a capability heading",
    "capability_ratings.recorded": "Rated the capability headings",
    "capability.evidence_linked": "Linked an item to a heading",
    "stage.candidate_signed": "Signed the stage declarations",
    "stage.signed_off": "Signed off the stage",
    "feedback.assessor_asked": "Asked a colleague without an account to assess an item",
    "evidence.external_signature_accepted": "Accepted an external assessor's signature",
    "evidence.external_signature_disputed": "Disputed an external assessor's signature: it no "
                                            "longer counts",
}


@dataclass
class Entry:
    """One line of the timeline."""

    when: dt.datetime
    who: str
    what: str
    item: Optional[str]


def _describe(event: AuditEvent) -> str:
    words = WORDS.get(event.action, event.action.replace(".", ": ").replace("_", " ").capitalize())
    data: dict[str, Any] = event.data or {}
    if data.get("capacity") in CAPACITY:
        words += f" {CAPACITY[data['capacity']]}"
    if data.get("acting_reason"):
        words += f" ({data['acting_reason']})"
    if event.action == "capability.rated":
        words += f": heading {data.get('capability')}, {str(data.get('rating', '')).replace('_', ' ')}"
    if data.get("assessor") and event.action.startswith("evidence.external_signature"):
        words += f" (signed by {data['assessor']})"
    if event.action == "evidence.external_signature_disputed" and data.get("reason"):
        words += f". Reason: {data['reason']}"
    if data.get("stage"):
        words += f": {str(data['stage']).replace('stage', 'Stage ')}"
    return words


def entries(session: Session, enrolment_id: int, page: int) -> tuple[list[Entry], bool]:
    """One page of the timeline and whether there is another."""
    rows = session.execute(
        sa.select(AuditEvent, User.full_name, Evidence.title)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .outerjoin(Evidence, sa.and_(AuditEvent.subject_type == "evidence",
                                     Evidence.id == AuditEvent.subject_id))
        .where(AuditEvent.enrolment_id == enrolment_id)
        .order_by(AuditEvent.id.desc()).limit(PAGE + 1).offset((page - 1) * PAGE)).all()
    found = [Entry(event.occurred_at, name or "Roadmap", _describe(event), title)
             for event, name, title in rows[:PAGE]]
    return found, len(rows) > PAGE

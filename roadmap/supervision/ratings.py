"""The supervisor's rating of each capability heading, beside the candidate's (rule D4)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.audit import service as audit
from roadmap.cohorts.models import Enrolment
from roadmap.framework import definitions
from roadmap.framework.models import Capability, FrameworkVersion
from roadmap.pid import PATIENT_DETAILS, check as pid_check
from roadmap.portfolio.models import Evidence, EvidenceCapability
from roadmap.supervision.capacity import item_capacity
from roadmap.supervision.errors import Incomplete, NotAllowed
from roadmap.supervision.models import CapabilityRating


def capability_scale(session: Session, version_id: int) -> list[dict]:
    """The levels of a framework version's capability scale, in order, with `supportive` marked."""
    document = session.scalar(sa.select(FrameworkVersion.document)
                              .where(FrameworkVersion.id == version_id)) or {}
    return definitions.capability_levels(document)


def _capability(session: Session, enrolment: Enrolment, capability_id: int) -> Capability:
    capability = session.get(Capability, capability_id)
    if capability is None or capability.framework_version_id != enrolment.framework_version_id:
        raise NotAllowed("This capability heading is not part of the candidate's roadmap.")
    return capability


def rate(session: Session, enrolment: Enrolment, capability_id: int, supervisor: User,
         rating: str, justification: Optional[str], today: dt.date, *,
         pid_confirmed: bool = False) -> CapabilityRating:
    """Give (or change) the supervisor's rating of one heading.

    A justification that may identify a patient is refused (Incomplete, PATIENT_DETAILS) until
    the supervisor confirms it does not; the confirmation is audited, fields and kinds only."""
    item_capacity(session, supervisor, enrolment.id, today)
    capability = _capability(session, enrolment, capability_id)
    levels = {level["code"] for level in capability_scale(session, enrolment.framework_version_id)}
    if rating not in levels:
        raise Incomplete("Choose a rating.", {"rating": "Choose a rating from the scale"})
    found = pid_check.flagged({"justification": (justification or "").strip()})
    if found and not pid_confirmed:
        raise Incomplete(PATIENT_DETAILS, pid_check.messages(found))
    existing = session.scalar(sa.select(CapabilityRating).where(
        CapabilityRating.enrolment_id == enrolment.id,
        CapabilityRating.capability_id == capability.id,
        CapabilityRating.rater_kind == "supervisor"))
    if existing is None:
        existing = CapabilityRating(enrolment_id=enrolment.id, capability_id=capability.id,
                                    rater_kind="supervisor", rating=rating,
                                    rated_by_id=supervisor.id)
        session.add(existing)
    existing.rating, existing.rated_by_id = rating, supervisor.id
    existing.justification = (justification or "").strip() or None
    session.flush()
    audit.record(session, "capability.rated", actor_id=supervisor.id,
                 subject_type="capability_rating", subject_id=existing.id,
                 enrolment_id=enrolment.id,
                 data={"capability": capability.code, "rating": rating, "by": "supervisor"})
    if found:
        audit.record(session, "capability_rating.pid_confirmed", actor_id=supervisor.id,
                     subject_type="capability_rating", subject_id=existing.id,
                     enrolment_id=enrolment.id, data=pid_check.audit_data(found))
    return existing


def link_evidence(session: Session, enrolment: Enrolment, capability_id: int,
                  evidence_id: int, supervisor: User, today: dt.date) -> bool:
    """Link one more of the candidate's items to a heading; False when it was already linked."""
    item_capacity(session, supervisor, enrolment.id, today)
    capability = _capability(session, enrolment, capability_id)
    evidence = session.get(Evidence, evidence_id)
    if evidence is None or evidence.enrolment_id != enrolment.id:
        raise NotAllowed("That item is not in this candidate's portfolio.")
    if session.get(EvidenceCapability, (evidence.id, capability.id)) is not None:
        return False
    session.add(EvidenceCapability(evidence_id=evidence.id, capability_id=capability.id,
                                   linked_by_id=supervisor.id))
    audit.record(session, "capability.evidence_linked", actor_id=supervisor.id,
                 subject_type="evidence", subject_id=evidence.id, enrolment_id=enrolment.id,
                 data={"capability": capability.code})
    return True

"""The candidate's self-rating of each capability heading, with a justification (rule D4)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from roadmap.accounts.models import User
from roadmap.audit.service import record
from roadmap.cohorts.models import Enrolment
from roadmap.db import utcnow
from roadmap.framework import definitions
from roadmap.framework.models import Capability, FrameworkVersion
from roadmap.pid import check as pid_check
from roadmap.portfolio import autosave
from roadmap.portfolio.models import DraftAutosave, Evidence, EvidenceCapability
from roadmap.portfolio.service import SIGNED_ONCE, PortfolioError
from roadmap.supervision.models import CapabilityRating, RaterKind


def linkable_evidence(session: Session, enrolment: Enrolment,
                      capability: Capability) -> tuple[list[Evidence], list[Evidence]]:
    """(items linked to the heading, items that could still be linked to it)."""
    items = session.scalars(sa.select(Evidence).where(Evidence.enrolment_id == enrolment.id)
                            .options(selectinload(Evidence.evidence_type))
                            .order_by(Evidence.occurred_on.desc(), Evidence.id.desc())).all()
    linked_ids = set(session.scalars(sa.select(EvidenceCapability.evidence_id).where(
        EvidenceCapability.capability_id == capability.id,
        EvidenceCapability.evidence_id.in_([e.id for e in items]))))
    linked = [e for e in items if e.id in linked_ids]
    others = [e for e in items if e.id not in linked_ids and e.status not in SIGNED_ONCE]
    return linked, others


@dataclass
class PatientDetails(PortfolioError):
    """The justification may identify a patient: `found` (field: findings) to highlight; the
    candidate edits it or confirms that it does not (rule D9)."""

    def __init__(self, found: dict) -> None:
        super().__init__("Your justification may identify a patient: change the highlighted "
                         "text, or confirm that none of it does")
        self.found = found


@dataclass
class RatingPage:
    """The self-rating page of one heading; on opening, the answers to start the form with."""

    capability: Capability
    levels: list[tuple[str, str]]  # (code, label) of the framework's capability scale
    linked: list[Evidence]
    linkable: list[Evidence]
    kept: Optional[DraftAutosave] = None  # answers kept from an earlier visit
    current: Optional[CapabilityRating] = None  # the rating saved before, when nothing was kept


def rating_page(session: Session, enrolment: Enrolment, user: User, capability_id: int,
                key: str, opening: bool) -> Optional[RatingPage]:
    """The heading, its scale and evidence; None when it is not a heading of the enrolment's roadmap."""
    capability = session.get(Capability, capability_id)
    if capability is None or capability.framework_version_id != enrolment.framework_version_id:
        return None
    version = session.get(FrameworkVersion, enrolment.framework_version_id)
    assert version is not None
    linked, linkable = linkable_evidence(session, enrolment, capability)
    page = RatingPage(capability, [(lv["code"], lv["label"]) for lv in
                                   definitions.capability_levels(version.document)], linked, linkable)
    if opening:
        page.kept = autosave.kept(session, user.id, key)
        if page.kept is None:
            page.current = session.scalar(sa.select(CapabilityRating).where(
                CapabilityRating.enrolment_id == enrolment.id,
                CapabilityRating.capability_id == capability.id,
                CapabilityRating.rater_kind == RaterKind.SELF.value))
    return page


def rate(session: Session, enrolment: Enrolment, actor: User, capability: Capability,
         rating: str, justification: str, link_ids: Iterable[int],
         kept_under: Optional[str] = None, *, pid_confirmed: bool = False) -> CapabilityRating:
    """Record or replace the self-rating of one heading, and link more evidence to it.

    `kept_under` names the page whose kept answers this saves: they are forgotten. A
    justification that may identify a patient is refused (PatientDetails) until the candidate
    confirms it does not; the confirmation is audited, field and kinds only.
    """
    version = session.get(FrameworkVersion, enrolment.framework_version_id)
    assert version is not None
    if capability.framework_version_id != version.id:
        raise PortfolioError("This heading is not part of your roadmap")
    levels = {lv["code"] for lv in definitions.capability_levels(version.document)}
    if rating not in levels:
        raise PortfolioError("Select a rating")
    if not justification.strip():
        raise PortfolioError("Explain your rating")
    found = pid_check.flagged({"justification": justification.strip()})
    if found and not pid_confirmed:
        raise PatientDetails(found)
    _, linkable = linkable_evidence(session, enrolment, capability)
    allowed = {e.id for e in linkable}
    chosen = sorted({i for i in link_ids if i in allowed})  # a box sent twice links once
    session.add_all(EvidenceCapability(evidence_id=i, capability_id=capability.id,
                                       linked_by_id=actor.id) for i in chosen)
    row = session.scalar(sa.select(CapabilityRating).where(
        CapabilityRating.enrolment_id == enrolment.id, CapabilityRating.capability_id == capability.id,
        CapabilityRating.rater_kind == RaterKind.SELF.value))
    if row is None:
        row = CapabilityRating(enrolment_id=enrolment.id, capability_id=capability.id,
                               rater_kind=RaterKind.SELF.value, rating=rating)
        session.add(row)
    row.rating, row.justification, row.rated_by_id, row.rated_at = rating, justification, actor.id, utcnow()
    session.flush()
    record(session, "capability.self_rated", actor_id=actor.id, subject_type="capability_rating",
           subject_id=row.id, enrolment_id=enrolment.id,
           data={"capability": capability.code, "rating": rating, "linked_evidence": chosen})
    if found:
        record(session, "capability.self_rating_pid_confirmed", actor_id=actor.id,
               subject_type="capability_rating", subject_id=row.id, enrolment_id=enrolment.id,
               data={"capability": capability.code, **pid_check.audit_data(found)})
    if kept_under is not None:
        autosave.discard(session, actor.id, kept_under)
    return row

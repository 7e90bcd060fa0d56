"""External assessors' signatures as the supervisors see them: review every one, or dispute it.

An external signature counts as soon as it is made, so a candidate never waits on a busy
supervisor for what a registered colleague signed. Nothing final rests on it unseen: every
one waits in the supervisors' inbox until accepted or disputed, and a stage cannot be signed
off while one waits. A dispute takes the item out of what counts at once: it goes back to the
candidate ("returned") with the supervisor's reason. Signatures and reviews are append-only,
so a dispute is a new row beside the signature, never an edit of it.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from roadmap import mail
from roadmap.form_limits import too_long
from roadmap.accounts.models import User
from roadmap.audit import service as audit
from roadmap.cohorts.models import Enrolment
from roadmap.db import utcnow
from roadmap.framework.models import EvidenceType
from roadmap.pid import PATIENT_DETAILS, check as pid_check
from roadmap.portfolio.models import Evidence, EvidenceComment, EvidenceStatus, EvidenceVersion
from roadmap.supervision.capacity import item_capacity
from roadmap.supervision.errors import Conflict, Incomplete, NotAllowed
from roadmap.supervision.models import (ExternalSignatureReview, ReviewOutcome, Signature,
                                        SignerCapacity)

EXTERNAL = SignerCapacity.EXTERNAL_ASSESSOR.value
SIGNED = (EvidenceStatus.SIGNED.value, EvidenceStatus.CHANGED_SINCE_SIGNED.value)
MAX_REASON = 5000
# Ends the acting reason of a signature made on the candidate's device and confirmed by email.
ON_DEVICE = "signed on the candidate's device, confirmed by email"


@dataclass
class ExternalSignature:
    """One external assessor's signature on an item, with what the supervisors made of it."""

    signature: Signature
    version: int
    latest: bool  # no later signature on the item replaced it
    accepted: Optional[ExternalSignatureReview]
    disputed: Optional[ExternalSignatureReview]

    @property
    def registration(self) -> str:
        """The regulator and number, as the assessor gave them."""
        sig = self.signature
        return f"{sig.registration_body} {sig.registration_number}" if sig.registration_number else ""

    @property
    def on_device(self) -> bool:
        """True when the assessor signed on the candidate's device, then confirmed by email."""
        return (self.signature.acting_reason or "").endswith(ON_DEVICE)

    @property
    def counts(self) -> bool:
        """True while the signature stands: the latest on its item and not disputed."""
        return self.latest and self.disputed is None


@dataclass
class Pending:
    """An external signature no supervisor has reviewed yet, for the inbox."""

    evidence_id: int
    title: str
    kind: str
    candidate: str
    assessor: str
    registration: str
    signed_at: dt.datetime


def _on_items(evidence_ids: Iterable[int]) -> sa.Select:
    """(evidence id, signature) of every signature on these items' versions."""
    return (sa.select(EvidenceVersion.evidence_id, EvidenceVersion.number, Signature)
            .join(Signature, sa.and_(Signature.subject_type == "evidence_version",
                                     Signature.subject_id == EvidenceVersion.id))
            .where(EvidenceVersion.evidence_id.in_(list(evidence_ids))))


def for_item(session: Session, evidence_id: int) -> list[ExternalSignature]:
    """Every external signature on an item, oldest first, with its reviews."""
    rows = session.execute(_on_items([evidence_id]).order_by(Signature.id)).all()
    if not rows:
        return []
    last_id = rows[-1][2].id
    reviews = session.scalars(sa.select(ExternalSignatureReview).where(
        ExternalSignatureReview.evidence_id == evidence_id)).all()
    found = {(r.signature_id, r.outcome): r for r in reviews}
    return [ExternalSignature(sig, number, sig.id == last_id,
                              found.get((sig.id, ReviewOutcome.ACCEPTED.value)),
                              found.get((sig.id, ReviewOutcome.DISPUTED.value)))
            for _, number, sig in rows if sig.capacity == EXTERNAL]


def _pending(enrolment_ids: list[int]) -> sa.Select:
    """Items of these enrolments whose latest signature is external, signed, and unreviewed."""
    latest = (sa.select(EvidenceVersion.evidence_id.label("evidence_id"),
                        sa.func.max(Signature.id).label("signature_id"))
              .join(Signature, sa.and_(Signature.subject_type == "evidence_version",
                                       Signature.subject_id == EvidenceVersion.id))
              .join(Evidence, Evidence.id == EvidenceVersion.evidence_id)
              .where(Evidence.enrolment_id.in_(enrolment_ids))
              .group_by(EvidenceVersion.evidence_id).subquery())
    reviewed = sa.select(ExternalSignatureReview.id).where(
        ExternalSignatureReview.signature_id == Signature.id).exists()
    return (sa.select(Signature, Evidence)
            .join(latest, latest.c.signature_id == Signature.id)
            .join(Evidence, Evidence.id == latest.c.evidence_id)
            .where(Signature.capacity == EXTERNAL, Evidence.status.in_(SIGNED), ~reviewed))


def pending(session: Session, enrolment_ids: list[int]) -> list[Pending]:
    """Unreviewed external signatures on these enrolments' items, oldest first (one statement)."""
    if not enrolment_ids:
        return []
    candidate = aliased(User)
    statement = (_pending(enrolment_ids)
                 .add_columns(EvidenceType.name, candidate.full_name)
                 .join(EvidenceType, EvidenceType.id == Evidence.evidence_type_id)
                 .join(Enrolment, Enrolment.id == Evidence.enrolment_id)
                 .join(candidate, candidate.id == Enrolment.candidate_id)
                 .order_by(Signature.signed_at, Signature.id))
    return [Pending(item.id, item.title, kind, name, sig.signer_name,
                    f"{sig.registration_body or ''} {sig.registration_number or ''}".strip(),
                    sig.signed_at)
            for sig, item, kind, name in session.execute(statement)]


def pending_titles(session: Session, enrolment_id: int,
                   type_ids: Optional[Iterable[int]] = None) -> list[str]:
    """Titles of an enrolment's items whose external signature waits for a supervisor."""
    statement = _pending([enrolment_id])
    if type_ids is not None:
        statement = statement.where(Evidence.evidence_type_id.in_(list(type_ids)))
    return [f"{item.title} (signed by {sig.signer_name})"
            for sig, item in session.execute(statement.order_by(Evidence.id))]


def _reviewable(session: Session, evidence_id: int, signature_id: int, supervisor: User,
                today: dt.date) -> tuple[Evidence, ExternalSignature, str]:
    """The item (locked), the signature and the supervisor's capacity, or why not."""
    # Locked, and read afresh: of two supervisors reviewing at once, the second sees the first.
    evidence = session.scalar(sa.select(Evidence).where(Evidence.id == evidence_id)
                              .with_for_update().execution_options(populate_existing=True))
    if evidence is None:
        raise NotAllowed("This item does not exist.")
    capacity = item_capacity(session, supervisor, evidence.enrolment_id, today).value
    found = next((e for e in for_item(session, evidence.id) if e.signature.id == signature_id),
                 None)
    if found is None:
        raise NotAllowed("This is not an external assessor's signature on this item.")
    if found.disputed is not None:
        raise Conflict(f"{found.disputed.reviewer_name} has already disputed this signature.")
    if not found.latest or evidence.status not in SIGNED:
        raise Conflict("This signature has since been replaced: the item was returned or "
                       "signed again. Nothing was changed.")
    return evidence, found, capacity


def accept(session: Session, evidence_id: int, signature_id: int, supervisor: User,
           today: dt.date) -> ExternalSignatureReview:
    """A current supervisor has read an external signature and lets it stand."""
    evidence, found, capacity = _reviewable(session, evidence_id, signature_id, supervisor, today)
    if found.accepted is not None:
        raise Conflict(f"{found.accepted.reviewer_name} has already accepted this signature.")
    review = ExternalSignatureReview(signature_id=signature_id, evidence_id=evidence.id,
                                     outcome=ReviewOutcome.ACCEPTED.value, reviewer_id=supervisor.id,
                                     reviewer_name=supervisor.full_name, capacity=capacity)
    session.add(review)
    session.flush()
    audit.record(session, "evidence.external_signature_accepted", actor_id=supervisor.id,
                 subject_type="evidence", subject_id=evidence.id,
                 enrolment_id=evidence.enrolment_id,
                 data={"signature_id": signature_id, "review_id": review.id, "capacity": capacity,
                       "assessor": found.signature.signer_name})
    return review


def dispute(session: Session, evidence_id: int, signature_id: int, supervisor: User,
            reason: str, today: dt.date, *, pid_confirmed: bool = False) -> ExternalSignatureReview:
    """A current supervisor disputes an external signature: it stops counting, with a reason.

    A reason that may identify a patient is refused (PATIENT_DETAILS) until the supervisor
    confirms it does not: it goes to the candidate, the item's comments and the record."""
    # Control characters (NUL above all, which PostgreSQL refuses) go; line breaks stay.
    reason = "".join(ch for ch in reason or "" if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    reason = reason.strip()
    if not reason:
        raise Incomplete("Say why you dispute this signature.",
                         {"reason": "Say why, for the candidate and the record"})
    if len(reason) > MAX_REASON:
        raise Incomplete("Shorten the reason.",
                         {"reason": too_long("The reason", MAX_REASON)})
    flagged = pid_check.flagged({"reason": reason})
    if flagged and not pid_confirmed:
        raise Incomplete(PATIENT_DETAILS, pid_check.messages(flagged))
    evidence, found, capacity = _reviewable(session, evidence_id, signature_id, supervisor, today)
    moved = session.execute(
        sa.update(Evidence).where(Evidence.id == evidence.id, Evidence.status.in_(SIGNED))
        .values(status=EvidenceStatus.RETURNED.value, lock_version=Evidence.lock_version + 1,
                updated_at=utcnow())
        .execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        raise Conflict("The item changed a moment ago. Nothing was changed; reload it.")
    session.refresh(evidence)
    review = ExternalSignatureReview(signature_id=signature_id, evidence_id=evidence.id,
                                     outcome=ReviewOutcome.DISPUTED.value, reason=reason,
                                     reviewer_id=supervisor.id, reviewer_name=supervisor.full_name,
                                     capacity=capacity)
    session.add(review)
    sig = found.signature
    who = sig.signer_name + (f" ({found.registration})" if found.registration else "")
    how = "on your device" if found.on_device else "as an external assessor"
    session.add(EvidenceComment(
        evidence_id=evidence.id, author_id=supervisor.id, kind="return",
        body=f"The assessment that {who} signed {how} no longer counts: "
             f"{supervisor.full_name} disputed it.\n\n{reason}"))
    session.flush()
    audit.record(session, "evidence.external_signature_disputed", actor_id=supervisor.id,
                 subject_type="evidence", subject_id=evidence.id,
                 enrolment_id=evidence.enrolment_id,
                 data={"signature_id": signature_id, "review_id": review.id, "capacity": capacity,
                       "assessor": sig.signer_name, "reason_length": len(reason)})
    # The reason itself is kept on the review (the timeline reads it there), not in the log:
    # an audit event outlives any correction, and the reason may have been confirmed past a warning.
    if flagged:
        audit.record(session, "evidence.dispute_pid_confirmed", actor_id=supervisor.id,
                     subject_type="evidence", subject_id=evidence.id,
                     enrolment_id=evidence.enrolment_id, data=pid_check.audit_data(flagged))
    _tell_candidate(session, evidence, supervisor.full_name, sig.signer_name, reason)
    return review


def _tell_candidate(session: Session, evidence: Evidence, supervisor_name: str,
                    assessor_name: str, reason: str) -> None:
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    candidate = session.get(User, enrolment.candidate_id) if enrolment else None
    if candidate is not None and candidate.is_active:
        mail.queue(session, candidate.email,
                   f"The external assessment of “{evidence.title}” was disputed",
                   f"Dear {candidate.full_name},\n\n{supervisor_name} disputed the assessment "
                   f"that {assessor_name} signed for “{evidence.title}”, so it no longer counts. "
                   f"Their reason:\n\n{reason}\n\nThe item is back with you: submit it to your "
                   "supervisor, or ask another colleague to assess it.\n\nRoadmap\n")

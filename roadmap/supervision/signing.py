"""One signing path for items: the version frozen, the signature, the state, the audit event (D8).

A supervisor signs an item from their inbox; an external assessor signs one through an
emailed link (roadmap.feedback.tickets). Both come through `sign_version`, so what a
signature is bound to, and what the audit log says of it, never differ between them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.audit import service as audit
from roadmap.db import utcnow
from roadmap.framework.models import Capability
from roadmap.portfolio.content import content_hash, evidence_content
from roadmap.portfolio.models import Attachment, Evidence, EvidenceCapability, EvidenceVersion
from roadmap.supervision.errors import Conflict
from roadmap.supervision.models import Signature, SignerCapacity

WAITING = ("submitted",)  # what a supervisor assesses: an item submitted to them


@dataclass(frozen=True)
class Signer:
    """Who signs, in which capacity, and what the signature keeps about them."""

    name: str
    capacity: SignerCapacity
    user_id: Optional[int] = None  # None: someone without an account (an external assessor)
    acting_reason: Optional[str] = None
    role: Optional[str] = None
    registration_body: Optional[str] = None
    registration_number: Optional[str] = None
    declaration: Optional[str] = None


def move(session: Session, evidence: Evidence, expected_lock: int, new_status: str,
         fields: dict[str, Any], waiting: Iterable[str] = WAITING) -> None:
    """Move an item on, only if nobody changed it since the form was opened."""
    waiting = tuple(waiting)
    result = session.execute(
        sa.update(Evidence)
        .where(Evidence.id == evidence.id, Evidence.lock_version == expected_lock,
               Evidence.status.in_(waiting))
        .values(status=new_status, fields=fields, lock_version=Evidence.lock_version + 1,
                updated_at=utcnow())
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.refresh(evidence)
        if evidence.status not in waiting:
            raise Conflict(f"This item is no longer waiting for assessment: it is now "
                           f"{evidence.status.replace('_', ' ')}. Nothing you entered was saved.")
        raise Conflict("The candidate changed this item after you opened it. "
                       "Reload it to see the latest version before you assess it.")
    session.refresh(evidence)


def freeze_version(session: Session, evidence: Evidence, type_code: str) -> EvidenceVersion:
    """Snapshot exactly what is being signed as the item's next version, with its hash.

    The snapshot lists every attached file by its SHA-256, so a file added, removed or swapped
    later is not what was signed.
    """
    codes = session.scalars(sa.select(Capability.code).join(
        EvidenceCapability, EvidenceCapability.capability_id == Capability.id)
        .where(EvidenceCapability.evidence_id == evidence.id)).all()
    files = session.scalars(sa.select(Attachment).where(Attachment.evidence_id == evidence.id)).all()
    content = evidence_content(evidence, type_code, codes, files)
    number = (session.scalar(sa.select(sa.func.max(EvidenceVersion.number))
                             .where(EvidenceVersion.evidence_id == evidence.id)) or 0) + 1
    version = EvidenceVersion(evidence_id=evidence.id, number=number, content=content,
                              content_hash=content_hash(content))
    session.add(version)
    session.flush()
    return version


def sign_version(session: Session, evidence: Evidence, type_code: str, signer: Signer,
                 fields: dict[str, Any], expected_lock: int, waiting: Iterable[str] = WAITING,
                 noted: Optional[dict[str, Any]] = None) -> Signature:
    """Sign an item for any capacity: signed, its version frozen and signed, the event recorded.

    Conflict when the item changed since the signer opened it or no longer waits for them;
    `noted` adds to what the audit event keeps (an external assessor's details).
    """
    move(session, evidence, expected_lock, "signed", fields, waiting)
    version = freeze_version(session, evidence, type_code)
    signature = Signature(subject_type="evidence_version", subject_id=version.id,
                          signer_id=signer.user_id, signer_name=signer.name,
                          capacity=signer.capacity.value, acting_reason=signer.acting_reason,
                          content_hash=version.content_hash, signer_role=signer.role,
                          registration_body=signer.registration_body,
                          registration_number=signer.registration_number,
                          declaration=signer.declaration)
    session.add(signature)
    session.flush()
    audit.record(session, "evidence.signed", actor_id=signer.user_id, subject_type="evidence",
                 subject_id=evidence.id, enrolment_id=evidence.enrolment_id,
                 data={"signature_id": signature.id, "version": version.number,
                       "capacity": signer.capacity.value, "content_hash": version.content_hash,
                       "signer_id": signer.user_id, **(noted or {})})
    return signature

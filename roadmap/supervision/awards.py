"""A completed stage becomes a credential: the facts gathered from the frozen records.

Called in the transaction that gives the stage its last approval (the supervisor's sign-off,
or the education provider's approval), after that approval is recorded, so the credential
names every approval. The facts come from what was signed, never the live portfolio: the
ratings and evidence hashes of the stage's last round, and the approvals as the verification
statement words them.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.cohorts.models import Enrolment
from roadmap.credentials import service as credentials
from roadmap.credentials.document import Approval, Award, Heading, SignedItem
from roadmap.credentials.models import IssuedCredential
from roadmap.framework import definitions
from roadmap.framework.models import Capability, EvidenceType, FrameworkVersion, Stage
from roadmap.portfolio.models import Evidence
from roadmap.supervision.models import StageSignOff
from roadmap.supervision.statements import approvals_of


def gather(session: Session, record: StageSignOff, enrolment: Enrolment) -> Award:
    """What the credential of a completed stage states."""
    content = record.signed_content or {}
    version = session.get(FrameworkVersion, enrolment.framework_version_id)
    stage = session.scalar(sa.select(Stage).where(Stage.framework_version_id == version.id,
                                                  Stage.code == record.stage_code))
    candidate = session.get(User, enrolment.candidate_id)
    levels = definitions.capability_levels(version.document)
    labels = {level["code"]: level["label"] for level in levels}
    supportive = next((level["label"] for level in levels if level.get("supportive")), None)
    ratings = content.get("ratings") or {}
    headings = tuple(
        Heading(code, title, labels.get((ratings.get(code) or {}).get("supervisor") or "")
                or (ratings.get(code) or {}).get("supervisor"))
        for code, title in session.execute(
            sa.select(Capability.code, Capability.title)
            .where(Capability.framework_version_id == version.id)
            .order_by(Capability.position)))
    signed = [(int(e), int(n), str(h)) for e, n, h in content.get("evidence") or []]
    kinds = dict(session.execute(
        sa.select(Evidence.id, EvidenceType.name)
        .join(EvidenceType, EvidenceType.id == Evidence.evidence_type_id)
        .where(Evidence.id.in_({e for e, _, _ in signed}))).all()) if signed else {}
    described = next((s.get("description") for s in version.document.get("stages") or []
                      if s.get("code") == record.stage_code), None)
    found = approvals_of(session, record)
    return Award(
        signoff_id=record.id, enrolment_id=enrolment.id, candidate_id=candidate.id,
        candidate_name=candidate.full_name, stage_code=record.stage_code,
        stage_name=stage.name if stage else record.stage_code,
        stage_description=str(described or (stage.name if stage else record.stage_code)),
        framework_version_id=version.id, framework_title=version.title,
        framework_version=version.version_label, framework_hash=version.content_hash,
        completed_at=record.completed_at, verification_code=str(record.verification_code),
        content_hash=str(record.content_hash), scale=tuple(labels.values()),
        supportive=supportive, headings=headings,
        approvals=tuple(Approval(a.label, a.public_text or a.text, a.at) for a in found.approvals),
        evidence=tuple(SignedItem(kinds.get(e, "Portfolio item"), n, h) for e, n, h in signed))


def award(session: Session, record: StageSignOff, enrolment: Enrolment,
          actor_id: Optional[int]) -> Optional[IssuedCredential]:
    """Issue the credential of a stage that has just had its last approval; None when the
    service signs none (no key configured, or a session made outside the application)."""
    settings: Optional[Mapping[str, Any]] = session.info.get("settings")
    if not settings or not settings.get("CREDENTIAL_KEY_FILE"):
        return None
    return credentials.issue(session, gather(session, record, enrolment), settings, actor_id)

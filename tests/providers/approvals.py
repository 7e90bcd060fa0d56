"""Education providers, reviewers and their decisions on stage sign-off rounds, made directly.

The tests of what pages and statements SHOW build each state of the approvals chain from the
tables, so they do not depend on how the chain's service gets there.
"""
from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, Optional

import sqlalchemy as sa

from roadmap.cohorts.models import Enrolment
from roadmap.db import utcnow
from roadmap.portfolio.content import content_hash
from roadmap.providers.models import EducationProvider, ProviderDecision, ProviderReviewer
from roadmap.supervision.models import Signature, StageSignOff, StageSignOffRound

CONTENT = {"supervisor": {"id": 0, "name": "Dr Primary", "capacity": "primary_supervisor"},
           "guidance_unmet": [{"code": "msf", "label": "Multi-source feedback: a round with "
                               "responses", "detail": "No responses yet.",
                               "reason": "Colleagues' views are in the supervisor's report."}]}


def verification_code() -> str:
    """A code of the printed form, "RM-" and three groups of five."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "RM-" + "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(3))


def provider(session, name: str = "Northern Education Provider") -> EducationProvider:
    """An education provider, committed."""
    made = EducationProvider(name=name)
    session.add(made)
    session.commit()
    return made


def reviewer(session, make_user, of: EducationProvider, full_name: str = "Rae Reviewer",
             email: Optional[str] = None) -> Any:
    """A person with the provider_reviewer role who reviews for the provider, committed."""
    person = make_user(email or f"{full_name.split()[0].lower()}@provider.example",
                       roles=("provider_reviewer",), full_name=full_name)
    session.add(ProviderReviewer(provider_id=of.id, user_id=person.id))
    session.commit()
    return person


def name_provider(session, enrolment: Enrolment, of: EducationProvider) -> None:
    """Make the provider the enrolment's education provider."""
    session.get(Enrolment, enrolment.id).provider_id = of.id
    session.commit()


def latest_round(session, record: StageSignOff,
                 signed_at: Optional[dt.datetime] = None) -> StageSignOffRound:
    """The sign-off's newest round; round 1, frozen from its signed content, when it has none."""
    found = session.scalar(sa.select(StageSignOffRound).where(
        StageSignOffRound.signoff_id == record.id).order_by(StageSignOffRound.number.desc()))
    if found is None:
        content = record.signed_content or CONTENT
        found = StageSignOffRound(signoff_id=record.id, number=1, signed_content=content,
                                  content_hash=content_hash(content),
                                  signed_at=signed_at or record.completed_at or utcnow())
        session.add(found)
        session.flush()
    return found


def stage_in(session, enrolment: Enrolment, stage_code: str, status: str,
             signed_at: Optional[dt.datetime] = None,
             content: Optional[dict[str, Any]] = None) -> StageSignOff:
    """A stage's sign-off in a status; from supervisor_signed on, with its first round."""
    record = StageSignOff(enrolment_id=enrolment.id, stage_code=stage_code, status=status)
    session.add(record)
    session.flush()
    if status in ("supervisor_signed", "referred", "complete"):
        frozen = content or CONTENT
        record.signed_content, record.content_hash = frozen, content_hash(frozen)
        session.add(StageSignOffRound(signoff_id=record.id, number=1, signed_content=frozen,
                                      content_hash=record.content_hash,
                                      signed_at=signed_at or utcnow()))
    session.commit()
    return record


def decide(session, record: StageSignOff, of: EducationProvider, person: Any,
           outcome: str = "approved", review: str = "first", reason: Optional[str] = None,
           headings: Optional[dict[str, str]] = None, sampled: bool = False,
           at: Optional[dt.datetime] = None) -> ProviderDecision:
    """The provider's decision on the sign-off's latest round, committed."""
    found = latest_round(session, record)
    decision = ProviderDecision(round_id=found.id, content_hash=found.content_hash,
                                provider_id=of.id, reviewer_id=person.id,
                                reviewer_name=person.full_name, review=review, outcome=outcome,
                                reason=reason, heading_reasons=headings, sampled_for_audit=sampled,
                                decided_at=at or utcnow())
    session.add(decision)
    if outcome == "referred":
        session.get(StageSignOff, record.id).status = "referred"
    session.commit()
    return decision


def approve(session, record: StageSignOff, of: EducationProvider, person: Any) -> StageSignOff:
    """The provider approves the latest round and the stage is complete, as the chain ends."""
    decide(session, record, of, person)
    record = session.get(StageSignOff, record.id)
    record.status = "complete"
    record.completed_at = record.completed_at or utcnow()
    record.verification_code = record.verification_code or verification_code()
    if record.content_hash is None:
        record.signed_content = latest_round(session, record).signed_content
        record.content_hash = content_hash(record.signed_content)
    session.commit()
    return record


def supervisor_signature(session, record: StageSignOff, person: Any) -> Signature:
    """The supervisor's signature on the sign-off, bound to its content hash, committed."""
    signature = Signature(subject_type="stage_signoff", subject_id=record.id,
                          signer_id=person.id, signer_name=person.full_name,
                          capacity="primary_supervisor", content_hash=record.content_hash)
    session.add(signature)
    session.commit()
    return signature

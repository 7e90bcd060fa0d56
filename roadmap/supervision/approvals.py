"""Who approves a stage after the supervisor, and what each approval does to it (rule D11).

The framework lists a stage's approvals in order (`roadmap.framework.strengths.approvals`).
Every supervisor sign-off is kept as a round, frozen. The stage is complete only when its
last approval is given: at once when the supervisor is last (Stage 1, version 1 roadmaps),
otherwise when the education provider approves the round. A referral reopens the stage: the
candidate signs again, the supervisor signs off again, and that is a new round.
"""
from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import mail
from roadmap.accounts.models import User
from roadmap.cohorts.models import Enrolment
from roadmap.db import utcnow
from roadmap.framework import strengths
from roadmap.providers.models import EducationProvider, ProviderReviewer
from roadmap.supervision.errors import Conflict
from roadmap.supervision.models import StageSignOff, StageSignOffRound

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
WAITING = "supervisor_signed"  # the status of a stage whose next approval is not the supervisor's
REOPENED = "referred"
RACE_LOST = "Someone else decided on this stage a moment ago. Reload the page to see it."


def waits_for(requirements: dict[str, Any]) -> Optional[str]:
    """The party who approves after the supervisor, or None when the supervisor is last."""
    chain = strengths.approvals(requirements)
    after = chain[chain.index("supervisor") + 1:] if "supervisor" in chain else []
    return after[0] if after else None


def verification_code() -> str:
    """A code a verifier can type: "RM-" and three groups of five letters or digits (~75 bits)."""
    groups = ("".join(secrets.choice(_CODE_ALPHABET) for _ in range(5)) for _ in range(3))
    return "RM-" + "-".join(groups)


def add_round(session: Session, record: StageSignOff, content: dict[str, Any], digest: str,
              at: dt.datetime) -> StageSignOffRound:
    """Keep what the supervisor just signed off as the stage's next round."""
    last = session.scalar(sa.select(sa.func.max(StageSignOffRound.number))
                          .where(StageSignOffRound.signoff_id == record.id)) or 0
    kept = StageSignOffRound(signoff_id=record.id, number=last + 1, signed_content=content,
                             content_hash=digest, signed_at=at)
    session.add(kept)
    session.flush()
    return kept


def latest_round(session: Session, signoff_id: int) -> Optional[StageSignOffRound]:
    """The stage's most recent round, or None before its first supervisor sign-off."""
    return session.scalar(sa.select(StageSignOffRound)
                          .where(StageSignOffRound.signoff_id == signoff_id)
                          .order_by(StageSignOffRound.number.desc()).limit(1))


def record_dates(enrolment: Enrolment, stage_code: str, today: dt.date) -> None:
    """What a completed stage changes on the enrolment: Stage 2 starts, or the roadmap ends."""
    if stage_code == "stage1":
        enrolment.stage1_verified_on = today
        enrolment.stage2_started_on = enrolment.stage2_started_on or today
    elif stage_code == "stage2":
        enrolment.stage2_signed_off_on = today
        enrolment.status = "completed"


def _move(session: Session, record: StageSignOff, **values: Any) -> None:
    """Change a waiting stage, if nobody changed it since it was read; else Conflict."""
    result = session.execute(
        sa.update(StageSignOff)
        .where(StageSignOff.id == record.id, StageSignOff.status == WAITING,
               StageSignOff.lock_version == record.lock_version)
        .values(lock_version=StageSignOff.lock_version + 1, **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise Conflict(RACE_LOST)
    session.refresh(record)


def hold(session: Session, record: StageSignOff) -> None:
    """An approval that is not the last: the stage keeps waiting (claimed, so one decides)."""
    _move(session, record)


def complete(session: Session, record: StageSignOff, enrolment: Enrolment,
             today: dt.date) -> str:
    """The last approval was given: the stage is complete. Its new verification code."""
    _move(session, record, status="complete", completed_at=utcnow(),
          verification_code=verification_code())
    record_dates(enrolment, record.stage_code, today)
    return str(record.verification_code)


def reopen(session: Session, record: StageSignOff) -> None:
    """A referral: back to the candidate, who signs again before the supervisor signs off again."""
    _move(session, record, status=REOPENED)


def tell_waiting(session: Session, enrolment: Enrolment, stage_name: str, signer: User) -> None:
    """Tell the candidate the stage now waits for the provider, and the provider's reviewers."""
    candidate = session.get(User, enrolment.candidate_id)
    provider = (session.get(EducationProvider, enrolment.provider_id)
                if enrolment.provider_id else None)
    who = provider.name if provider else "your education provider"
    if candidate is not None:
        mail.queue(session, candidate.email, f"{stage_name} is waiting for {who}",
                   f"Dear {candidate.full_name},\n\n{signer.full_name} has signed off "
                   f"{stage_name} of your Roadmap. It is complete once {who} approves it: "
                   "you will hear from us then.\n")
    if provider is None:
        return
    reviewers = session.scalars(
        sa.select(User).join(ProviderReviewer, ProviderReviewer.user_id == User.id)
        .where(ProviderReviewer.provider_id == provider.id, ProviderReviewer.ended_at.is_(None),
               User.is_active).distinct())
    for reviewer in reviewers:
        mail.queue(session, reviewer.email, "A Roadmap portfolio is waiting for your review",
                   f"Dear {reviewer.full_name},\n\nA supervisor has signed off {stage_name} of a "
                   f"{provider.name} learner's Roadmap portfolio. It is in your review queue.\n")


def tell_complete(session: Session, enrolment: Enrolment, stage_name: str, by: str,
                  code: str, credential: bool = False) -> None:
    """Tell the candidate their stage is complete, who gave the last approval, and its code
    (and that its digital credential is ready, when one was issued)."""
    candidate = session.get(User, enrolment.candidate_id)
    ready = ("\nYour digital credential for it is ready: open the stage's page in Roadmap to "
             "download it or share a link to it.\n" if credential else "")
    if candidate is not None:
        mail.queue(session, candidate.email, f"{stage_name} is signed off",
                   f"Dear {candidate.full_name},\n\n{stage_name} of your Roadmap is signed off: "
                   f"{by}.\n\nVerification code: {code}\n{ready}")

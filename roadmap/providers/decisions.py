"""The education provider's approval or referral of a signed-off stage (rule D11).

A reviewer judges one round: the frozen snapshot of what the supervisor signed off, bound by
its content hash. An approval is the stage's last, unless it is sampled for audit: then
another reviewer of the same provider reviews the round a second time, and only their
approval completes the stage. A referral, at either review, reopens the stage for the
candidate; the next supervisor sign-off is a new round, reviewed afresh.

Each decision is one row, unique per round and review, and an audit event in the same
transaction; a double submit, or two reviewers at once, makes one decision.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping, Optional

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from roadmap import clock, mail
from roadmap.form_limits import too_long
from roadmap.accounts.models import User
from roadmap.audit import service as audit
from roadmap.cohorts.models import Enrolment
from roadmap.db import utcnow
from roadmap.fields import plain_text
from roadmap.framework.models import Capability, Stage
from roadmap.pid import check as pid_check
from roadmap.portfolio import pid
from roadmap.providers import verify
from roadmap.providers.models import (DecisionOutcome, EducationProvider, ProviderDecision,
                                      ProviderReviewer, ReviewKind, independent_of)
from roadmap.readers.team import current_team
from roadmap.supervision import approvals, awards
from roadmap.supervision.errors import Conflict, Incomplete, NotAllowed
from roadmap.supervision.models import StageSignOff, StageSignOffRound

REASON_LONGEST = 5000


def sampled(content_hash: str, percent: int) -> bool:
    """Whether a first approval goes to a second review (the audit sample).

    Deterministic, so a test or an auditor can tell in advance: the first 8 hex digits of the
    round's content hash, read as a number, modulo 100, below the configured percentage.
    0 samples nothing, 100 everything.
    """
    return int(content_hash[:8], 16) % 100 < percent


def decisions_of(session: Session, round_id: int) -> list[ProviderDecision]:
    """The round's decisions, first review first."""
    return list(session.scalars(sa.select(ProviderDecision)
                                .where(ProviderDecision.round_id == round_id)
                                .order_by(ProviderDecision.id)))


def decided_by(session: Session, round_id: int, user_id: int) -> bool:
    """True when the person has made a decision on the round (either review)."""
    return session.scalar(sa.select(ProviderDecision.id).where(
        ProviderDecision.round_id == round_id, ProviderDecision.reviewer_id == user_id)
        .limit(1)) is not None


def due(record: StageSignOff, kept: StageSignOffRound, latest: int,
        decided: list[ProviderDecision]) -> Optional[str]:
    """Which review the round waits for now: "first", "second", or None (nothing to decide)."""
    if record.status != approvals.WAITING or kept.number != latest:
        return None
    if not decided:
        return ReviewKind.FIRST.value
    first = decided[0]
    if len(decided) == 1 and first.sampled_for_audit:
        return ReviewKind.SECOND.value
    return None


def _said(decision: ProviderDecision) -> str:
    """A decision already made, in words for whoever tried to make it again."""
    what = "approved" if decision.outcome == DecisionOutcome.APPROVED.value else "referred back"
    return (f"{decision.reviewer_name} already {what} this portfolio on "
            f"{clock.in_words(decision.decided_at)}. Nothing was added.")


def _reasons(outcome: str, reason: Optional[str], by_heading: Mapping[str, str],
             headings: set[str],
             pid_confirmed: bool) -> tuple[Optional[str], Optional[dict[str, str]]]:
    """The overall reason and the reasons per heading, checked: a referral needs its reason.

    Hidden characters go first; text that may identify a patient (D9) is refused until the
    reviewer confirms it does not.
    """
    overall = plain_text(reason).strip() or None
    named = {code: text for code, text in ((code, plain_text(text).strip())
                                           for code, text in by_heading.items())
             if code in headings and text}
    problems = {}
    if outcome == DecisionOutcome.REFERRED.value and overall is None:
        problems["reason"] = "Say why you refer the portfolio back"
    if overall is not None and len(overall) > REASON_LONGEST:
        problems["reason"] = too_long("The reason", REASON_LONGEST)
    for code, text in named.items():
        if len(text) > REASON_LONGEST:
            problems[f"heading-{code}"] = too_long(f"The reason for heading {code}", REASON_LONGEST)
    if problems:
        raise Incomplete("Check the reasons you gave.", problems)
    if not pid_confirmed and (found := pid.warnings(
            {"reason": overall or "", **{f"heading-{c}": t for c, t in named.items()}})):
        raise Incomplete(pid.PATIENT_DETAILS, found)
    if outcome == DecisionOutcome.APPROVED.value:
        return overall, None
    return overall, named or None


@dataclass(frozen=True)
class Checked:
    """A decision as it would be made now: the round, its stage and enrolment, which review
    it is, and the reasons as they would be kept."""

    kept: StageSignOffRound
    record: StageSignOff
    enrolment: Enrolment
    review: str  # "first" or "second"
    reason: Optional[str]
    heading_reasons: Optional[dict[str, str]]


def check(session: Session, round_id: int, reviewer: User, outcome: str,
          reason: Optional[str], by_heading: Mapping[str, str], *,
          pid_confirmed: bool = False) -> Checked:
    """Whether the reviewer may make this decision now, and its reasons as they would be
    kept: asked before the check-your-answers page, and again as the decision is made."""
    if outcome not in {o.value for o in DecisionOutcome}:
        raise Incomplete("Choose approve or refer back.", {"outcome": "Choose an outcome"})
    kept = session.get(StageSignOffRound, round_id)
    record = session.get(StageSignOff, kept.signoff_id) if kept is not None else None
    enrolment = session.get(Enrolment, record.enrolment_id) if record is not None else None
    if kept is None or record is None or enrolment is None or enrolment.provider_id is None:
        raise NotAllowed("There is nothing for you to review here.")
    if not session.scalar(sa.select(ProviderReviewer.id).where(
            ProviderReviewer.provider_id == enrolment.provider_id,
            ProviderReviewer.user_id == reviewer.id, ProviderReviewer.ended_at.is_(None))):
        raise NotAllowed("You do not review for this learner's education provider.")
    if not session.scalar(sa.select(StageSignOffRound.id)
                          .join(StageSignOff, StageSignOff.id == StageSignOffRound.signoff_id)
                          .where(StageSignOffRound.id == kept.id, independent_of(reviewer.id))):
        raise NotAllowed("You supervise this learner: another reviewer decides for the provider.")
    decided = decisions_of(session, kept.id)
    latest = approvals.latest_round(session, record.id)
    review = due(record, kept, latest.number if latest else 0, decided)
    if review is None:
        raise Conflict(_said(decided[-1]) if decided else
                       "This round is no longer waiting for the education provider.")
    if review == ReviewKind.SECOND.value and decided[0].reviewer_id == reviewer.id:
        raise NotAllowed("The second review of a sampled approval is made by another reviewer.")
    headings = set((kept.signed_content or {}).get("ratings") or {})
    overall, named = _reasons(outcome, reason, by_heading, headings, pid_confirmed)
    return Checked(kept, record, enrolment, review, overall, named)


def decide(session: Session, round_id: int, reviewer: User, outcome: str,
           reason: Optional[str], by_heading: Mapping[str, str], percent: int,
           today: dt.date, *, pid_confirmed: bool = False) -> ProviderDecision:
    """Approve or refer back one round, as a reviewer of the learner's provider (the loader
    checked they reach it); the stage completes, waits for a second review, or reopens."""
    checked = check(session, round_id, reviewer, outcome, reason, by_heading,
                    pid_confirmed=pid_confirmed)
    kept, record, enrolment = checked.kept, checked.record, checked.enrolment
    review = checked.review
    overall, named = checked.reason, checked.heading_reasons
    approved = outcome == DecisionOutcome.APPROVED.value
    audit_sample = review == ReviewKind.FIRST.value and approved and sampled(kept.content_hash,
                                                                              percent)
    decision = ProviderDecision(
        round_id=kept.id, content_hash=kept.content_hash, provider_id=enrolment.provider_id,
        reviewer_id=reviewer.id, reviewer_name=reviewer.full_name, review=review,
        outcome=outcome, reason=overall, heading_reasons=named, sampled_for_audit=audit_sample,
        decided_at=utcnow())
    code = None
    try:
        # All or nothing: a lost race leaves neither the stage's move nor the decision behind.
        with session.begin_nested():
            if approved and not audit_sample:
                code = approvals.complete(session, record, enrolment, today)
            elif approved:
                approvals.hold(session, record)
            else:
                approvals.reopen(session, record)
            session.add(decision)
            session.flush()
    except IntegrityError:  # the twin request decided a moment ago
        raise Conflict("Someone decided on this portfolio a moment ago. Nothing was added.") \
            from None
    audit.record(session, f"provider.{outcome}", actor_id=reviewer.id,
                 subject_type="provider_decision", subject_id=decision.id,
                 enrolment_id=enrolment.id,
                 data={"decision_id": decision.id, "round_id": kept.id, "round": kept.number,
                       "signoff_id": record.id, "stage": record.stage_code,
                       "content_hash": kept.content_hash, "provider_id": enrolment.provider_id,
                       "review": review, "outcome": outcome,
                       "reviewer_name": decision.reviewer_name,
                       "decided_at": clock.written(decision.decided_at),
                       **verify.reasons_sealed(overall, named),
                       "sampled_for_audit": audit_sample,
                       "verification_code": code})
    if found := pid_check.flagged({"reason": overall or "", **{
            f"heading-{c}": t for c, t in (named or {}).items()}}):
        # Decided past a warning (_reasons refused it unconfirmed): fields and kinds only.
        audit.record(session, "provider.pid_confirmed", actor_id=reviewer.id,
                     subject_type="provider_decision", subject_id=decision.id,
                     enrolment_id=enrolment.id, data=pid_check.audit_data(found))
    issued = awards.award(session, record, enrolment, reviewer.id) if code is not None else None
    _tell(session, enrolment, record, decision, code, today, issued is not None)
    return decision


def _tell(session: Session, enrolment: Enrolment, record: StageSignOff,
          decision: ProviderDecision, code: Optional[str], today: dt.date,
          credential: bool) -> None:
    """Email what the decision means to those it concerns (the timeline has the event)."""
    provider = session.get(EducationProvider, decision.provider_id)
    name = provider.name if provider else "The education provider"
    stage = session.scalar(sa.select(Stage.name).where(
        Stage.framework_version_id == enrolment.framework_version_id,
        Stage.code == record.stage_code)) or record.stage_code
    if code is not None:
        approvals.tell_complete(session, enrolment, stage, f"{name} approved it", code,
                                credential)
    elif decision.outcome == DecisionOutcome.REFERRED.value:
        _tell_referral(session, enrolment, stage, name, decision, today)
    elif decision.sampled_for_audit:
        _tell_second_reviewers(session, decision, stage, name)


def _tell_second_reviewers(session: Session, decision: ProviderDecision, stage: str,
                           provider: str) -> None:
    """The provider's other current reviewers learn a sampled approval waits for one of them
    (not those on the learner's team: they may not decide on it)."""
    reviewers = session.scalars(
        sa.select(User).select_from(StageSignOffRound)
        .join(StageSignOff, StageSignOff.id == StageSignOffRound.signoff_id)
        .join(ProviderReviewer, sa.and_(ProviderReviewer.provider_id == decision.provider_id,
                                        ProviderReviewer.ended_at.is_(None)))
        .join(User, User.id == ProviderReviewer.user_id)
        .where(StageSignOffRound.id == decision.round_id, User.id != decision.reviewer_id,
               User.is_active, independent_of(User.id)).distinct())
    for reviewer in reviewers:
        mail.queue(session, reviewer.email, "A sampled approval is waiting for your second review",
                   f"Dear {reviewer.full_name},\n\n{decision.reviewer_name} approved {stage} of a "
                   f"{provider} learner's Roadmap portfolio, and it was chosen for a second review "
                   "by another reviewer. It is in your review queue.\n")


def _tell_referral(session: Session, enrolment: Enrolment, stage: str, provider: str,
                   decision: ProviderDecision, today: dt.date) -> None:
    """The candidate and all their supervisors learn why the stage came back, and what follows."""
    team = current_team(session, enrolment.id, today)
    ids = [enrolment.candidate_id, *(m.supervisor_id for m in (team.primary, team.backup,
                                                               team.educational) if m)]
    titles = dict(session.execute(sa.select(Capability.code, Capability.title).where(
        Capability.framework_version_id == enrolment.framework_version_id)).all())
    lines = [f"{provider} has referred {stage} back.", "", f"Reason: {decision.reason}"]
    for code, text in sorted((decision.heading_reasons or {}).items(),
                             key=lambda item: (len(item[0]), item[0])):
        lines.append(f"{code}. {titles[code]}: {text}" if titles.get(code)
                     else f"Heading {code}: {text}")
    lines += ["", "The stage is open again: the candidate adds what is asked for and signs "
              "again, then the supervisor signs it off again for the provider to review."]
    for person in session.scalars(sa.select(User).where(User.id.in_(ids), User.is_active)):
        mail.queue(session, person.email, f"{stage} was referred back by {provider}",
                   f"Dear {person.full_name},\n\n" + "\n".join(lines) + "\n")

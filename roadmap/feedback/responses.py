"""Answers from one-time links, and the results: aggregate only, with nothing to trace."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.audit import service as audit
from roadmap.db import utcnow
from roadmap.feedback import links, notices
from roadmap.feedback.errors import FeedbackError
from roadmap.feedback.models import FeedbackRater, FeedbackResponse, FeedbackRound
from roadmap.feedback.rules import groups, round_type
from roadmap.framework import definitions
from roadmap.framework.models import EvidenceType
from roadmap.pid import PATIENT_DETAILS, check as pid_check
from roadmap.pid.check import PATIENT_WORDS, PUBLIC_WORDS
from roadmap.portfolio.models import Evidence


@dataclass
class Opened:
    """A link looked up: the round and item when usable, else a key of links.UNUSABLE."""

    evidence: Optional[Evidence] = None
    round: Optional[FeedbackRound] = None
    rater: Optional[FeedbackRater] = None
    problem: Optional[str] = None


def _refused(address: Optional[str], problem: str) -> Opened:
    """A link that cannot be used; one that does not exist counts against the address."""
    if problem == "unknown":
        links.count_bad(address)
    return Opened(problem=problem)


def open_rater_link(session: Session, token: str, address: Optional[str]) -> Opened:
    """An MSF rater's link: usable once, for 30 days, until the results are released."""
    if links.too_many_bad(session, address):
        return Opened(problem="busy")
    rater = session.scalar(sa.select(FeedbackRater).where(
        FeedbackRater.token_hash == links.digest(token)))
    if rater is None:
        return _refused(address, "unknown")
    if rater.responded:
        return Opened(problem="used")
    if rater.expires_at <= utcnow():
        return Opened(problem="expired")
    record = session.scalar(sa.select(FeedbackRound).where(
        FeedbackRound.evidence_id == rater.evidence_id))
    if record is None or record.released_at is not None:
        return Opened(problem="closed")
    return Opened(session.get(Evidence, rater.evidence_id), record, rater)


def open_poster_link(session: Session, token: str, address: Optional[str]) -> Opened:
    """A PSQ round's shared link: open until the results are released; limited per address."""
    if links.too_many_bad(session, address):
        return Opened(problem="busy")
    record = session.scalar(sa.select(FeedbackRound).where(
        FeedbackRound.link_hash == links.digest(token), FeedbackRound.kind == "psq"))
    if record is None:
        return _refused(address, "unknown")
    if record.released_at is not None:
        return Opened(problem="closed")
    if (links.hits(session, links.address_key(f"psq-{record.id}", address)) >= links.PSQ_PER_ADDRESS
            or links.hits(session, f"psq-round:{record.id}") >= links.PSQ_PER_ROUND):
        return Opened(problem="busy")
    return Opened(session.get(Evidence, record.evidence_id), record)


def free_texts(session: Session, opened: Opened, answers: dict[str, Any]) -> dict[str, str]:
    """The respondent's free-text answers, by question code: what the patient check reads."""
    assert opened.evidence is not None
    etype = session.get(EvidenceType, opened.evidence.evidence_type_id)
    assert etype is not None
    return {spec["code"]: answers[spec["code"]]
            for spec in definitions.fields(etype.definition, None, ["respondent"])
            if definitions.is_free_text(spec) and isinstance(answers.get(spec["code"]), str)}


def _pid_checked(session: Session, opened: Opened, answers: dict[str, Any],
                 pid_confirmed: bool) -> dict[str, Any]:
    """Findings in the free text; refused in plain words, beside each answer, until the
    respondent ticks that nobody could tell who the patient is (a PSQ's respondent is the
    patient, so they are asked in words about themselves). Checked before the link is used, so
    a refused answer leaves the link as it was."""
    found = pid_check.flagged(free_texts(session, opened, answers))
    if found and not pid_confirmed:
        psq = opened.round is not None and opened.round.kind == "psq"
        raise FeedbackError(PATIENT_DETAILS, pid_check.messages(
            found, PATIENT_WORDS if psq else PUBLIC_WORDS))
    return found


def _save(session: Session, opened: Opened, group: str, answers: dict[str, Any],
          found: dict[str, Any]) -> None:
    assert opened.evidence is not None
    # The response carries the day only, and the audit event names the item, never the rater
    # or the response: nothing pairs a person with what they said.
    session.add(FeedbackResponse(evidence_id=opened.evidence.id, respondent_group=group,
                                 answers=answers))
    session.flush()
    _, rule = round_type(session, opened.evidence)
    now = groups(session, opened.evidence.id)
    if rule is not None and rule.met(now) and not rule.met(now - Counter({group: 1})):
        notices.ready_for_review(session, opened.evidence)
    audit.record(session, "feedback.response_received", subject_type="evidence",
                 subject_id=opened.evidence.id, enrolment_id=opened.evidence.enrolment_id)
    if found:  # the item and what was confirmed: no rater, no response, no text
        audit.record(session, "feedback.response_pid_confirmed", subject_type="evidence",
                     subject_id=opened.evidence.id, enrolment_id=opened.evidence.enrolment_id,
                     data=pid_check.audit_data(found))


def submit_rater(session: Session, opened: Opened, answers: dict[str, Any], *,
                 pid_confirmed: bool = False) -> bool:
    """Save a rater's answers once; False when the link was used first (a double click).

    FeedbackError (PATIENT_DETAILS) for free text that may identify a patient, unconfirmed."""
    assert opened.rater is not None
    found = _pid_checked(session, opened, answers, pid_confirmed)
    used = session.execute(sa.update(FeedbackRater).where(
        FeedbackRater.id == opened.rater.id, FeedbackRater.responded.is_(False),
        FeedbackRater.token_hash == opened.rater.token_hash,
        FeedbackRater.expires_at > utcnow()).values(responded=True)
        .execution_options(synchronize_session=False))
    if used.rowcount != 1:
        return False
    group = answers.pop("respondent_group", None)
    if group not in ("clinical", "non_clinical"):
        group = opened.rater.rater_group
    _save(session, opened, group, answers, found)
    return True


def submit_patient(session: Session, opened: Opened, answers: dict[str, Any],
                   address: Optional[str], *, pid_confirmed: bool = False) -> None:
    """Save one patient's answers (or one paper form keyed in) and count it for the limits.

    FeedbackError (PATIENT_DETAILS) for free text that may identify a patient, unconfirmed."""
    assert opened.round is not None
    found = _pid_checked(session, opened, answers, pid_confirmed)
    links.count(session, links.address_key(f"psq-{opened.round.id}", address),
                f"psq-round:{opened.round.id}")
    _save(session, opened, "patient", answers, found)

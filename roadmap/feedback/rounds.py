"""MSF and PSQ rounds: open after the self-assessment, invite raters, correct, release."""
from __future__ import annotations

import secrets
from typing import Any, Optional

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from roadmap import mail
from roadmap.accounts.models import User
from roadmap.audit import service as audit
from roadmap.cohorts.models import Enrolment
from roadmap.db import utcnow
from roadmap.feedback import links, notices
from roadmap.feedback.errors import FeedbackError
from roadmap.feedback.models import FeedbackRater, FeedbackRound
from roadmap.feedback.rules import Rule, groups, round_type
from roadmap.framework import definitions
from roadmap.framework.models import FrameworkVersion
from roadmap.pid import PATIENT_DETAILS, check as pid_check
from roadmap.portfolio.models import Evidence

SELF_SECTION = "self_assessment"
OPEN_STATUSES = ("draft", "returned")
MAX_SENDS = 5  # invitation plus resends of one rater, so a link cannot be used to spam
MAX_RATERS = 40  # per round: enough to reach the minimum with room, not a mailing list


def self_fields(etype_definition: dict[str, Any]) -> list[dict[str, Any]]:
    """The questions of the candidate's self-assessment section."""
    return [field for section in definitions.sections(etype_definition, None)
            if section.get("code") == SELF_SECTION for field in section.get("fields", [])]


def _candidate_of(session: Session, evidence: Evidence, user: User) -> Enrolment:
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    if enrolment is None or enrolment.candidate_id != user.id:
        raise FeedbackError("Only the candidate can do this.")
    return enrolment


def round_of(session: Session, evidence_id: int) -> Optional[FeedbackRound]:
    """The item's round, if it was opened."""
    return session.scalar(sa.select(FeedbackRound).where(FeedbackRound.evidence_id == evidence_id))


def rater_of(session: Session, rater_id: int) -> Optional[FeedbackRater]:
    """A rater by id, if there is one."""
    return session.get(FeedbackRater, rater_id)


def open_round(session: Session, evidence: Evidence, candidate: User, *,
               pid_confirmed: bool = False) -> FeedbackRound:
    """Open the round once the self-assessment is complete; PSQ rounds get their one link.

    The self-assessment is copied here, from an item that is still a draft, and from then on
    it is what the supervisor reads on the round's page and what the results set beside the
    raters' answers (and the portfolio's exports). So the copy is checked as it is made (rule
    D9): refused when its text may identify a patient until the candidate confirms it does
    not, which is audited. The item's own answers are checked again when it is submitted.
    """
    enrolment = _candidate_of(session, evidence, candidate)
    etype, rule = round_type(session, evidence)
    if rule is None:
        raise FeedbackError("This kind of evidence does not collect feedback.")
    existing = round_of(session, evidence.id)
    if existing is not None:
        return existing
    fields = self_fields(etype.definition)
    own = {f["code"]: (evidence.fields or {}).get(f["code"]) for f in fields}
    version = session.get(FrameworkVersion, etype.framework_version_id)
    problems = definitions.check(fields, own, definitions.scale_levels(version.document))
    if problems:
        raise FeedbackError("Complete your self-assessment first: you rate yourself before "
                            "anyone is asked.", problems)
    found = pid_check.flagged(own)
    if found and not pid_confirmed:
        raise FeedbackError(PATIENT_DETAILS, pid_check.messages(found))
    record = FeedbackRound(evidence_id=evidence.id, kind=rule.kind, self_assessment=own,
                           opened_by_id=candidate.id)
    if rule.kind == "psq":
        record.link_nonce = secrets.token_hex(16)
        record.link_hash = links.digest(psq_token(record))
    session.add(record)
    session.flush()
    audit.record(session, "feedback.round_opened", actor_id=candidate.id, subject_type="evidence",
                 subject_id=evidence.id, enrolment_id=enrolment.id, data={"kind": rule.kind})
    if found:
        audit.record(session, "feedback.self_assessment_pid_confirmed", actor_id=candidate.id,
                     subject_type="evidence", subject_id=evidence.id, enrolment_id=enrolment.id,
                     data=pid_check.audit_data(found))
    return record


def psq_token(record: FeedbackRound) -> str:
    """The round's poster link token."""
    assert record.link_nonce
    return links.derived_token(current_app.config["SECRET_KEY"], record.link_nonce)


def _open_for_raters(session: Session, evidence: Evidence,
                     candidate: User) -> tuple[Enrolment, FeedbackRound]:
    enrolment = _candidate_of(session, evidence, candidate)
    record = round_of(session, evidence.id)
    if record is None or record.kind != "msf":
        raise FeedbackError("Start the round before you ask anyone.")
    if record.released_at is not None:
        raise FeedbackError("The results were released: this round is closed.")
    return enrolment, record


def _clean(name: str, email: str, role: str, group: str) -> dict[str, str]:
    values = {"name": (name or "").strip(), "email": (email or "").strip().lower(),
              "role": (role or "").strip(), "group": group or ""}
    problems = {}
    if not values["name"]:
        problems["name"] = "Enter the colleague's name"
    if not mail.address_ok(values["email"]):
        problems["email"] = "Enter a work email address, like name@nhs.net"
    if not values["role"]:
        problems["role"] = "Enter the colleague's role"
    if values["group"] not in ("clinical", "non_clinical"):
        problems["group"] = "Select clinical or non-clinical"
    if problems:
        raise FeedbackError("Check the colleague's details.", problems)
    return values


def add_rater(session: Session, evidence: Evidence, candidate: User, name: str, email: str,
              role: str, group: str) -> FeedbackRater:
    """Name a rater and email them their own single-use link."""
    enrolment, _record = _open_for_raters(session, evidence, candidate)
    values = _clean(name, email, role, group)
    asked = session.scalars(sa.select(FeedbackRater.email).where(
        FeedbackRater.evidence_id == evidence.id)).all()
    if len(asked) >= MAX_RATERS:
        raise FeedbackError(f"You have asked {len(asked)} colleagues, the most for one round.")
    if values["email"] in asked:
        raise FeedbackError("You have already asked this colleague.",
                            {"email": "You have already asked someone with this email address"})
    token = links.new_token()
    rater = FeedbackRater(evidence_id=evidence.id, name=values["name"], email=values["email"],
                          role=values["role"], rater_group=values["group"],
                          token_hash=links.digest(token), expires_at=links.expiry(),
                          added_by_id=candidate.id)
    session.add(rater)
    session.flush()
    audit.record(session, "feedback.rater_invited", actor_id=candidate.id, subject_type="evidence",
                 subject_id=evidence.id, enrolment_id=enrolment.id,
                 data={"rater_id": rater.id, "group": rater.rater_group})
    notices.invite_rater(session, rater, candidate.full_name, token)
    return rater


def _rater(session: Session, rater_id: int,
           candidate: User) -> tuple[FeedbackRater, Evidence, Enrolment]:
    rater = session.get(FeedbackRater, rater_id)
    evidence = session.get(Evidence, rater.evidence_id) if rater else None
    if rater is None or evidence is None:
        raise FeedbackError("This colleague is not on any of your rounds.")
    enrolment, _record = _open_for_raters(session, evidence, candidate)
    if rater.responded:
        raise FeedbackError(f"{rater.name} has already answered: nothing to send.")
    return rater, evidence, enrolment


def _new_link(rater: FeedbackRater) -> str:
    token = links.new_token()
    rater.token_hash, rater.expires_at, rater.last_sent_at = (links.digest(token), links.expiry(),
                                                              utcnow())
    rater.sends += 1
    return token


def resend(session: Session, rater_id: int, candidate: User) -> FeedbackRater:
    """Send a rater a new link; the old one stops working."""
    rater, evidence, enrolment = _rater(session, rater_id, candidate)
    if rater.sends >= MAX_SENDS:
        raise FeedbackError(f"{rater.name} has been sent {rater.sends} links already. "
                            "Ask them in person, or ask someone else.")
    token = _new_link(rater)
    audit.record(session, "feedback.rater_resent", actor_id=candidate.id, subject_type="evidence",
                 subject_id=evidence.id, enrolment_id=enrolment.id, data={"rater_id": rater.id})
    notices.invite_rater(session, rater, candidate.full_name, token)
    return rater


def correct_email(session: Session, rater_id: int, candidate: User, email: str) -> FeedbackRater:
    """Fix a mistyped address: the rater keeps their place, the old link stops working."""
    rater, evidence, enrolment = _rater(session, rater_id, candidate)
    values = _clean(rater.name, email, rater.role, rater.rater_group)
    if values["email"] == rater.email:
        raise FeedbackError("That is the address already used.",
                            {"email": "Enter the corrected email address"})
    old = rater.email
    rater.email = values["email"]
    rater.sends = 0  # a new address starts its own count
    token = _new_link(rater)
    audit.record(session, "feedback.rater_email_corrected", actor_id=candidate.id,
                 subject_type="evidence", subject_id=evidence.id, enrolment_id=enrolment.id,
                 data={"rater_id": rater.id, "old_email": old, "new_email": rater.email})
    notices.invite_rater(session, rater, candidate.full_name, token)
    return rater


def release(session: Session, evidence: Evidence, supervisor: User, rule: Rule) -> FeedbackRound:
    """The supervisor has reviewed the responses: show the aggregate to the candidate."""
    record = round_of(session, evidence.id)
    if record is None:
        raise FeedbackError("This round has not started.")
    if record.released_at is not None:
        raise FeedbackError("The results were already released.")
    if not rule.met(groups(session, evidence.id)):
        raise FeedbackError("The results cannot be released until the minimum number of "
                            "responses is reached.")
    record.released_at, record.released_by_id = utcnow(), supervisor.id
    session.flush()
    audit.record(session, "feedback.released", actor_id=supervisor.id, subject_type="evidence",
                 subject_id=evidence.id, enrolment_id=evidence.enrolment_id,
                 data={"kind": record.kind})
    notices.results_released(session, evidence, supervisor)
    return record

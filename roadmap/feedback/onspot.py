"""The assessor signs on the spot, on the candidate's phone; it counts once they confirm by email.

Straight after a WPBA the candidate hands their signed-in phone to the assessor, who completes
the assessor's part of the ticket form and signs. That makes an on-device assessment ticket
whose answers wait in its draft: nothing is signed yet. The link emailed to the assessor's
work address (the same address rules as tickets) only confirms it, and confirming signs through
the ticket's one signing path. A candidate cannot both fill in the assessor's part and confirm
it, because the confirmation never goes to an address that is theirs.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.audit import service as audit
from roadmap.cohorts.models import Enrolment
from roadmap.db import utcnow
from roadmap.feedback import assessors, links, notices, tickets
from roadmap.feedback.errors import FeedbackError
from roadmap.feedback.models import AssessmentTicket
from roadmap.pid import check as pid_check
from roadmap.portfolio.models import Evidence
from roadmap.supervision.models import Signature

LIFETIME = dt.timedelta(days=7)  # for the assessor to confirm; the candidate can re-send
KEEP_EXPIRED = dt.timedelta(days=30)  # then an unconfirmed assessment's answers are dropped
MAX_SENDS = 4  # the confirmation email and three re-sends
MAX_KEY = 64
CHANGED = ("The item changed after the assessor opened this page, so nothing was signed. "
           "Ask them to assess it again as it is now.")


def _owned(session: Session, evidence: Evidence, candidate: User) -> Enrolment:
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    if enrolment is None or enrolment.candidate_id != candidate.id:
        raise FeedbackError("Only the candidate can hand their phone to an assessor.")
    return enrolment


def existing(session: Session, evidence: Evidence, client_key: Optional[str]
             ) -> Optional[AssessmentTicket]:
    """The on-device assessment a device already sent with this key: a second sync finds it."""
    if not client_key:
        return None
    return session.scalar(sa.select(AssessmentTicket).where(
        AssessmentTicket.evidence_id == evidence.id, AssessmentTicket.client_key == client_key))


def give(session: Session, evidence: Evidence, candidate: User, identity: dict[str, Any],
         answers: dict[str, Any], kept: dict[str, list[str]], expected_lock: int,
         domains: Iterable[str], client_key: Optional[str] = None
         ) -> tuple[AssessmentTicket, bool]:
    """The assessor signed on the device: a pending assessment and its confirmation email.

    Returns it and whether it is new; a key already used on this item returns the first.
    """
    enrolment = _owned(session, evidence, candidate)
    if client_key is not None and not (0 < len(client_key) <= MAX_KEY):
        raise FeedbackError("The device sent an idempotency key that is empty or too long.")
    if (found := existing(session, evidence, client_key)) is not None:
        return found, False
    if tickets.wpba_type(session, evidence) is None or evidence.status not in tickets.ASSESSABLE:
        raise FeedbackError("Only a WPBA that is not yet signed can be assessed.")
    domains = tuple(domains)
    address = assessors.parse_address(identity.get("email")) or ""
    ticket = AssessmentTicket(evidence_id=evidence.id, invited_email=address,
                              invited_name=assessors.clean_text(identity.get("name")),
                              on_device=True, client_key=client_key, created_by_id=candidate.id)
    try:
        who, own, found_pid = tickets.assessor_part(session, ticket, identity, answers, domains)
    except FeedbackError as error:
        if "email" in error.problems and address and _candidates(session, candidate, address):
            error.problems["email"] = (f"This is {candidate.full_name}'s own email address. Enter "
                                       "your own work email: we send the confirmation there.")
        raise
    if expected_lock != evidence.lock_version:
        raise FeedbackError(CHANGED)
    waiting = session.scalar(sa.select(sa.func.count()).select_from(AssessmentTicket).where(
        AssessmentTicket.evidence_id == evidence.id, AssessmentTicket.used_at.is_(None),
        AssessmentTicket.withdrawn_at.is_(None), AssessmentTicket.expires_at > utcnow())) or 0
    if waiting >= tickets.MAX_OPEN_TICKETS:
        raise FeedbackError(f"{waiting} assessments of this item are still waiting to be "
                            "confirmed. Withdraw one before handing your phone over again.")
    token = links.new_token()
    ticket.token_hash, ticket.expires_at = links.digest(token), utcnow() + LIFETIME
    ticket.invited_name = who["name"]
    ticket.draft = {**kept, "lock_version": [str(expected_lock)]}
    try:
        with session.begin_nested():
            session.add(ticket)
            session.flush()
    except IntegrityError:  # the same key, synced twice at once: the other one stands
        if (found := existing(session, evidence, client_key)) is not None:
            return found, False
        raise
    audit.record(session, "feedback.on_device_signed", actor_id=candidate.id,
                 subject_type="evidence", subject_id=evidence.id, enrolment_id=enrolment.id,
                 data={"ticket_id": ticket.id, "email": address,
                       "registration_body": who["body"], "registration_number": who["number"],
                       "fields": sorted(own), "offline": client_key is not None,
                       "expires_at": ticket.expires_at.isoformat(),
                       **({"pid": pid_check.audit_data(found_pid)} if found_pid else {})})
    _send(session, ticket, evidence, candidate, token)
    return ticket, True


def _candidates(session: Session, candidate: User, address: str) -> bool:
    """True when the address is one of the candidate's own (any account that is theirs)."""
    return _mailbox(address) in {_mailbox(user.email.lower())
                                 for user in assessors.candidate_accounts(session, candidate)}


def _mailbox(address: str) -> str:
    """The mailbox behind plus addressing, as the ticket rules read it."""
    local, _, domain = address.partition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def _send(session: Session, ticket: AssessmentTicket, evidence: Evidence, candidate: User,
          token: str) -> None:
    etype = tickets.wpba_type(session, evidence)
    assert etype is not None
    audit.record(session, "feedback.on_device_confirmation_sent", actor_id=candidate.id,
                 subject_type="evidence", subject_id=evidence.id,
                 enrolment_id=evidence.enrolment_id,
                 data={"ticket_id": ticket.id, "email": ticket.invited_email,
                       "sends": ticket.sends, "expires_at": ticket.expires_at.isoformat()})
    notices.confirm_on_device(session, ticket, candidate.full_name, etype.name, token)


def for_item(session: Session, evidence: Evidence) -> list[AssessmentTicket]:
    """The item's on-device assessments not yet confirmed nor withdrawn, newest first; an
    expired one is written to the audit trail the first time it is seen so."""
    found = list(session.scalars(sa.select(AssessmentTicket).where(
        AssessmentTicket.evidence_id == evidence.id, AssessmentTicket.on_device.is_(True),
        AssessmentTicket.used_at.is_(None), AssessmentTicket.withdrawn_at.is_(None))
        .order_by(AssessmentTicket.id.desc())))
    _note_expired(session, [t for t in found if t.expires_at <= utcnow()])
    return found


def _note_expired(session: Session, expired: Iterable[AssessmentTicket]) -> None:
    """Write each newly expired assessment to the audit trail, once."""
    now = utcnow()
    for ticket in expired:
        # Conditional, so two pages seeing it at once record it once.
        marked = session.execute(sa.update(AssessmentTicket).where(
            AssessmentTicket.id == ticket.id, AssessmentTicket.expiry_recorded_at.is_(None))
            .values(expiry_recorded_at=now).execution_options(synchronize_session=False))
        if marked.rowcount == 1:
            ticket.expiry_recorded_at = now
            evidence = tickets.ticket_item(session, ticket)
            audit.record(session, "feedback.on_device_expired", subject_type="evidence",
                         subject_id=evidence.id, enrolment_id=evidence.enrolment_id,
                         data={"ticket_id": ticket.id, "email": ticket.invited_email,
                               "expired_at": ticket.expires_at.isoformat()})


def sweep(session: Session) -> tuple[int, int]:
    """The daily job: record assessments that expired unconfirmed, and end those expired for
    KEEP_EXPIRED (the assessor's answers are dropped); returns (expired, ended)."""
    now = utcnow()
    waiting = sa.select(AssessmentTicket).where(
        AssessmentTicket.on_device.is_(True), AssessmentTicket.used_at.is_(None),
        AssessmentTicket.withdrawn_at.is_(None))
    expired = list(session.scalars(waiting.where(
        AssessmentTicket.expires_at <= now, AssessmentTicket.expiry_recorded_at.is_(None))
        .order_by(AssessmentTicket.id)))
    _note_expired(session, expired)
    old = list(session.scalars(waiting.where(AssessmentTicket.expires_at <= now - KEEP_EXPIRED)
                               .order_by(AssessmentTicket.id)))
    for ticket in old:
        _end(session, ticket, None, "expired")
    session.flush()
    return len(expired), len(old)


def _end(session: Session, ticket: AssessmentTicket, actor_id: Optional[int], why: str) -> None:
    """Withdraw an assessment: its link stops working and the answers are nobody's now."""
    evidence = tickets.ticket_item(session, ticket)
    now = utcnow()
    # Expired too, so it no longer counts against the open links of the item (tickets.ask).
    ticket.withdrawn_at, ticket.draft = now, None
    ticket.expires_at = min(ticket.expires_at, now)
    session.flush()
    audit.record(session, "feedback.on_device_withdrawn", actor_id=actor_id,
                 subject_type="evidence", subject_id=evidence.id,
                 enrolment_id=evidence.enrolment_id,
                 data={"ticket_id": ticket.id, "email": ticket.invited_email, "why": why})


def _pending(session: Session, evidence: Evidence, candidate: User,
             ticket_id: int) -> AssessmentTicket:
    _owned(session, evidence, candidate)
    ticket = session.scalar(sa.select(AssessmentTicket).where(
        AssessmentTicket.id == ticket_id, AssessmentTicket.evidence_id == evidence.id,
        AssessmentTicket.on_device.is_(True)).with_for_update())
    if ticket is None:
        raise FeedbackError("There is no such assessment on this item.")
    if ticket.used_at is not None:
        raise FeedbackError("The assessor has already confirmed this assessment.")
    if ticket.withdrawn_at is not None:
        raise FeedbackError("This assessment was withdrawn.")
    return ticket


def resend(session: Session, evidence: Evidence, candidate: User, ticket_id: int,
           domains: Iterable[str]) -> AssessmentTicket:
    """Send the assessor a new confirmation link, good for another LIFETIME; the old one dies."""
    ticket = _pending(session, evidence, candidate, ticket_id)
    if ticket.sends >= MAX_SENDS:
        raise FeedbackError(f"The confirmation was already sent {ticket.sends} times. Withdraw "
                            "this assessment, or ask the assessor to check their junk mail.")
    if evidence.status not in tickets.ASSESSABLE:
        raise FeedbackError("This item can no longer be assessed.")
    if assessors.address_problem(session, candidate, ticket.invited_email, tuple(domains)):
        raise FeedbackError("The assessor's address can no longer be used to confirm this.")
    token = links.new_token()
    ticket.token_hash, ticket.expires_at = links.digest(token), utcnow() + LIFETIME
    ticket.sends, ticket.expiry_recorded_at = ticket.sends + 1, None
    session.flush()
    _send(session, ticket, evidence, candidate, token)
    return ticket


def withdraw(session: Session, evidence: Evidence, candidate: User,
             ticket_id: int) -> AssessmentTicket:
    """The candidate withdraws an assessment not yet confirmed: its link stops working."""
    ticket = _pending(session, evidence, candidate, ticket_id)
    _end(session, ticket, candidate.id, "candidate")
    return ticket


def confirm(session: Session, ticket: AssessmentTicket, identity: dict[str, Any],
            answers: dict[str, Any], domains: Iterable[str]) -> Signature:
    """The assessor confirms from their inbox: what they signed on the device is signed now."""
    lock = int((ticket.draft or {}).get("lock_version", ["0"])[0] or 0)
    try:
        signature = tickets.sign(session, ticket, {**identity, "declaration": True}, answers,
                                 lock, domains)
    except FeedbackError as error:
        if str(error) == tickets.CHANGED:
            raise FeedbackError(CHANGED) from None
        if error.problems:  # a rule that changed since: settings, or whose address it is
            raise FeedbackError("This assessment can no longer be confirmed: "
                                + next(iter(error.problems.values())).rstrip(".")
                                + ". Nothing was signed.") from None
        raise
    evidence = tickets.ticket_item(session, ticket)
    audit.record(session, "feedback.on_device_confirmed", subject_type="evidence",
                 subject_id=evidence.id, enrolment_id=evidence.enrolment_id, data={"ticket_id": ticket.id,
                                                      "signature_id": signature.id,
                                                      "email": ticket.invited_email})
    return signature

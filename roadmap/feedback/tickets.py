"""Assessment by ticket: a colleague without an account assesses and signs one WPBA."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import mail
from roadmap.accounts.models import User
from roadmap.audit import service as audit
from roadmap.cohorts.models import Enrolment
from roadmap.db import utcnow
from roadmap.feedback import links, notices
from roadmap.feedback.errors import FeedbackError
from roadmap.feedback.models import AssessmentTicket
from roadmap.framework import answers as form_rules
from roadmap.framework.models import EvidenceType, FrameworkVersion
from roadmap.portfolio.models import Evidence, EvidenceVersion
from roadmap.supervision.models import Signature, SignerCapacity
from roadmap.supervision.review import freeze_version

ASSESSABLE = ("draft", "returned", "submitted")
MAX_OPEN_TICKETS = 3  # per item at a time


def _type(session: Session, evidence: Evidence) -> EvidenceType:
    etype = session.get(EvidenceType, evidence.evidence_type_id)
    assert etype is not None
    return etype


def ask(session: Session, evidence: Evidence, candidate: User, name: str,
        email: str) -> AssessmentTicket:
    """Email a colleague a single-use link to assess this WPBA."""
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    if enrolment is None or enrolment.candidate_id != candidate.id:
        raise FeedbackError("Only the candidate can ask for an assessment.")
    etype = _type(session, evidence)
    if not etype.is_wpba or evidence.status not in ASSESSABLE:
        raise FeedbackError("Only a WPBA that is not yet signed can be assessed by link.")
    name, email = (name or "").strip(), (email or "").strip().lower()
    problems = {}
    if not name:
        problems["name"] = "Enter the assessor's name"
    if not mail.address_ok(email):
        problems["email"] = "Enter a work email address, like name@nhs.net"
    if problems:
        raise FeedbackError("Check the assessor's details.", problems)
    waiting = session.scalar(sa.select(sa.func.count()).select_from(AssessmentTicket).where(
        AssessmentTicket.evidence_id == evidence.id, AssessmentTicket.used_at.is_(None),
        AssessmentTicket.expires_at > utcnow())) or 0
    if waiting >= MAX_OPEN_TICKETS:
        raise FeedbackError(f"{waiting} links for this item are still waiting to be used.")
    token = links.new_token()
    ticket = AssessmentTicket(evidence_id=evidence.id, invited_name=name, invited_email=email,
                              token_hash=links.digest(token), expires_at=links.expiry(),
                              created_by_id=candidate.id)
    session.add(ticket)
    session.flush()
    audit.record(session, "feedback.assessor_asked", actor_id=candidate.id, subject_type="evidence",
                 subject_id=evidence.id, enrolment_id=enrolment.id,
                 data={"ticket_id": ticket.id, "email": email})
    notices.ask_assessor(session, ticket, candidate.full_name, etype.name, token)
    return ticket


def open_ticket(session: Session, token: str,
                address: Optional[str]) -> tuple[Optional[AssessmentTicket], Optional[str]]:
    """The ticket behind a link, or the key of links.UNUSABLE saying why it cannot be used."""
    if links.too_many_bad(session, address):
        return None, "busy"
    ticket = session.scalar(sa.select(AssessmentTicket).where(
        AssessmentTicket.token_hash == links.digest(token)))
    if ticket is None:
        links.count(session, links.address_key("bad-link", address))
        return None, "unknown"
    if ticket.used_at is not None:
        return None, "used"
    if ticket.expires_at <= utcnow():
        return None, "expired"
    evidence = session.get(Evidence, ticket.evidence_id)
    if evidence is None or evidence.status not in ASSESSABLE:
        return None, "closed"
    return ticket, None


def _identity(identity: dict[str, str]) -> dict[str, str]:
    values = {key: (identity.get(key) or "").strip()
              for key in ("name", "role", "registration", "email")}
    values["email"] = values["email"].lower()
    problems = {}
    for key, message in (("name", "Enter your full name"), ("role", "Enter your role"),
                         ("registration",
                          "Enter your professional registration, like HCPC PH123456")):
        if not values[key]:
            problems[key] = message
    if not mail.address_ok(values["email"]):
        problems["email"] = "Enter your work email address"
    if problems:
        raise FeedbackError("Tell us who you are before you sign.", problems)
    return values


def sign(session: Session, ticket: AssessmentTicket, identity: dict[str, str],
         answers: dict[str, Any], expected_lock: int, today: dt.date) -> Signature:
    """Record the assessor's part and sign it: a frozen version, its hash, the signature."""
    who = _identity(identity)
    evidence = session.get(Evidence, ticket.evidence_id)
    assert evidence is not None
    etype = _type(session, evidence)
    specs = form_rules.fields_for(etype.definition, evidence.template_code, ["assessor"])
    own = {spec["code"]: answers.get(spec["code"]) for spec in specs}
    version = session.get(FrameworkVersion, etype.framework_version_id)
    problems = form_rules.check(specs, own, form_rules.scale_levels(version.document))
    if problems:
        raise FeedbackError("Complete the assessment before you sign it.", problems)
    used = session.execute(sa.update(AssessmentTicket).where(
        AssessmentTicket.id == ticket.id, AssessmentTicket.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False))
    moved = session.execute(sa.update(Evidence).where(
        Evidence.id == evidence.id, Evidence.lock_version == expected_lock,
        Evidence.status.in_(ASSESSABLE))
        .values(status="signed", fields={**(evidence.fields or {}), **own},
                lock_version=Evidence.lock_version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False))
    if used.rowcount != 1 or moved.rowcount != 1:
        raise FeedbackError("The item changed since you opened this page, or the link was "
                            "used. Nothing was signed; open the link again to see it as it is now.")
    session.refresh(evidence)
    session.refresh(ticket)
    frozen = freeze_version(session, evidence, etype.code)
    digest, number = frozen.content_hash, frozen.number
    signature = Signature(subject_type="evidence_version", subject_id=frozen.id, signer_id=None,
                          signer_name=who["name"][:200],
                          capacity=SignerCapacity.EXTERNAL_ASSESSOR.value,
                          acting_reason=f"{who['role']}; registration {who['registration']}",
                          content_hash=digest)
    session.add(signature)
    session.flush()
    ticket.assessor_name, ticket.assessor_role = who["name"][:200], who["role"][:200]
    ticket.assessor_registration = who["registration"][:100]
    ticket.assessor_email = who["email"][:320]
    ticket.signature_id = signature.id
    audit.record(session, "evidence.signed", actor_id=None, subject_type="evidence",
                 subject_id=evidence.id, enrolment_id=evidence.enrolment_id,
                 data={"signature_id": signature.id, "version": number,
                       "capacity": signature.capacity, "content_hash": digest, "signer_id": None,
                       "ticket_id": ticket.id, "assessor": {
                           "name": who["name"], "role": who["role"],
                           "registration": who["registration"], "email": who["email"]}})
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    candidate = session.get(User, enrolment.candidate_id) if enrolment else None
    notices.assessed(session, ticket, evidence,
                     candidate.full_name if candidate else "the candidate", etype.name)
    return signature


def external_signatures(session: Session, evidence_ids: list[int]) -> dict[int, Signature]:
    """The external assessor's signature of each item that has one, for badges on lists."""
    rows = session.execute(
        sa.select(EvidenceVersion.evidence_id, Signature)
        .join(Signature, sa.and_(Signature.subject_type == "evidence_version",
                                 Signature.subject_id == EvidenceVersion.id))
        .where(EvidenceVersion.evidence_id.in_(evidence_ids),
               Signature.capacity == SignerCapacity.EXTERNAL_ASSESSOR.value)).all()
    return {evidence_id: signature for evidence_id, signature in rows}

"""Assessment by ticket: a colleague without an account assesses and signs one WPBA."""
from __future__ import annotations

from typing import Any, Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.audit import service as audit
from roadmap.cohorts.models import Enrolment
from roadmap.db import utcnow
from roadmap.feedback import assessors, links, notices
from roadmap.feedback.errors import FeedbackError
from roadmap.feedback.models import AssessmentTicket
from roadmap.framework import definitions
from roadmap.framework.models import EvidenceType, FrameworkVersion
from roadmap.pid import PATIENT_DETAILS, check as pid_check
from roadmap.pid.check import PUBLIC_WORDS
from roadmap.portfolio import headings
from roadmap.portfolio.models import Evidence
from roadmap.supervision.errors import Conflict
from roadmap.supervision.external import ON_DEVICE
from roadmap.supervision.models import Signature, SignerCapacity
from roadmap.supervision.signing import Signer, sign_version

ASSESSABLE = ("draft", "returned", "submitted")
MAX_OPEN_TICKETS = 3  # per item at a time
CHANGED = ("The item changed since you opened this page, or the link was used. Nothing was "
           "signed; open the link again to see it as it is now.")


def _type(session: Session, evidence: Evidence) -> EvidenceType:
    etype = session.get(EvidenceType, evidence.evidence_type_id)
    assert etype is not None
    return etype


def ask(session: Session, evidence: Evidence, candidate: User, name: str, email: str,
        domains: Iterable[str]) -> AssessmentTicket:
    """Email a colleague a single-use link to assess this WPBA; never to the candidate."""
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    if enrolment is None or enrolment.candidate_id != candidate.id:
        raise FeedbackError("Only the candidate can ask for an assessment.")
    etype = _type(session, evidence)
    if not etype.is_wpba or evidence.status not in ASSESSABLE:
        raise FeedbackError("Only a WPBA that is not yet signed can be assessed by link.")
    name, address = assessors.clean_text(name), assessors.parse_address(email)
    problems = {}
    if not name:
        problems["name"] = "Enter the assessor's name"
    if address is None:
        problems["email"] = "Enter a work email address, like name@nhs.net"
    else:
        refused = assessors.address_problem(session, candidate, address, domains)
        if refused:
            problems["email"] = refused
    if problems:
        raise FeedbackError("Check the assessor's details.", problems)
    assert address is not None
    waiting = session.scalar(sa.select(sa.func.count()).select_from(AssessmentTicket).where(
        AssessmentTicket.evidence_id == evidence.id, AssessmentTicket.used_at.is_(None),
        AssessmentTicket.expires_at > utcnow())) or 0
    if waiting >= MAX_OPEN_TICKETS:
        raise FeedbackError(f"{waiting} links for this item are still waiting to be used.")
    token = links.new_token()
    ticket = AssessmentTicket(evidence_id=evidence.id, invited_name=name, invited_email=address,
                              token_hash=links.digest(token), expires_at=links.expiry(),
                              created_by_id=candidate.id)
    session.add(ticket)
    session.flush()
    audit.record(session, "feedback.assessor_asked", actor_id=candidate.id, subject_type="evidence",
                 subject_id=evidence.id, enrolment_id=enrolment.id,
                 data={"ticket_id": ticket.id, "email": address})
    notices.ask_assessor(session, ticket, candidate.full_name, etype.name, token)
    return ticket


def wpba_type(session: Session, evidence: Evidence) -> Optional[EvidenceType]:
    """The item's type when it is a WPBA, which a colleague may be asked to assess; else None."""
    etype = _type(session, evidence)
    return etype if etype.is_wpba else None


def ticket_item(session: Session, ticket: AssessmentTicket) -> Evidence:
    """The item a ticket asks to have assessed."""
    evidence = session.get(Evidence, ticket.evidence_id)
    assert evidence is not None
    return evidence


def _candidate(session: Session, evidence: Evidence) -> User:
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    candidate = session.get(User, enrolment.candidate_id) if enrolment else None
    assert candidate is not None
    return candidate


def open_ticket(session: Session, token: str, address: Optional[str], domains: Iterable[str],
                on_device: bool = False) -> tuple[Optional[AssessmentTicket], Optional[str]]:
    """The ticket behind a link, or the key of links.UNUSABLE saying why it cannot be used.

    An on-device assessment's link only confirms it (`on_device`), and an emailed ticket's
    only opens the form: neither opens the other's pages. The address the link went to is
    checked again: settings change, and an address can have become the candidate's since the
    link was sent.
    """
    if links.too_many_bad(session, address):
        return None, "busy"
    ticket = session.scalar(sa.select(AssessmentTicket).where(
        AssessmentTicket.token_hash == links.digest(token)))
    if ticket is None or ticket.on_device != on_device:
        links.count_bad(address)
        return None, "unknown"
    if ticket.used_at is not None:
        return None, "used"
    if ticket.withdrawn_at is not None:
        return None, "withdrawn"
    if ticket.expires_at <= utcnow():
        return None, "expired"
    evidence = session.get(Evidence, ticket.evidence_id)
    if evidence is None or evidence.status not in ASSESSABLE:
        return None, "closed"
    if assessors.address_problem(session, _candidate(session, evidence), ticket.invited_email,
                                 domains):
        return None, "refused"
    return ticket, None


def declaration(candidate_name: str) -> str:
    """The words an external assessor confirms as they sign."""
    return (f"I observed this work myself, the assessment is my own, and I am not "
            f"{candidate_name}.")


def _identity(session: Session, candidate: User, ticket: AssessmentTicket,
              identity: dict[str, Any], domains: tuple[str, ...],
              declared: bool = True) -> dict[str, str]:
    """Who the assessor says they are, checked; {field: message} problems are raised.

    The declaration is made as they sign (`declared`); before, on the way to the page that
    reads their answers back, it is not asked for yet.
    """
    values = {key: assessors.clean_text(identity.get(key)) for key in ("name", "role")}
    problems: dict[str, str] = {}
    if len(values["name"]) < 2:
        problems["name"] = "Enter your full name"
    if len(values["role"]) < 2:
        problems["role"] = "Enter your job title or role"
    found, body, number = assessors.registration_problem(
        identity.get("registration_body"), identity.get("registration_other"),
        identity.get("registration_number"))
    problems.update(found)
    accounts = assessors.candidate_accounts(session, candidate)
    address = assessors.parse_address(identity.get("email"))
    if not found and assessors.same_registration(accounts, body, number):
        problems["registration_number"] = (f"This is {candidate.full_name}'s own registration. "
                                           "Someone else must assess their work.")
    elif not found and any(user.email.lower() not in {address, ticket.invited_email.lower()}
                           for user in assessors.registered(session, number)):
        # A registration held by a Roadmap account is that person's: only they sign with it.
        problems["registration_number"] = ("This registration belongs to someone with a Roadmap "
                                           "account under another email address. Sign with your "
                                           "own registration number.")
    if address is None:
        problems["email"] = "Enter your work email address, like name@nhs.net"
    else:
        refused = assessors.address_problem(session, candidate, address, domains)
        if refused:
            problems["email"] = ("You cannot sign with this address: "
                                 + refused[0].lower() + refused[1:])
    if declared and not identity.get("declaration"):
        problems["declaration"] = "Confirm that you observed this and that you are not the candidate"
    if problems:
        raise FeedbackError("Tell us who you are before you sign.", problems)
    if assessors.address_problem(session, candidate, ticket.invited_email, domains):
        raise FeedbackError("This link can no longer be used to sign. Nothing was signed.")
    return {**values, "body": body, "number": number, "email": address or "",
            "registration": f"{body} {number}"}


def _assessment(session: Session, evidence: Evidence, etype: EvidenceType,
                answers: dict[str, Any]) -> dict[str, Any]:
    """The assessor's answers among those given (a grade for each heading the candidate
    tagged, where the type asks for one), checked; problems by question are raised."""
    specs = definitions.fields(etype.definition, evidence.template_code, [definitions.ASSESSOR],
                               headings.tagged(session, evidence.id))
    own = {spec["code"]: answers.get(spec["code"]) for spec in specs}
    version = session.get(FrameworkVersion, etype.framework_version_id)
    problems = definitions.check(specs, own, definitions.scale_levels(version.document))
    if problems:
        raise FeedbackError("Complete the assessment before you sign it.", problems)
    return own


def assessor_texts(session: Session, evidence: Evidence,
                   answers: dict[str, Any]) -> dict[str, str]:
    """The assessor's free-text answers by question code: what the patient check reads."""
    specs = definitions.fields(_type(session, evidence).definition, evidence.template_code,
                               [definitions.ASSESSOR], headings.tagged(session, evidence.id))
    return {spec["code"]: answers[spec["code"]] for spec in specs
            if definitions.is_free_text(spec) and isinstance(answers.get(spec["code"]), str)}


def _pid_checked(session: Session, evidence: Evidence, answers: dict[str, Any],
                 identity: dict[str, Any]) -> dict[str, Any]:
    """The findings in the assessor's text; refused, beside each question, in plain words,
    until they tick that nobody could tell who the patient is."""
    found = pid_check.flagged(assessor_texts(session, evidence, answers))
    if found and not identity.get("confirm_pid"):
        raise FeedbackError(PATIENT_DETAILS, pid_check.messages(found, PUBLIC_WORDS))
    return found


def check_answers(session: Session, ticket: AssessmentTicket, identity: dict[str, Any],
                  answers: dict[str, Any], domains: Iterable[str],
                  kept: Optional[dict[str, list[str]]] = None) -> None:
    """Check the assessment and who the assessor says they are, before the page that reads
    them back; `kept` (the form as posted) is then kept on the ticket until they sign. Text
    that may identify a patient is refused (PATIENT_DETAILS) until they confirm it does not."""
    evidence = ticket_item(session, ticket)
    problems: dict[str, str] = {}
    for check in (lambda: _identity(session, _candidate(session, evidence), ticket, identity,
                                    tuple(domains), declared=False),
                  lambda: _assessment(session, evidence, _type(session, evidence), answers)):
        try:
            check()
        except FeedbackError as error:
            if not error.problems:
                raise
            problems.update(error.problems)
    if problems:
        raise FeedbackError("Check your answers.", problems)
    _pid_checked(session, evidence, answers, identity)
    if kept is not None:
        ticket.draft = kept


def signed_ticket(session: Session, token: str) -> Optional[AssessmentTicket]:
    """The ticket behind a link that was used to sign, if it was: a second click on "Sign"
    is told the assessment is signed, not that the link is spent."""
    ticket = session.scalar(sa.select(AssessmentTicket).where(
        AssessmentTicket.token_hash == links.digest(token)))
    return ticket if ticket is not None and ticket.signature_id is not None else None


def assessor_part(session: Session, ticket: AssessmentTicket, identity: dict[str, Any],
                  answers: dict[str, Any], domains: Iterable[str]
                  ) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
    """Everything signing checks, declaration included: (who, their answers, the patient
    check's findings); problems are raised, by field where they have one."""
    evidence = ticket_item(session, ticket)
    problems: dict[str, str] = {}
    checked: list[Any] = []
    for check in (lambda: _identity(session, _candidate(session, evidence), ticket, identity,
                                    tuple(domains)),
                  lambda: _assessment(session, evidence, _type(session, evidence), answers)):
        try:
            checked.append(check())
        except FeedbackError as error:
            if not error.problems:
                raise
            problems.update(error.problems)
    if problems:
        raise FeedbackError("Check your answers.", problems)
    return checked[0], checked[1], _pid_checked(session, evidence, answers, identity)


def sign(session: Session, ticket: AssessmentTicket, identity: dict[str, Any],
         answers: dict[str, Any], expected_lock: int, domains: Iterable[str]) -> Signature:
    """Record the assessor's part and sign it through supervision's one signing path."""
    evidence = session.get(Evidence, ticket.evidence_id)
    assert evidence is not None
    candidate = _candidate(session, evidence)
    who = _identity(session, candidate, ticket, identity, tuple(domains))
    etype = _type(session, evidence)
    own = _assessment(session, evidence, etype, answers)
    found = _pid_checked(session, evidence, answers, identity)
    used = session.execute(sa.update(AssessmentTicket).where(
        AssessmentTicket.id == ticket.id, AssessmentTicket.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False))
    words = declaration(candidate.full_name)
    signer = Signer(who["name"], SignerCapacity.EXTERNAL_ASSESSOR,
                    acting_reason=f"{who['role']}; registration {who['registration']}"
                    + (f"; {ON_DEVICE}" if ticket.on_device else ""),
                    role=who["role"], registration_body=who["body"],
                    registration_number=who["number"], declaration=words)
    noted = {"ticket_id": ticket.id, "invited_email": ticket.invited_email,
             "on_device": ticket.on_device,
             "assessor": {"name": who["name"], "role": who["role"],
                          "registration_body": who["body"], "registration_number": who["number"],
                          "email": who["email"], "declaration": words}}
    if used.rowcount != 1:
        raise FeedbackError(CHANGED)
    try:
        signature = sign_version(session, evidence, etype.code, signer,
                                 {**(evidence.fields or {}), **own}, expected_lock, ASSESSABLE,
                                 noted)
    except Conflict:
        raise FeedbackError(CHANGED) from None
    session.refresh(ticket)
    ticket.assessor_name, ticket.assessor_role = who["name"], who["role"]
    ticket.assessor_registration = who["registration"][:100]
    ticket.assessor_email = who["email"][:320]
    ticket.signature_id = signature.id
    ticket.draft = None  # signed: the answers are the item's now
    if found:
        audit.record(session, "assessment.pid_confirmed", subject_type="evidence",
                     subject_id=evidence.id, enrolment_id=evidence.enrolment_id,
                     data={**pid_check.audit_data(found), "ticket_id": ticket.id})
    notices.assessed(session, ticket, evidence, candidate.full_name, etype.name)
    return signature


"""A supervisor assesses an item: sign it (through the one signing path) or return it."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import mail
from roadmap.accounts.models import User
from roadmap.audit import service as audit
from roadmap.cohorts.models import Enrolment
from roadmap.framework import definitions
from roadmap.framework.models import EvidenceType, FrameworkVersion
from roadmap.pid import PATIENT_DETAILS, check as pid_check
from roadmap.portfolio import headings, staff
from roadmap.portfolio.models import Evidence, EvidenceComment, EvidenceVersion
from roadmap.supervision.capacity import item_capacity
from roadmap.supervision.errors import Conflict, Incomplete, NotAllowed
from roadmap.supervision.models import Signature, SignerCapacity
from roadmap.supervision.signing import WAITING, Signer, move, sign_version


def _load(session: Session, evidence_id: int) -> tuple[Evidence, EvidenceType, Enrolment]:
    evidence = session.get(Evidence, evidence_id)
    if evidence is None:
        raise NotAllowed("This item does not exist.")
    etype = session.get(EvidenceType, evidence.evidence_type_id)
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    assert etype is not None and enrolment is not None
    return evidence, etype, enrolment


def _scales(session: Session, version_id: int) -> dict[str, list[str]]:
    document = session.scalar(sa.select(FrameworkVersion.document)
                              .where(FrameworkVersion.id == version_id))
    return definitions.scale_levels(document or {})


def assessor_fields(session: Session, evidence: Evidence,
                    etype: EvidenceType) -> list[dict[str, Any]]:
    """The assessor's questions of an item: its form's, and a grade for each heading the
    candidate tagged where the type asks for one."""
    return definitions.fields(etype.definition, evidence.template_code, [definitions.ASSESSOR],
                              headings.tagged(session, evidence.id))


def assessor_part(session: Session, evidence: Evidence, etype: EvidenceType,
                  answers: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The assessor's answers among those given, and what is missing or wrong in them."""
    specs = assessor_fields(session, evidence, etype)
    own = {spec["code"]: answers.get(spec["code"]) for spec in specs}
    return own, definitions.check(specs, own, _scales(session, etype.framework_version_id))


def assessor_texts(session: Session, evidence_id: int,
                   answers: dict[str, Any]) -> dict[str, str]:
    """The assessor's free-text answers (feedback, justifications), by question code: what the
    patient-identifier check reads before anything is signed."""
    evidence, etype, _enrolment = _load(session, evidence_id)
    return {spec["code"]: answers[spec["code"]] for spec in assessor_fields(session, evidence, etype)
            if definitions.is_free_text(spec) and isinstance(answers.get(spec["code"]), str)}


def pid_found(session: Session, evidence_id: int, answers: dict[str, Any]) -> dict[str, Any]:
    """The findings in the assessor's text, by question code: never the name of the candidate,
    a supervisor or an assessor of this portfolio ("Observed by <the candidate>")."""
    evidence = session.get(Evidence, evidence_id)
    known = staff.known_people(session, evidence.enrolment_id) if evidence else []
    return pid_check.flagged(assessor_texts(session, evidence_id, answers), known)


def _pid_checked(session: Session, evidence_id: int, answers: dict[str, Any],
                 pid_confirmed: bool) -> dict[str, Any]:
    """The findings in the assessor's text; Incomplete, beside each field, until confirmed."""
    found = pid_found(session, evidence_id, answers)
    if found and not pid_confirmed:
        raise Incomplete(PATIENT_DETAILS, pid_check.messages(found))
    return found


def _assessor_codes(etype: EvidenceType, template: Optional[str]) -> set[str]:
    return {f["code"] for f in definitions.fields(etype.definition, template, ["assessor"])}


def check_assessment(session: Session, evidence_id: int, signer: User, answers: dict[str, Any],
                     today: dt.date, *, pid_confirmed: bool = False) -> SignerCapacity:
    """Whether these answers could be signed now, before the supervisor is asked to confirm:
    the capacity they would sign in; Incomplete names what is missing, beside its question,
    and (as PATIENT_DETAILS) text that may identify a patient until the supervisor confirms
    that it does not."""
    evidence, etype, enrolment = _load(session, evidence_id)
    capacity = item_capacity(session, signer, enrolment.id, today)
    if evidence.status not in WAITING:
        raise Conflict(f"This item is no longer waiting for assessment: it is now "
                       f"{evidence.status.replace('_', ' ')}. Nothing you entered was signed.")
    _own, problems = assessor_part(session, evidence, etype, answers)
    if problems:
        raise Incomplete("Complete the assessment before you sign it.", problems)
    _pid_checked(session, evidence_id, answers, pid_confirmed)
    return capacity


def sign_evidence(session: Session, evidence_id: int, signer: User, answers: dict[str, Any],
                  expected_lock: int, today: dt.date, *, pid_confirmed: bool = False) -> Signature:
    """Record the assessor's answers and sign: a frozen version, its hash, the signature.

    Text that may identify a patient is signed only once the supervisor confirmed it does
    not; the confirmation is audited with the fields and kinds found, never the text."""
    evidence, etype, enrolment = _load(session, evidence_id)
    capacity = item_capacity(session, signer, enrolment.id, today)
    own, problems = assessor_part(session, evidence, etype, answers)
    if problems:
        raise Incomplete("Complete the assessment before you sign it.", problems)
    found = _pid_checked(session, evidence_id, answers, pid_confirmed)
    signature = sign_version(session, evidence, etype.code,
                             Signer(signer.full_name, capacity, signer.id),
                             {**evidence.fields, **own}, expected_lock)
    if found:
        audit.record(session, "assessment.pid_confirmed", actor_id=signer.id,
                     subject_type="evidence", subject_id=evidence.id, enrolment_id=enrolment.id,
                     data=pid_check.audit_data(found))
    _tell_candidate(session, enrolment, f"{signer.full_name} signed “{evidence.title}”",
                    f"{signer.full_name} has assessed and signed your {etype.name}, "
                    f"“{evidence.title}”. You can read their feedback in your portfolio.")
    return signature


def signed_by(session: Session, evidence_id: int, user_id: int) -> Optional[dt.datetime]:
    """When the person last signed a version of the item, or None: a repeated confirmation (a
    double click, a page sent again) is told so, and when, rather than refused as an error."""
    return session.scalar(
        sa.select(sa.func.max(Signature.signed_at))
        .join(EvidenceVersion, sa.and_(Signature.subject_type == "evidence_version",
                                       Signature.subject_id == EvidenceVersion.id))
        .where(EvidenceVersion.evidence_id == evidence_id, Signature.signer_id == user_id))


def return_evidence(session: Session, evidence_id: int, supervisor: User, comment: str,
                    expected_lock: int, today: dt.date, *, pid_confirmed: bool = False) -> None:
    """Send a submitted item back to the candidate with a comment saying what to change.

    A comment that may identify a patient is refused (PATIENT_DETAILS) until the supervisor
    confirms it does not; the confirmation is audited, fields and kinds only."""
    evidence, etype, enrolment = _load(session, evidence_id)
    item_capacity(session, supervisor, enrolment.id, today)
    comment = (comment or "").strip()
    if not comment:
        raise Incomplete("Say what the candidate should change.",
                         {"comment": "Enter a comment for the candidate"})
    found = pid_check.flagged({"comment": comment})
    if found and not pid_confirmed:
        raise Incomplete(PATIENT_DETAILS, pid_check.messages(found))
    if found:
        audit.record(session, "evidence.return_pid_confirmed", actor_id=supervisor.id,
                     subject_type="evidence", subject_id=evidence.id, enrolment_id=enrolment.id,
                     data=pid_check.audit_data(found))
    move(session, evidence, expected_lock, "returned", evidence.fields)
    session.add(EvidenceComment(evidence_id=evidence.id, author_id=supervisor.id, kind="return",
                                body=comment))
    audit.record(session, "evidence.returned", actor_id=supervisor.id, subject_type="evidence",
                 subject_id=evidence.id, enrolment_id=enrolment.id,
                 data={"comment_length": len(comment)})  # the text is on the comment, not here
    _tell_candidate(session, enrolment, f"“{evidence.title}” was returned to you",
                    f"{supervisor.full_name} returned your {etype.name}, “{evidence.title}”, "
                    f"with this comment:\n\n{comment}\n\nEdit it in your portfolio and submit it again.")


def start_observed(session: Session, enrolment_id: int, supervisor: User, type_code: str,
                   title: str, occurred_on: Optional[dt.date], answers: dict[str, Any],
                   today: dt.date, *, pid_confirmed: bool = False) -> Evidence:
    """A supervisor records a WPBA they observed; the candidate adds their part and submits.

    The title and the supervisor's free text are checked for patient identifiers here, where
    the supervisor writes them (the candidate's submit checks only the candidate's part)."""
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None:
        raise NotAllowed("This candidate does not exist.")
    item_capacity(session, supervisor, enrolment.id, today)
    etype = session.scalar(sa.select(EvidenceType).where(
        EvidenceType.framework_version_id == enrolment.framework_version_id,
        EvidenceType.code == type_code, EvidenceType.is_wpba.is_(True)))
    if etype is None:
        raise Incomplete("Choose a kind of WPBA.", {"type_code": "Choose a kind of WPBA"})
    if definitions.templates(etype.definition):
        raise Incomplete("This kind of evidence has templates; the candidate starts it.",
                         {"type_code": "Choose a WPBA without templates"})
    own = {code: answers.get(code) for code in _assessor_codes(etype, None)}
    problems = definitions.check(definitions.fields(etype.definition, None, ["assessor"]),
                                 own, _scales(session, etype.framework_version_id))
    if not title.strip():
        problems["title"] = "Enter a title"
    if problems:
        raise Incomplete("Complete the assessment first.", problems)
    specs = definitions.fields(etype.definition, None, ["assessor"])
    found = pid_check.flagged({"title": title.strip(), **{
        spec["code"]: own[spec["code"]] for spec in specs if definitions.is_free_text(spec)}})
    if found and not pid_confirmed:
        raise Incomplete(PATIENT_DETAILS, pid_check.messages(found))
    evidence = Evidence(enrolment_id=enrolment.id, evidence_type_id=etype.id, title=title.strip(),
                        occurred_on=occurred_on, fields=own, status="draft",
                        created_by_id=supervisor.id)
    session.add(evidence)
    session.flush()
    audit.record(session, "evidence.started_by_supervisor", actor_id=supervisor.id,
                 subject_type="evidence", subject_id=evidence.id, enrolment_id=enrolment.id,
                 data={"type": etype.code})
    if found:
        audit.record(session, "assessment.pid_confirmed", actor_id=supervisor.id,
                     subject_type="evidence", subject_id=evidence.id, enrolment_id=enrolment.id,
                     data=pid_check.audit_data(found))
    _tell_candidate(session, enrolment,
                    f"{supervisor.full_name} recorded a {definitions.short_name(etype)}",
                    f"{supervisor.full_name} recorded the {etype.name} “{evidence.title}” they "
                    "observed. Add your part and submit it for them to sign.")
    return evidence


def _tell_candidate(session: Session, enrolment: Enrolment, subject: str, body: str) -> None:
    candidate = session.get(User, enrolment.candidate_id)
    if candidate is not None and candidate.is_active:
        mail.queue(session, candidate.email, subject,
                   f"Dear {candidate.full_name},\n\n{body}\n\nRoadmap\n")

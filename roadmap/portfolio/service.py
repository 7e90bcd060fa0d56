"""The candidate's side of evidence: create, edit, link, submit. Flushes, never commits.

A signed item keeps its signed snapshot (rule D8): editing it changes the live fields and marks
it "changed since signed"; the EvidenceVersion and Signature rows are never touched, and its
capability links are frozen.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from roadmap import mail
from roadmap.accounts.models import User
from roadmap.audit.service import record
from roadmap.cohorts.models import Enrolment
from roadmap.db import utcnow
from roadmap.framework import definitions
from roadmap.framework.models import Capability, EvidenceType, Outcome
from roadmap.portfolio import pid, staff
from roadmap.portfolio.models import (Attachment, Evidence, EvidenceCapability, EvidenceStatus,
                                      FormSubmission)
from roadmap.readers.team import supervising
from roadmap.supervision.models import SupervisorAssignment

SIGNED_ONCE = {EvidenceStatus.SIGNED.value, EvidenceStatus.CHANGED_SINCE_SIGNED.value}
SUBMITTABLE = {EvidenceStatus.DRAFT.value, EvidenceStatus.RETURNED.value,
               EvidenceStatus.CHANGED_SINCE_SIGNED.value}


class PortfolioError(ValueError):
    """A rule refused the change; the message is for the candidate."""


class StaleForm(PortfolioError):
    """The item changed since the form was opened."""


@dataclass(frozen=True)
class Links:
    """Capability headings an item is linked to, each with an optional outcome."""

    capability_ids: tuple[int, ...]
    outcomes: dict[int, int]  # capability id -> outcome id


def claim_form_token(session: Session, user: User, token: str) -> Optional[FormSubmission]:
    """Record a form's one-time token; return the earlier submission if it was used already."""
    if not token:
        return None
    earlier = session.get(FormSubmission, token)
    if earlier is not None:
        return earlier
    claim = FormSubmission(token=token[:64], user_id=user.id)
    try:
        with session.begin_nested():
            session.add(claim)
    except IntegrityError:  # the twin request claimed it a moment ago
        return session.get(FormSubmission, token)
    return None


def evidence_types(session: Session, enrolment: Enrolment) -> list[EvidenceType]:
    """The evidence types of the enrolment's framework version, in the framework's order."""
    return list(session.scalars(sa.select(EvidenceType).where(
        EvidenceType.framework_version_id == enrolment.framework_version_id)
        .order_by(EvidenceType.position)))


def capabilities(session: Session, enrolment: Enrolment) -> list[Capability]:
    """The capability headings of the enrolment's framework version."""
    return list(session.scalars(sa.select(Capability).where(
        Capability.framework_version_id == enrolment.framework_version_id)
        .order_by(Capability.position)))


def outcomes_by_capability(session: Session, enrolment: Enrolment) -> dict[int, list[Outcome]]:
    """The outcome descriptors of each heading that has them, in one statement."""
    rows = session.scalars(sa.select(Outcome).join(Capability, Capability.id == Outcome.capability_id)
                           .where(Capability.framework_version_id == enrolment.framework_version_id)
                           .order_by(Outcome.capability_id, Outcome.position))
    found: dict[int, list[Outcome]] = {}
    for outcome in rows:
        found.setdefault(outcome.capability_id, []).append(outcome)
    return found


def _check_links(session: Session, enrolment: Enrolment, evidence_type: EvidenceType,
                 links: Links) -> None:
    """Links must be headings (and outcomes of those headings) of the enrolment's own version."""
    known = {c.id for c in capabilities(session, enrolment)}
    if not set(links.capability_ids) <= known:
        raise PortfolioError("Choose capability headings from your own roadmap")
    outcomes = outcomes_by_capability(session, enrolment)
    for capability_id, outcome_id in links.outcomes.items():
        if capability_id not in links.capability_ids or \
                outcome_id not in {o.id for o in outcomes.get(capability_id, [])}:
            raise PortfolioError("Choose outcomes of the headings you linked")
    most = evidence_type.definition.get("max_capabilities")
    if most is not None and len(links.capability_ids) > most:
        raise PortfolioError(f"Link at most {most} capability headings to this kind of evidence")


def _write_links(session: Session, evidence: Evidence, actor: User, links: Links) -> None:
    session.execute(sa.delete(EvidenceCapability).where(EvidenceCapability.evidence_id == evidence.id))
    session.add_all(EvidenceCapability(evidence_id=evidence.id, capability_id=cid,
                                       outcome_id=links.outcomes.get(cid), linked_by_id=actor.id)
                    for cid in links.capability_ids)
    session.flush()


def current_links(session: Session, evidence: Evidence) -> Links:
    """The item's links as they stand."""
    rows = session.execute(sa.select(EvidenceCapability.capability_id, EvidenceCapability.outcome_id)
                           .where(EvidenceCapability.evidence_id == evidence.id)).all()
    return Links(tuple(sorted(r[0] for r in rows)), {r[0]: r[1] for r in rows if r[1]})


def create_evidence(session: Session, enrolment: Enrolment, actor: User,
                    evidence_type: EvidenceType, template_code: Optional[str], title: str,
                    occurred_on: Optional[dt.date], answers: dict[str, Any],
                    links: Links) -> Evidence:
    """A new draft item of a type of the enrolment's framework version."""
    if evidence_type.framework_version_id != enrolment.framework_version_id:
        raise PortfolioError("This kind of evidence is not part of your roadmap")
    if definitions.templates(evidence_type.definition) and \
            definitions.template_named(evidence_type.definition, template_code) is None:
        raise PortfolioError("Choose a template")
    _check_links(session, enrolment, evidence_type, links)
    evidence = Evidence(enrolment_id=enrolment.id, evidence_type_id=evidence_type.id,
                        title=title, occurred_on=occurred_on, template_code=template_code,
                        fields=answers, status=EvidenceStatus.DRAFT.value,
                        created_by_id=actor.id)
    session.add(evidence)
    session.flush()
    _write_links(session, evidence, actor, links)
    record(session, "evidence.created", actor_id=actor.id, subject_type="evidence",
           subject_id=evidence.id, enrolment_id=enrolment.id,
           data={"type": evidence_type.code, "template": template_code})
    return evidence


def update_evidence(session: Session, evidence: Evidence, actor: User, lock_version: int,
                    title: str, occurred_on: Optional[dt.date], answers: dict[str, Any],
                    links: Links) -> Evidence:
    """Save the candidate's answers; refuse a stale form; a signed item becomes changed."""
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    evidence_type = session.get(EvidenceType, evidence.evidence_type_id)
    assert enrolment is not None and evidence_type is not None
    before = current_links(session, evidence)
    links_changed = (set(before.capability_ids) != set(links.capability_ids)
                     or before.outcomes != links.outcomes)
    if links_changed and evidence.status in SIGNED_ONCE:
        raise PortfolioError("This item has been signed, so its capability links cannot change. "
                             "Create a new item to link other headings")
    if links_changed:
        _check_links(session, enrolment, evidence_type, links)
    # Only the candidate's answers the form asked change; the assessor's, and any the form did
    # not ask (a reflection on results not released yet), stay as they were.
    own = {f["code"] for f in definitions.fields(evidence_type.definition, evidence.template_code,
                                                 [definitions.CANDIDATE])}
    merged = {k: v for k, v in (evidence.fields or {}).items() if k not in own or k not in answers}
    merged.update({k: v for k, v in answers.items() if k in own})
    status = (EvidenceStatus.CHANGED_SINCE_SIGNED.value if evidence.status in SIGNED_ONCE
              else evidence.status)
    result = session.execute(
        sa.update(Evidence).where(Evidence.id == evidence.id,
                                  Evidence.lock_version == lock_version)
        .values(title=title, occurred_on=occurred_on, fields=merged, status=status,
                updated_at=utcnow(), lock_version=Evidence.lock_version + 1)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise StaleForm("This item was changed in another window or by someone else since you "
                        "opened it. Your answers are below: check them against the saved item "
                        "and save again to keep them")
    session.refresh(evidence)
    if links_changed:
        _write_links(session, evidence, actor, links)
    record(session, "evidence.updated", actor_id=actor.id, subject_type="evidence",
           subject_id=evidence.id, enrolment_id=evidence.enrolment_id,
           data={"status": status, "links_changed": links_changed,
                 "lock_version": evidence.lock_version})
    return evidence


def current_supervisors(session: Session, enrolment: Enrolment,
                        today: dt.date) -> list[tuple[User, str]]:
    """The primary and backup supervisors current today, primary first, with their kind.

    Never the educational supervisor: nothing is submitted to them, as they sign nothing.
    """
    rows = session.execute(
        sa.select(User, SupervisorAssignment.kind)
        .join(SupervisorAssignment, SupervisorAssignment.supervisor_id == User.id)
        .where(SupervisorAssignment.enrolment_id == enrolment.id,
               supervising(today))
        .order_by(SupervisorAssignment.kind.desc(), User.full_name)).all()
    seen: dict[int, tuple[User, str]] = {}
    for user, kind in rows:
        seen.setdefault(user.id, (user, kind))
    return list(seen.values())


def missing_answers(evidence: Evidence, evidence_type: EvidenceType, links: Links,
                    attachment_count: int) -> list[str]:
    """What the candidate must still complete before submitting, in their words."""
    problems = []
    for field in definitions.fields(evidence_type.definition, evidence.template_code,
                                    [definitions.CANDIDATE]):
        if field.get("required") and evidence.fields.get(field["code"]) in (None, "", []):
            problems.append(f"Answer \u201c{field['label']}\u201d")
    least = evidence_type.definition.get("min_capabilities") or 1
    if len(links.capability_ids) < least:
        problems.append(f"Link at least {least} capability heading" + ("s" if least > 1 else ""))
    if definitions.attachments_rule(evidence_type) == "required" and attachment_count == 0:
        problems.append("Attach the certificate or document")
    if evidence.occurred_on is None:
        problems.append("Give the date")
    return problems


def pid_findings(evidence: Evidence, evidence_type: EvidenceType,
                 known: tuple[str, ...] = ()) -> list[tuple[dict[str, Any], str, list[pid.Finding]]]:
    """(field, text, findings) for each free-text answer (and the title) with a finding; names
    in `known` (staff.known_people: the candidate, supervisors, assessors) are never findings."""
    result = []
    title_findings = pid.scan(evidence.title, known)
    if title_findings:
        result.append(({"code": "title", "label": "Title"}, evidence.title, title_findings))
    for field in definitions.fields(evidence_type.definition, evidence.template_code,
                                    [definitions.CANDIDATE]):
        text = evidence.fields.get(field["code"])
        if definitions.is_free_text(field) and isinstance(text, str):
            found = pid.scan(text, known)
            if found:
                result.append((field, text, found))
    return result


def submit(session: Session, evidence: Evidence, actor: User, supervisor_id: int,
           lock_version: int, today: dt.date, pid_confirmed: bool, link: str) -> Evidence:
    """Send the item to a current supervisor, once its answers and the PID check are done."""
    if evidence.status not in SUBMITTABLE:
        raise PortfolioError("This item is already with a supervisor")
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    evidence_type = session.get(EvidenceType, evidence.evidence_type_id)
    assert enrolment is not None and evidence_type is not None
    supervisors = {user.id: (user, kind) for user, kind in current_supervisors(session, enrolment, today)}
    if supervisor_id not in supervisors:
        raise PortfolioError("Choose one of your current supervisors")
    attachments = evidence_attachment_count(session, evidence)
    missing = missing_answers(evidence, evidence_type, current_links(session, evidence), attachments)
    if missing:
        raise PortfolioError("Complete the item before you submit it: " + "; ".join(missing))
    findings = pid_findings(evidence, evidence_type,
                            tuple(staff.known_people(session, evidence.enrolment_id)))
    if findings and not pid_confirmed:
        raise PortfolioError("Edit the highlighted text, or confirm that none of it identifies a patient")
    if findings:
        record(session, "evidence.pid_confirmed", actor_id=actor.id, subject_type="evidence",
               subject_id=evidence.id, enrolment_id=evidence.enrolment_id,
               data={"findings": [{"field": f["code"], "kind": x.kind}
                                  for f, _text, found in findings for x in found]})
    result = session.execute(
        sa.update(Evidence).where(Evidence.id == evidence.id, Evidence.lock_version == lock_version)
        .values(status=EvidenceStatus.SUBMITTED.value, submitted_to_id=supervisor_id,
                submitted_at=utcnow(), lock_version=Evidence.lock_version + 1)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise StaleForm("This item changed since you opened this page. Check it and submit again")
    session.refresh(evidence)
    supervisor, kind = supervisors[supervisor_id]
    record(session, "evidence.submitted", actor_id=actor.id, subject_type="evidence",
           subject_id=evidence.id, enrolment_id=evidence.enrolment_id,
           data={"supervisor_id": supervisor_id, "capacity": kind, "type": evidence_type.code})
    mail.queue(session, supervisor.email, f"{actor.full_name} sent you evidence to review",
               f"{actor.full_name} has submitted \u201c{evidence.title}\u201d "
               f"({evidence_type.name}) for you to review: {link}\n")
    return evidence


def evidence_attachment_count(session: Session, evidence: Evidence) -> int:
    """How many files are attached to the item."""
    return session.scalar(sa.select(sa.func.count()).select_from(Attachment)
                          .where(Attachment.evidence_id == evidence.id)) or 0


"""The candidate's side of the learning needs analysis: begin it, save a draft, add files, send it.

Functions flush and append the audit event in the caller's transaction; they never commit.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.audit.service import record
from roadmap.cohorts.models import Enrolment
from roadmap.db import utcnow
from roadmap.framework import definitions
from roadmap.framework.models import EvidenceType, FrameworkVersion
from roadmap.lna import definition
from roadmap.lna.models import LearningNeedsAnalysis, LnaStatus
from roadmap.portfolio import attachments, autosave, pid, service as portfolio
from roadmap.portfolio.models import Attachment, Evidence

SUBJECT = "learning_needs_analysis"


class LnaError(ValueError):
    """A rule refused the change: the message, and a message per form field to show beside it."""

    def __init__(self, message: str, problems: Optional[Mapping[str, str]] = None) -> None:
        super().__init__(message)
        self.problems = dict(problems or {})


class StaleForm(LnaError):
    """The analysis changed since the form was opened."""


def document(session: Session, enrolment: Enrolment) -> dict[str, Any]:
    """The framework document the enrolment is pinned to."""
    version = session.get(FrameworkVersion, enrolment.framework_version_id)
    assert version is not None
    return version.document


def analysis_of(session: Session, enrolment: Enrolment) -> Optional[LearningNeedsAnalysis]:
    """The enrolment's analysis, if it has begun."""
    return session.scalar(sa.select(LearningNeedsAnalysis)
                          .where(LearningNeedsAnalysis.enrolment_id == enrolment.id))


def start(session: Session, enrolment: Enrolment, candidate: User) -> LearningNeedsAnalysis:
    """The enrolment's analysis, begun (and audited) the first time the candidate opens it.

    LookupError when the enrolment's framework has no analysis.
    """
    existing = analysis_of(session, enrolment)
    if existing is not None:
        return existing
    if definition.of(document(session, enrolment)) is None:
        raise LookupError("this roadmap has no learning needs analysis")
    analysis = LearningNeedsAnalysis(enrolment_id=enrolment.id, status=LnaStatus.DRAFT.value,
                                     answers={})
    try:
        with session.begin_nested():
            session.add(analysis)
    except IntegrityError:  # the twin request began it a moment ago
        found = analysis_of(session, enrolment)
        assert found is not None
        return found
    record(session, "lna.started", actor_id=candidate.id, subject_type=SUBJECT,
           subject_id=analysis.id, enrolment_id=enrolment.id)
    return analysis


def _findings(specs: list[dict[str, Any]], answers: dict[str, Any]) -> dict[str, str]:
    """What may identify a patient (D9), by question code, in the writer's words."""
    found = {}
    for spec in specs:
        text = answers.get(spec["code"])
        if definitions.is_free_text(spec) and isinstance(text, str):
            kinds = sorted({pid.KIND_LABELS.get(f.kind, f.kind) for f in pid.scan(text)})
            if kinds:
                found[spec["code"]] = (f"This may identify a patient (possible "
                                       f"{', '.join(kinds)}). Change it, or confirm below "
                                       "that it does not")
    return found


def save(session: Session, analysis: LearningNeedsAnalysis, enrolment: Enrolment,
         candidate: User, answers: dict[str, Any], lock_version: int, send: bool,
         pid_confirmed: bool, kept_under: str) -> bool:
    """Save the candidate's answers as a draft, or send them to be confirmed.

    True when the analysis was already sent (a repeated click): nothing changes. Raises
    LnaError, with a message per question, when the answers cannot be saved or sent.
    """
    if analysis.status != LnaStatus.DRAFT.value:
        if send:
            return True
        raise LnaError("You have sent your analysis, so it can no longer change")
    lna = definition.of(document(session, enrolment)) or {}
    specs = definitions.fields(lna, None, [definitions.CANDIDATE])
    # A draft may be incomplete: only what is given is checked.
    asked = specs if send else [{**spec, "required": False} for spec in specs]
    problems = definitions.check(asked, answers, definitions.scale_levels(document(session,
                                                                                   enrolment)))
    if problems:
        raise LnaError("Answer every question before you send your analysis" if send else
                       "Check your answers", problems)
    findings = _findings(specs, answers) if send else {}
    if findings and not pid_confirmed:
        raise LnaError("Change the answers that may identify a patient, or confirm that they "
                       "do not", {**findings, "confirm_pid": "Confirm that none of your answers "
                                                         "identifies a patient"})
    now = utcnow()
    values: dict[str, Any] = {"answers": answers, "updated_at": now,
                              "lock_version": LearningNeedsAnalysis.lock_version + 1}
    if send:
        values.update(status=LnaStatus.SUBMITTED.value, submitted_at=now)
    result = session.execute(
        sa.update(LearningNeedsAnalysis)
        .where(LearningNeedsAnalysis.id == analysis.id,
               LearningNeedsAnalysis.status == LnaStatus.DRAFT.value,
               LearningNeedsAnalysis.lock_version == lock_version)
        .values(**values).execution_options(synchronize_session=False))
    session.refresh(analysis)
    if result.rowcount != 1:
        if send and analysis.status != LnaStatus.DRAFT.value:
            return True
        raise StaleForm("Your analysis was saved in another window since you opened this page. "
                        "Your answers are below: check them and save again to keep them")
    record(session, "lna.sent" if send else "lna.saved", actor_id=candidate.id,
           subject_type=SUBJECT, subject_id=analysis.id, enrolment_id=enrolment.id,
           data={"lock_version": analysis.lock_version,
                 "pid_confirmed": sorted(findings) if findings else []})
    autosave.discard(session, candidate.id, kept_under)
    return False


def files_of(session: Session, analysis: LearningNeedsAnalysis) -> list[Attachment]:
    """The files the candidate uploaded with the analysis, oldest first."""
    if analysis.files_evidence_id is None:
        return []
    return list(session.scalars(sa.select(Attachment)
                                .where(Attachment.evidence_id == analysis.files_evidence_id)
                                .order_by(Attachment.uploaded_at, Attachment.id)))


def _files_item(session: Session, analysis: LearningNeedsAnalysis, enrolment: Enrolment,
                candidate: User) -> Evidence:
    """The portfolio item that keeps the analysis's files, made with the first file."""
    if analysis.files_evidence_id is not None:
        item = session.get(Evidence, analysis.files_evidence_id)
        assert item is not None
        return item
    lna = definition.of(document(session, enrolment)) or {}
    kind = session.scalar(sa.select(EvidenceType).where(
        EvidenceType.framework_version_id == enrolment.framework_version_id,
        EvidenceType.code == lna["evidence_type"]))
    assert kind is not None  # the framework's checks make sure it exists
    item = portfolio.create_evidence(session, enrolment, candidate, kind, None,
                                     f"{lna['title']}: certificates and transcripts", None, {},
                                     portfolio.Links((), {}))
    session.execute(sa.update(LearningNeedsAnalysis)
                    .where(LearningNeedsAnalysis.id == analysis.id,
                           LearningNeedsAnalysis.files_evidence_id.is_(None))
                    .values(files_evidence_id=item.id)
                    .execution_options(synchronize_session=False))
    session.refresh(analysis)
    # Two first uploads at once: both files join the item that won; the other stays empty.
    winner = session.get(Evidence, analysis.files_evidence_id)
    assert winner is not None
    return winner


def add_file(session: Session, analysis: LearningNeedsAnalysis, enrolment: Enrolment,
             candidate: User, upload: Optional[attachments.Upload], *,
             pid_confirmed: bool = False) -> Attachment:
    """Keep an uploaded certificate or transcript with the analysis, checked like any file
    (its name and the text inside it too: the same confirmation as an item's files).

    Raises LnaError (the analysis was sent) or attachments.AttachmentRefused (the file).
    """
    if analysis.status != LnaStatus.DRAFT.value:
        raise LnaError("You have sent your analysis, so its files can no longer change",
                       {"file": "You have sent your analysis, so its files can no longer change"})
    added = attachments.attach(session, _files_item(session, analysis, enrolment, candidate),
                               candidate, upload, pid_confirmed=pid_confirmed)
    record(session, "lna.file_added", actor_id=candidate.id, subject_type=SUBJECT,
           subject_id=analysis.id, enrolment_id=enrolment.id,
           data={"attachment_id": added.id, "sha256": added.sha256})
    return added

"""What the analysis's pages show: the candidate's form, the confirmation page, the waiting list."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Optional

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from roadmap.accounts.models import Role, User
from roadmap.cohorts.models import Enrolment
from roadmap.framework import definitions
from roadmap.lna import confirming, definition, service
from roadmap.lna.models import (ConfirmerCapacity, LearningNeedsAnalysis, LnaCredit, LnaStatus,
                                confirmable_by)
from roadmap.portfolio import autosave
from roadmap.portfolio.models import Attachment, DraftAutosave, Evidence
from roadmap.portfolio.uploads import clean_filename
from roadmap.providers.models import EducationProvider


@dataclass(frozen=True)
class CreditLine:
    """A confirmed credit as pages show it."""

    label: str
    evidence: str
    note: Optional[str]


@dataclass
class Outcome:
    """What the confirmer decided, and who they were."""

    route: str
    confirmed_by: str
    capacity: str  # in words: the provider's reviewer, or the supervisor
    confirmed_at: dt.datetime
    credits: list[CreditLine]


@dataclass
class AnalysisPage:
    """One analysis: its form, the answers as given, its files, and once confirmed its outcome."""

    analysis: LearningNeedsAnalysis
    enrolment: Enrolment
    definition: dict[str, Any]
    scales: definitions.Scales
    answers: list[tuple[str, Markup]]  # (question, answer as HTML), blanks left out
    files: list[Attachment]
    outcome: Optional[Outcome] = None
    restored: Optional[DraftAutosave] = None  # the candidate's answers kept from an earlier visit
    candidate: Optional[User] = None
    provider: Optional[str] = None
    requirements: list[definition.Requirement] = field(default_factory=list)
    choices: list[confirming.EvidenceChoice] = field(default_factory=list)

    @property
    def sections(self) -> list[dict[str, Any]]:
        """The candidate's sections of the form."""
        return definitions.sections(self.definition, None, [definitions.CANDIDATE])


def _page(session: Session, analysis: LearningNeedsAnalysis,
          enrolment: Enrolment) -> AnalysisPage:
    """The parts every page of an analysis shows."""
    document = service.document(session, enrolment)
    lna = definition.of(document) or {}
    scales = {scale["code"]: scale for scale in document.get("scales", [])}
    shown = [(spec["label"], definitions.display_answer(spec, analysis.answers or {}, scales))
             for spec in definitions.fields(lna, None, [definitions.CANDIDATE])]
    page = AnalysisPage(analysis, enrolment, lna, scales,
                        [(label, escape(value)) for label, value in shown if value is not None],
                        service.files_of(session, analysis))
    if analysis.status == LnaStatus.CONFIRMED.value:
        page.outcome = _outcome(session, analysis, document)
    return page


def _outcome(session: Session, analysis: LearningNeedsAnalysis,
             document: dict[str, Any]) -> Outcome:
    """The route and the credits of a confirmed analysis."""
    requirements = definition.stage(document)["requirements"]
    rows = session.execute(
        sa.select(LnaCredit, Evidence.title, Attachment.filename)
        .outerjoin(Evidence, Evidence.id == LnaCredit.evidence_id)
        .outerjoin(Attachment, Attachment.id == LnaCredit.attachment_id)
        .where(LnaCredit.analysis_id == analysis.id).order_by(LnaCredit.id)).all()
    lines = [CreditLine(definition.label(requirements, credit.check_code),
                        f"File: {clean_filename(filename)}" if credit.attachment_id else
                        f"Portfolio item: {title}", credit.note)
             for credit, title, filename in rows]
    confirmer = session.get(User, analysis.confirmed_by_id)
    provider = (session.get(EducationProvider, analysis.provider_id)
                if analysis.provider_id is not None else None)
    capacity = (f"reviewer for {provider.name}" if provider is not None and
                analysis.confirmed_capacity == ConfirmerCapacity.PROVIDER_REVIEWER.value
                else "primary supervisor")
    assert confirmer is not None and analysis.confirmed_at is not None
    return Outcome(confirming.ROUTES.get(analysis.route or "", analysis.route or ""),
                   confirmer.full_name, capacity, analysis.confirmed_at, lines)


def candidate_page(session: Session, enrolment: Enrolment, candidate: User, key: str,
                   opening: bool) -> AnalysisPage:
    """The candidate's analysis, begun on first opening; with answers kept since it was saved.

    LookupError when the enrolment's roadmap has no analysis.
    """
    analysis = service.start(session, enrolment, candidate)
    page = _page(session, analysis, enrolment)
    if opening and analysis.status == LnaStatus.DRAFT.value:
        kept = autosave.kept(session, candidate.id, key)
        if kept is not None and kept.saved_at >= analysis.updated_at:
            page.restored = kept  # kept after the last save: newer than what is saved
    return page


def confirm_page(session: Session, analysis: LearningNeedsAnalysis,
                 enrolment: Enrolment) -> AnalysisPage:
    """The sent analysis for its confirmer: answers, files, what may be credited, with what."""
    page = _page(session, analysis, enrolment)
    page.candidate = session.get(User, enrolment.candidate_id)
    provider = (session.get(EducationProvider, enrolment.provider_id)
                if enrolment.provider_id is not None else None)
    page.provider = provider.name if provider is not None else None
    page.requirements = definition.creditable(service.document(session, enrolment))
    page.choices = confirming.evidence_choices(session, analysis, enrolment)
    return page


@dataclass(frozen=True)
class Waiting:
    """A sent analysis waiting for this person to confirm it."""

    analysis_id: int
    candidate: str
    submitted_at: dt.datetime
    provider: Optional[str]


def waiting(session: Session, person: User, today: dt.date) -> list[Waiting]:
    """The sent analyses the person confirms, oldest first (see `confirmable_by`)."""
    if not person.role_set & {Role.SUPERVISOR, Role.PROVIDER_REVIEWER}:
        return []
    rows = session.execute(
        sa.select(LearningNeedsAnalysis.id, User.full_name, LearningNeedsAnalysis.submitted_at,
                  EducationProvider.name)
        .join(Enrolment, Enrolment.id == LearningNeedsAnalysis.enrolment_id)
        .join(User, User.id == Enrolment.candidate_id)
        .outerjoin(EducationProvider, EducationProvider.id == Enrolment.provider_id)
        .where(LearningNeedsAnalysis.status == LnaStatus.SUBMITTED.value,
               confirmable_by(person, today))
        .order_by(LearningNeedsAnalysis.submitted_at, LearningNeedsAnalysis.id)).all()
    return [Waiting(i, name, sent, provider) for i, name, sent, provider in rows]


def candidate_task(session: Session, enrolment: Optional[Enrolment]) -> Optional[str]:
    """The home page's task while the analysis is not sent: "start", "continue", or None."""
    if enrolment is None:
        return None
    status = session.scalar(sa.select(LearningNeedsAnalysis.status)
                            .where(LearningNeedsAnalysis.enrolment_id == enrolment.id))
    if status is None:
        return "start" if definition.of(service.document(session, enrolment)) else None
    return "continue" if status == LnaStatus.DRAFT.value else None

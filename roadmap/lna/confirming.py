"""Confirming an analysis: the route, and the requirements earlier study meets, each with its
evidence and a note (D12). A confirmed analysis never changes. Flushes, never commits.

Who may confirm is decided by the loader (roadmap.web.reach.load_analysis, from
`confirmable_by`): the reviewer of the enrolment's education provider, or with no provider its
primary supervisor. The capacity it found is passed in.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import mail
from roadmap.accounts.models import User
from roadmap.audit.service import record
from roadmap.cohorts.models import Enrolment, Route
from roadmap.db import utcnow
from roadmap.lna import definition, pdp
from roadmap.lna.models import ConfirmerCapacity, LearningNeedsAnalysis, LnaCredit, LnaStatus
from roadmap.lna.service import SUBJECT, LnaError, StaleForm, document, files_of
from roadmap.pid import PATIENT_DETAILS, check as pid_check
from roadmap.portfolio.models import Evidence, EvidenceStatus
from roadmap.portfolio.uploads import clean_filename

ROUTES = {Route.TAUGHT.value: "Taught route", Route.PORTFOLIO.value: "Portfolio route"}


@dataclass(frozen=True)
class Credit:
    """A requirement the confirmer credits: its check code, the evidence chosen, and a note."""

    code: str
    evidence: str  # an EvidenceChoice's value
    note: str


@dataclass(frozen=True)
class EvidenceChoice:
    """A piece of evidence a credit may point at: a file of the analysis, or a portfolio item."""

    value: str  # "attachment:<id>" or "evidence:<id>"
    label: str


def evidence_choices(session: Session, analysis: LearningNeedsAnalysis,
                     enrolment: Enrolment) -> list[EvidenceChoice]:
    """The analysis's files, then the candidate's portfolio items that are not drafts."""
    files = [EvidenceChoice(f"attachment:{a.id}", f"File: {clean_filename(a.filename)}")
             for a in files_of(session, analysis)]
    items = session.execute(sa.select(Evidence.id, Evidence.title).where(
        Evidence.enrolment_id == enrolment.id, Evidence.status != EvidenceStatus.DRAFT.value)
        .order_by(Evidence.title, Evidence.id)).all()
    return files + [EvidenceChoice(f"evidence:{i}", f"Portfolio item: {title}")
                    for i, title in items]


def _problems(route: Optional[str], credits: list[Credit], has_provider: bool,
              allowed: set[str], choices: set[str]) -> dict[str, str]:
    """What is wrong with the outcome, keyed "route", "evidence:<code>" or "note:<code>"."""
    problems = {}
    if route not in ROUTES:
        problems["route"] = "Select the candidate's route"
    elif route == Route.TAUGHT.value and not has_provider:
        problems["route"] = ("An education provider runs the taught route: the training hub "
                             "names the provider on the enrolment first")
    for credit in credits:
        if credit.code not in allowed:
            problems[f"evidence:{credit.code}"] = "This requirement cannot be credited"
        elif credit.evidence not in choices:
            problems[f"evidence:{credit.code}"] = "Choose the evidence for this credit"
        if not credit.note.strip():
            problems[f"note:{credit.code}"] = "Say which earlier study meets this requirement"
    return problems


def confirm(session: Session, analysis: LearningNeedsAnalysis, enrolment: Enrolment,
            confirmer: User, capacity: ConfirmerCapacity, route: Optional[str],
            credits: list[Credit], lock_version: int, *, pid_confirmed: bool = False) -> bool:
    """Confirm the outcome: the route (copied to the enrolment), the credits, the PDP seeded.

    True when it was already confirmed (a repeated click): nothing changes. Raises LnaError,
    with a message per field, when the outcome is refused, and when a credit's note may
    identify a patient until the confirmer says it does not (rule D9; that is audited).
    """
    if analysis.status == LnaStatus.CONFIRMED.value:
        return True
    if analysis.status != LnaStatus.SUBMITTED.value:
        raise LnaError("The candidate has not sent their analysis yet")
    framework = document(session, enrolment)
    requirements = definition.creditable(framework)
    problems = _problems(route, credits, enrolment.provider_id is not None,
                         {r.code for r in requirements},
                         {c.value for c in evidence_choices(session, analysis, enrolment)})
    if problems:
        raise LnaError("Check the route and the credits", problems)
    found = pid_check.flagged({f"note:{credit.code}": credit.note for credit in credits})
    if found and not pid_confirmed:
        raise LnaError(PATIENT_DETAILS, pid_check.messages(found))
    now = utcnow()
    result = session.execute(
        sa.update(LearningNeedsAnalysis)
        .where(LearningNeedsAnalysis.id == analysis.id,
               LearningNeedsAnalysis.status == LnaStatus.SUBMITTED.value,
               LearningNeedsAnalysis.lock_version == lock_version)
        .values(status=LnaStatus.CONFIRMED.value, route=route, confirmed_at=now,
                confirmed_by_id=confirmer.id, confirmed_capacity=capacity.value,
                provider_id=enrolment.provider_id, updated_at=now,
                lock_version=LearningNeedsAnalysis.lock_version + 1)
        .execution_options(synchronize_session=False))
    session.refresh(analysis)
    if result.rowcount != 1:
        if analysis.status == LnaStatus.CONFIRMED.value:
            return True  # the twin request confirmed it a moment ago
        raise StaleForm("The analysis changed since you opened this page. Check it and confirm "
                        "again")
    rows = []
    for credit in credits:
        kind, _, number = credit.evidence.partition(":")
        rows.append(LnaCredit(analysis_id=analysis.id, check_code=credit.code,
                              evidence_id=int(number) if kind == "evidence" else None,
                              attachment_id=int(number) if kind == "attachment" else None,
                              note=credit.note.strip(), given_by_id=confirmer.id, given_at=now))
    session.add_all(rows)
    enrolment.route = route or enrolment.route
    session.flush()
    credited = {credit.code for credit in credits}
    seeded = pdp.seed(session, enrolment, confirmer, definition.stage(framework)["name"],
                      [r for r in requirements if r.code not in credited])
    record(session, "lna.confirmed", actor_id=confirmer.id, subject_type=SUBJECT,
           subject_id=analysis.id, enrolment_id=enrolment.id,
           data={"route": route, "capacity": capacity.value, "provider_id": enrolment.provider_id,
                 "credits": [{"code": r.check_code, "evidence_id": r.evidence_id,
                              "attachment_id": r.attachment_id,
                              **dict(zip(("note_sha256", "note_length"),
                                         pid_check.sealed(r.note)))} for r in rows],
                 "pdp_evidence_id": seeded.id if seeded is not None else None})
    if found:
        record(session, "lna.credit_pid_confirmed", actor_id=confirmer.id, subject_type=SUBJECT,
               subject_id=analysis.id, enrolment_id=enrolment.id,
               data=pid_check.audit_data(found))
    _tell_candidate(session, enrolment, confirmer, route, len(rows))
    return False


def _tell_candidate(session: Session, enrolment: Enrolment, confirmer: User,
                    route: Optional[str], credits: int) -> None:
    """An email to the candidate: the analysis is confirmed, with its route and credits."""
    candidate = session.get(User, enrolment.candidate_id)
    if candidate is None:
        return
    mail.queue(session, candidate.email, "Your learning needs analysis is confirmed",
               f"Dear {candidate.full_name},\n\n{confirmer.full_name} has confirmed your learning "
               f"needs analysis. Route: {ROUTES.get(route or '', route)}. Requirements met by "
               f"earlier study: {credits}. The rest are in your personal development plan.\n")

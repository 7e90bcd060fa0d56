"""The evidence form and the submit page: what they show, and saving or submitting each post once.

A form carries a one-time token: a post repeated (a double click, a retried request) finds the
first one's item instead of making a second. Flushes, never commits.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.cohorts.models import Enrolment
from roadmap.feedback.models import FeedbackRound
from roadmap.framework import definitions
from roadmap.framework.models import Capability, EvidenceType, Outcome
from roadmap.portfolio import autosave, service, shared_check, staff
from roadmap.portfolio.items import scales
from roadmap.portfolio.models import DraftAutosave, Evidence, FormSubmission
from roadmap.portfolio.pid import KIND_LABELS, highlight


def evidence_type(session: Session, enrolment: Enrolment, code: str) -> Optional[EvidenceType]:
    """The evidence type of that code in the enrolment's framework version, if there is one."""
    return session.scalar(sa.select(EvidenceType).where(
        EvidenceType.framework_version_id == enrolment.framework_version_id,
        EvidenceType.code == code))


@dataclass
class FormPage:
    """What the evidence form is built from; on opening, the answers to start it with."""

    enrolment: Enrolment
    kind: EvidenceType
    template: Optional[str]
    evidence: Optional[Evidence]  # None for a new item
    capabilities: list[Capability]
    outcomes: dict[int, list[Outcome]]
    scales: dict[str, dict[str, Any]]
    restored: Optional[DraftAutosave] = None  # answers kept from an earlier visit
    links: Optional[service.Links] = None  # the item's links, when the form starts from the item
    waiting: frozenset[str] = frozenset()  # sections not asked yet: a reflection on results to come


def form_page(session: Session, user: User, key: str, opening: bool, enrolment: Enrolment,
              kind: EvidenceType, template: Optional[str],
              evidence: Optional[Evidence] = None) -> FormPage:
    """The headings, outcomes and scales; on opening, kept answers newer than the item, or its links."""
    page = FormPage(enrolment, kind, template, evidence, service.capabilities(session, enrolment),
                    service.outcomes_by_capability(session, enrolment), scales(session, enrolment),
                    waiting=_before_results(session, kind, template, evidence))
    if not opening:
        return page
    page.restored = autosave.kept(session, user.id, key)
    if page.restored is not None and evidence is not None and \
            page.restored.saved_at < evidence.updated_at:
        page.restored = None  # the item was saved after this was kept
    if page.restored is None and evidence is not None:
        page.links = service.current_links(session, evidence)
    return page


def _before_results(session: Session, kind: EvidenceType, template: Optional[str],
                    evidence: Optional[Evidence]) -> frozenset[str]:
    """The sections about feedback results, while the item has none released to reflect on."""
    about_results = definitions.on_results(kind.definition, template)
    if not about_results:
        return frozenset()
    released = evidence is not None and session.scalar(
        sa.select(FeedbackRound.released_at).where(FeedbackRound.evidence_id == evidence.id))
    return frozenset() if released else about_results


def edit_page(session: Session, user: User, key: str, opening: bool, evidence: Evidence) -> FormPage:
    """The form for an item that exists, in its own type and template."""
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    kind = session.get(EvidenceType, evidence.evidence_type_id)
    assert enrolment is not None and kind is not None
    return form_page(session, user, key, opening, enrolment, kind, evidence.template_code, evidence)


@dataclass(frozen=True)
class Draft:
    """What the candidate typed into the evidence form."""

    title: str
    occurred_on: Optional[dt.date]
    answers: dict[str, Any]
    links: service.Links


@dataclass(frozen=True)
class Saved:
    """The item a post saved; `repeat` when the form's token was used already (nothing saved)."""

    evidence_id: Optional[int]
    status: Optional[str] = None
    repeat: bool = False


def save(session: Session, user: User, page: FormPage, draft: Draft, lock_version: int,
         token: str, key: str, ticked: bool = False, shown: str = "") -> Saved:
    """Create or update the item once per form token, and forget the answers kept for the page.

    Raises service.StaleForm when the item changed since the form was opened, and
    service.PortfolioError when a rule refuses the answers (shared_check.Unconfirmed when an
    item others read holds text that may identify a patient, not confirmed as shown: `ticked`
    and `shown`, the digest of the findings the box was ticked under).
    """
    done = service.claim_form_token(session, user, token)
    if done is not None:
        return Saved(done.evidence_id, repeat=True)
    evidence = page.evidence
    if evidence is None:
        evidence = service.create_evidence(
            session, page.enrolment, user, page.kind, page.template, draft.title,
            draft.occurred_on, draft.answers, draft.links)
    else:
        shared_check.check_save(session, evidence, user, draft.title, draft.answers, ticked, shown)
        service.update_evidence(session, evidence, user, lock_version, draft.title,
                                draft.occurred_on, draft.answers, draft.links)
    claim = session.get(FormSubmission, token) if token else None
    if claim is not None:  # a repeat of this post now finds the item
        claim.evidence_id = evidence.id
    autosave.discard(session, user.id, key)
    return Saved(evidence.id, evidence.status)


@dataclass
class SubmitPage:
    """The submit page: the supervisors to choose from, what is missing, what may identify a patient."""

    kind: EvidenceType
    supervisors: list[tuple[User, str]]
    missing: list[str]
    findings: list[tuple[dict[str, Any], Any, list[str]]]  # (field, highlighted text, kinds)


def submit_page(session: Session, evidence: Evidence, today: dt.date) -> SubmitPage:
    """The item's current supervisors, its unanswered questions and its PID findings."""
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    kind = session.get(EvidenceType, evidence.evidence_type_id)
    assert enrolment is not None and kind is not None
    supervisors = service.current_supervisors(session, enrolment, today)
    missing = service.missing_answers(evidence, kind, service.current_links(session, evidence),
                                      service.evidence_attachment_count(session, evidence))
    findings = [(spec, highlight(text, found), sorted({KIND_LABELS[f.kind] for f in found}))
                for spec, text, found in service.pid_findings(
                    evidence, kind, tuple(staff.known_people(session, enrolment.id)))]
    return SubmitPage(kind, supervisors, missing, findings)


def submit_once(session: Session, evidence: Evidence, user: User, token: str,
                supervisor_id: Optional[int], lock_version: int, today: dt.date,
                pid_confirmed: bool, link: str) -> bool:
    """Send the item to the chosen supervisor; True when this post's token was used already.

    Raises service.PortfolioError, in the candidate's words, when it cannot be sent.
    """
    if service.claim_form_token(session, user, token) is not None:
        return True
    if not supervisor_id:
        raise service.PortfolioError("Select the supervisor to send this to")
    service.submit(session, evidence, user, supervisor_id, lock_version, today, pid_confirmed, link)
    return False

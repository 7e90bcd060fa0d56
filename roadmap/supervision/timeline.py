"""A candidate's timeline: their audit events, newest first, said in words."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import clock
from roadmap.accounts.models import User
from roadmap.audit.models import AuditEvent
from roadmap.cohorts.models import Enrolment
from roadmap.portfolio.models import Evidence
from roadmap.providers.models import ProviderDecision
from roadmap.readers.models import shared
from roadmap.supervision.models import ExternalSignatureReview, Signature

PAGE = 50
CAPACITY = {"primary_supervisor": "as primary supervisor", "backup_supervisor": "as backup supervisor",
            "backup_acting_for_primary": "as backup supervisor, acting for the primary",
            "candidate": "as the candidate", "external_assessor": "as an external assessor"}
WORDS = {
    "enrolment.created": "Enrolled on the roadmap",
    "assignment.created": "Assigned a supervisor",
    "assignment.ended": "Ended a supervisor's access",
    "educational_supervisor.assigned": "Assigned an educational supervisor",
    "progress_review.recorded": "Recorded a progress review",
    "progress_review.responded": "Responded to a progress review",
    "evidence.created": "Started an item",
    "evidence.submitted": "Submitted an item for assessment",
    "evidence.returned": "Returned an item with comments",
    "evidence.signed": "Signed an item",
    "evidence.edited_after_signing": "Changed an item after it was signed (the signed version is kept)",
    "evidence.started_by_supervisor": "Recorded an observed assessment",
    "capability.rated": "Rated a capability heading",
    "capability_ratings.recorded": "Rated the capability headings",
    "capability.evidence_linked": "Linked an item to a heading",
    "stage.candidate_signed": "Signed the stage declarations",
    "stage.signed_off": "Signed off the stage",
    "provider.approved": "Approved the stage for the education provider",
    "provider.referred": "Referred the stage back for the education provider",
    "enrolment.provider_set": "Named the education provider",
    "feedback.assessor_asked": "Asked a colleague without an account to assess an item",
    # evidence.external_signature_accepted and _disputed: said by _external, naming whose.
    "credential.issued": "Issued the stage's digital credential",
    "credential.revoked": "Revoked the stage's digital credential",
    # Rule D9: text flagged as possibly identifying a patient, confirmed by its writer.
    "evidence.pid_confirmed": "Confirmed that text flagged in an item identifies no patient",
    "assessment.pid_confirmed": "Confirmed that text flagged in an assessment identifies no "
                                "patient",
    "evidence.return_pid_confirmed": "Confirmed that a return comment's flagged text "
                                     "identifies no patient",
    "evidence.dispute_pid_confirmed": "Confirmed that a dispute reason's flagged text "
                                      "identifies no patient",
    "capability_rating.pid_confirmed": "Confirmed that a rating's flagged justification "
                                       "identifies no patient",
    "evidence.attachment_pid_confirmed": "Confirmed that a flagged file name identifies no "
                                         "patient",
    "feedback.response_pid_confirmed": "A feedback respondent confirmed that flagged text "
                                       "identifies no patient",
    "capability.self_rating_pid_confirmed": "Confirmed that a self-rating's flagged "
                                            "justification identifies no patient",
    "stage.pid_confirmed": "Confirmed that a sign-off reason's flagged text identifies no patient",
    "provider.pid_confirmed": "Confirmed that a decision's flagged reason identifies no patient",
    "progress_review.pid_confirmed": "Confirmed that flagged text in a progress review "
                                     "identifies no patient",
    "lna.pid_confirmed": "Confirmed that flagged text in the learning needs analysis identifies "
                         "no patient",
    "lna.credit_pid_confirmed": "Confirmed that a credit's flagged note identifies no patient",
    "assignment.pid_confirmed": "Confirmed that a flagged handover note identifies no patient",
    "feedback.self_assessment_pid_confirmed": "Confirmed that the self-assessment's flagged "
                                              "text identifies no patient",
    "credential.pid_confirmed": "Confirmed that a revocation's flagged reason identifies no "
                                "patient",
}


@dataclass
class Entry:
    """One line of the timeline."""

    when: dt.datetime
    who: str
    what: str
    item: Optional[str]
    reason: Optional[str] = None  # a dispute's or a referral's reason, shown after the item


def _external(event: AuditEvent, data: dict[str, Any]) -> str:
    """A supervisor's review of an external signature, naming whose signature it was: the
    reviewer's own capacity after "it no longer counts" read as though the signature had
    counted as theirs (issue 17 #6)."""
    whose = f"{data['assessor']}'s signature" if data.get("assessor") else "the signature"
    if event.action == "evidence.external_signature_accepted":
        return f"Accepted {whose} as external assessor"
    return f"Disputed {whose} as external assessor: it no longer counts"


def _describe(event: AuditEvent, names: dict[int, str]) -> str:
    words = WORDS.get(event.action, event.action.replace(".", ": ").replace("_", " ").capitalize())
    data: dict[str, Any] = event.data or {}
    if event.action in ("assignment.created", "assignment.ended",
                        "educational_supervisor.assigned"):
        return words + ": " + _assignment(event.action, data, names)
    if event.action.startswith("evidence.external_signature"):
        return _external(event, data)
    if data.get("capacity") in CAPACITY:
        words += f" {CAPACITY[data['capacity']]}"
    if data.get("acting_reason"):
        words += f" ({data['acting_reason']})"
    if event.action == "capability.rated":
        words += f": heading {data.get('capability')}, {str(data.get('rating', '')).replace('_', ' ')}"
    if event.action == "progress_review.recorded" and data.get("reviewed_on"):
        words += f" of {clock.long_date(dt.date.fromisoformat(str(data['reviewed_on'])))}"
    if data.get("stage"):
        words += f": {str(data['stage']).replace('stage', 'Stage ')}"
    if event.action == "provider.approved" and data.get("sampled_for_audit"):
        words += " (sampled for audit: another reviewer reviews it too)"
    return words


def _reason(event: AuditEvent, kept: dict[tuple[str, int], str]) -> Optional[str]:
    """The reason a dispute or a referral gave, shown after the item's title: a reason ends
    in its own full stop, so "…to me.: “title”" no longer happens. Disputes and referrals
    since issue 22 keep their reason on their row only (`kept`, by action and the row's id);
    older events hold it in the log."""
    data: dict[str, Any] = event.data or {}
    if event.action in KEPT_ON_ROW:
        if data.get("reason"):
            return str(data["reason"])
        number = data.get(KEPT_ON_ROW[event.action][0])
        return kept.get((event.action, int(number))) if str(number).isdigit() else None
    return None


# The events whose reason is read from a row: the key naming the row, the row's reason.
KEPT_ON_ROW = {"evidence.external_signature_disputed": ("review_id", ExternalSignatureReview),
               "provider.referred": ("decision_id", ProviderDecision)}


def _kept_reasons(session: Session, events: list[AuditEvent]) -> dict[tuple[str, int], str]:
    """(action, row id): reason, for the disputes and referrals on this page whose event does
    not hold the text."""
    found: dict[tuple[str, int], str] = {}
    for action, (key, model) in KEPT_ON_ROW.items():
        ids = {int(event.data[key]) for event in events
               if event.action == action and isinstance(event.data, dict)
               and not event.data.get("reason") and str(event.data.get(key, "")).isdigit()}
        if ids:
            found.update({(action, number): reason for number, reason in session.execute(
                sa.select(model.id, model.reason).where(model.id.in_(ids))).all() if reason})
    return found


def _assignment(action: str, data: dict[str, Any], names: dict[int, str]) -> str:
    """Who was assigned or ended, in which capacity, and from or until when."""
    who = names.get(data.get("supervisor_id") or 0) or str(data.get("supervisor") or "a supervisor")
    kind = data.get("kind") or "a"
    if action != "assignment.ended":
        since = data.get("starts_on")
        when = f", from {clock.long_date(dt.date.fromisoformat(since))}" if since else ""
        return f"{who} as {kind} supervisor{when}"
    until = data.get("ended_at")
    when = f", until {clock.in_words(dt.datetime.fromisoformat(until))}" if until else ""
    return f"{who}, {kind} supervisor{when}"


def entries(session: Session, enrolment_id: int, page: int,
            drafts: bool = True) -> tuple[list[Entry], bool]:
    """One page of the timeline and whether there is another.

    With `drafts` false (anyone but the candidate), items that are still private drafts are
    not named: the candidate has not shared them yet.
    """
    shown = Evidence.title if drafts else sa.case((shared(), Evidence.title), else_=sa.null())
    rows = session.execute(
        sa.select(AuditEvent, User.full_name, shown)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .outerjoin(Evidence, sa.and_(AuditEvent.subject_type == "evidence",
                                     Evidence.id == AuditEvent.subject_id))
        .where(AuditEvent.enrolment_id == enrolment_id)
        .order_by(AuditEvent.id.desc()).limit(PAGE + 1).offset((page - 1) * PAGE)).all()
    ids = {int(event.data["supervisor_id"]) for event, _, _ in rows
           if event.action.startswith(("assignment.", "educational_supervisor."))
           and isinstance(event.data, dict)
           and str(event.data.get("supervisor_id", "")).isdigit()}
    names = dict(session.execute(sa.select(User.id, User.full_name).where(User.id.in_(ids))).all()) \
        if ids else {}
    signers = _external_signers(session, [event for event, name, _ in rows[:PAGE] if name is None])
    kept = _kept_reasons(session, [event for event, _, _ in rows[:PAGE]])
    found = [Entry(event.occurred_at, name or signers.get(event.id, "Roadmap"),
                   _describe(event, names), title, _reason(event, kept))
             for event, name, title in rows[:PAGE]]
    return found, len(rows) > PAGE


def _external_signers(session: Session, events: list[AuditEvent]) -> dict[int, str]:
    """Event id: "Alex Reid (external assessor)" for each signing by someone without an
    account, whose event has no actor: they were shown as "Roadmap" (issue 17 #6)."""
    wanted = {int(e.data["signature_id"]): e.id for e in events
              if e.action == "evidence.signed" and isinstance(e.data, dict)
              and e.data.get("capacity") == "external_assessor"
              and str(e.data.get("signature_id", "")).isdigit()}
    if not wanted:
        return {}
    rows = session.execute(sa.select(Signature.id, Signature.signer_name)
                           .where(Signature.id.in_(wanted))).all()
    return {wanted[sid]: f"{name} (external assessor)" for sid, name in rows}


@dataclass
class Page:
    """One page of a candidate's timeline, as the timeline page shows it."""

    person: User  # the candidate
    entries: list[Entry]
    more: bool  # there is an older page


def page_of(session: Session, enrolment: Enrolment, number: int, drafts: bool) -> Page:
    """The candidate and one page of their timeline (see `entries` for `drafts`)."""
    found, more = entries(session, enrolment.id, number, drafts)
    return Page(session.get(User, enrolment.candidate_id), found, more)

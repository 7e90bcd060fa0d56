"""The patient-details check on saving an item others can read (issue 22).

Submitting checks an item's text; an item already with a supervisor (or signed, returned, or a
draft with a feedback round open on it, readers.models.shared) is read by others as soon as it is
saved, so each save of it passes the same check: what may identify a patient is shown, and it
is kept only once the candidate confirms those very findings (audit `evidence.pid_confirmed`).
A private draft is the candidate's alone and is checked when it is submitted.
"""
from __future__ import annotations

from typing import Any, Mapping

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.audit.service import record
from roadmap.feedback.models import FeedbackRound
from roadmap.framework import definitions
from roadmap.framework.models import EvidenceType
from roadmap.pid import check
from roadmap.pid.finding import Finding
from roadmap.portfolio.models import Evidence, EvidenceStatus
from roadmap.portfolio import staff
from roadmap.portfolio.service import PortfolioError

MESSAGE = "Edit the highlighted text, or confirm that none of it identifies a patient"


class Unconfirmed(PortfolioError):
    """The save holds text that may identify a patient and was not confirmed as shown."""

    def __init__(self, found: Mapping[str, list[Finding]], labels: dict[str, str],
                 marked: dict[str, Markup]) -> None:
        super().__init__(MESSAGE)
        self.digest = check.digest(found)
        self.shown = [(labels[key], marked[key], check.kinds(found[key])) for key in found]


def is_shared(session: Session, evidence: Evidence) -> bool:
    """Whether others can read the item: anything but a draft, or a draft with a round on it."""
    if evidence.status != EvidenceStatus.DRAFT.value:
        return True
    return session.scalar(sa.select(sa.exists().where(
        FeedbackRound.evidence_id == evidence.id))) or False


def check_save(session: Session, evidence: Evidence, actor: User, title: str,
               answers: dict[str, Any], ticked: bool, shown: str) -> None:
    """Refuse a save of a shared item whose text has findings not confirmed as shown.

    Raises Unconfirmed; records `evidence.pid_confirmed` when the confirmation covers them.
    """
    if not is_shared(session, evidence):
        return
    kind = session.get(EvidenceType, evidence.evidence_type_id)
    assert kind is not None
    texts, labels = {"title": title}, {"title": "Title"}
    for field in definitions.fields(kind.definition, evidence.template_code,
                                    [definitions.CANDIDATE]):
        if definitions.is_free_text(field) and isinstance(answers.get(field["code"]), str):
            texts[field["code"]], labels[field["code"]] = answers[field["code"]], field["label"]
    found = check.flagged(texts, staff.known_people(session, evidence.enrolment_id))
    if not found:
        return
    if not check.confirms(ticked, shown, found):
        raise Unconfirmed(found, labels, check.marked(texts, found))
    record(session, "evidence.pid_confirmed", actor_id=actor.id, subject_type="evidence",
           subject_id=evidence.id, enrolment_id=evidence.enrolment_id,
           data={**check.audit_data(found), "on": "save", "status": evidence.status})

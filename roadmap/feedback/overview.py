"""A round as its pages show it: the self-assessment, who was asked, and results when due (D7)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.cohorts.models import Enrolment
from roadmap.feedback import results, rounds
from roadmap.feedback.models import FeedbackRater, FeedbackRound
from roadmap.feedback.results import Results
from roadmap.feedback.rules import Rule, groups
from roadmap.framework.models import EvidenceType, FrameworkVersion
from roadmap.links import external_link
from roadmap.framework import definitions
from roadmap.portfolio.models import Evidence


def results_visible(record: Optional[FeedbackRound], rule: Rule, counts: Counter,
                    supervisor: bool) -> bool:
    """Who sees results: a supervisor once the minimum is in, the candidate once released."""
    if record is None or not rule.met(counts):
        return False
    return record.released_at is not None or supervisor


def poster_link(record: Optional[FeedbackRound]) -> Optional[str]:
    """The address patients answer a PSQ round at; None for any other round."""
    if record is None or record.kind != "psq":
        return None
    return external_link("feedback.patient_form", rounds.psq_token(record))


@dataclass
class RoundPage:
    """What the round's page shows to the candidate or a supervisor."""

    record: Optional[FeedbackRound]
    counts: Counter  # responses so far by group
    enrolment: Enrolment
    candidate: User
    self_answers: list[tuple[dict[str, Any], Any]]  # (question, answer as read)
    raters: list[FeedbackRater]
    results: Optional[Results]  # the aggregate, when this reader may see it
    can_release: bool
    poster_link: Optional[str]


def _scales(session: Session, etype: EvidenceType) -> Any:
    """The scales of the type's framework version."""
    return definitions.scales(session.get(FrameworkVersion, etype.framework_version_id))


def round_page(session: Session, evidence: Evidence, etype: EvidenceType, rule: Rule,
               supervisor: bool, current: bool) -> RoundPage:
    """The round as a reader sees it: `supervisor` for a (current or former) supervisor,
    `current` when they supervise the candidate now and so may release the results."""
    record = rounds.round_of(session, evidence.id)
    counts = groups(session, evidence.id)
    scales = _scales(session, etype)
    own = record.self_assessment if record else (evidence.fields or {})
    raters = session.scalars(sa.select(FeedbackRater).where(
        FeedbackRater.evidence_id == evidence.id).order_by(FeedbackRater.name)).all()
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    candidate = session.get(User, enrolment.candidate_id)
    shown = results_visible(record, rule, counts, supervisor)
    return RoundPage(
        record, counts, enrolment, candidate,
        [(spec, definitions.display_answer(spec, own, scales))
         for spec in rounds.self_fields(etype.definition)],
        list(raters), results.compute(session, evidence.id, etype, scales, own) if shown else None,
        current and record is not None and record.released_at is None and rule.met(counts),
        poster_link(record))


def results_csv(session: Session, evidence: Evidence, etype: EvidenceType, rule: Rule,
                supervisor: bool) -> Optional[tuple[str, list[str]]]:
    """The aggregate as CSV, only when the round's page would show it to this reader, with
    the words of its file's name: whose results, of what."""
    record = rounds.round_of(session, evidence.id)
    if not results_visible(record, rule, groups(session, evidence.id), supervisor):
        return None
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    candidate = session.get(User, enrolment.candidate_id)
    return (results.as_csv(results.compute(session, evidence.id, etype, _scales(session, etype),
                                           record.self_assessment)),
            [candidate.full_name, definitions.short_name(etype), "results"])

"""MSF and PSQ results as the candidate sees them once released: aggregates only.

Read through the feedback results (roadmap.feedback.results.compute), which never keeps a
response together: counts per answer, a mean, comments sorted alphabetically. A round whose
results are not released, or that has not reached its minimum responses, prints nothing, just
as the candidate's own round page shows nothing.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.feedback import results
from roadmap.feedback.models import FeedbackRound
from roadmap.feedback.rules import groups, rule_for
from roadmap.framework import definitions
from roadmap.framework.models import EvidenceType, FrameworkVersion


def _plain(found: results.Results, released_on: Any) -> dict[str, Any]:
    return {"released_at": released_on.isoformat(), "responses": found.total,
            "groups": dict(sorted(found.groups.items())),
            "questions": [{"label": q.label, "counts": [{"answer": a, "count": n}
                                                        for a, n in q.counts],
                           "answered": q.answered, "mean": q.mean,
                           "scored_levels": q.scored_levels, "self_answer": q.self_answer}
                          for q in found.questions],
            "comments": [{"question": label, "texts": texts} for label, texts in found.comments]}


def released_results(session: Session, evidence_types: Iterable[tuple[int, int]]
                     ) -> dict[int, dict[str, Any]]:
    """Evidence id -> its round's released aggregate, for (evidence id, evidence type id) pairs."""
    pairs = dict(evidence_types)
    rounds = session.scalars(sa.select(FeedbackRound).where(
        FeedbackRound.evidence_id.in_(list(pairs)), FeedbackRound.released_at.is_not(None))).all()
    found: dict[int, dict[str, Any]] = {}
    for record in rounds:
        etype: Optional[EvidenceType] = session.get(EvidenceType, pairs[record.evidence_id])
        rule = rule_for(session, etype) if etype is not None else None
        if etype is None or rule is None or not rule.met(groups(session, record.evidence_id)):
            continue
        scales = definitions.scales(session.get(FrameworkVersion, etype.framework_version_id))
        found[record.evidence_id] = _plain(results.compute(
            session, record.evidence_id, etype, scales, record.self_assessment or {}),
            record.released_at)
    return found

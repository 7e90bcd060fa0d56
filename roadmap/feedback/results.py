"""A round's results as aggregates: counts per answer, a mean, and comments in sorted order.

Nothing here keeps a response together: each question is counted on its own, comments are
sorted alphabetically, and no date, order or identifier of a response leaves this module.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.feedback.models import FeedbackResponse
from roadmap.framework import definitions
from roadmap.framework.models import EvidenceType

RESPONDENT = "respondent"
# Levels that are an answer but not a score ("I cannot comment", "Does not apply").
NOT_SCORED = {"unable_to_comment", "does_not_apply"}


@dataclass
class Question:
    """One question's combined answers."""

    code: str
    label: str
    counts: list[tuple[str, int]]  # (level label, how many), in the scale's order
    answered: int = 0
    mean: Optional[float] = None  # on the scored levels, 1 = lowest
    scored_levels: int = 0
    self_answer: Optional[str] = None  # the candidate's own answer to the matching question


@dataclass
class Results:
    """Every question of a round, its comments, and how many responded in each group."""

    groups: Counter
    questions: list[Question] = field(default_factory=list)
    comments: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def total(self) -> int:
        """How many responses in all."""
        return sum(self.groups.values())


def _scored(levels: list[dict[str, Any]]) -> list[str]:
    return [lv["code"] for lv in levels if lv.get("scored", lv["code"] not in NOT_SCORED)]


def _question(spec: dict[str, Any], values: list[Any], scales: dict[str, Any]) -> Question:
    tally = Counter(v for v in values if v not in (None, ""))
    choices = definitions.choices(spec, scales)
    question = Question(spec["code"], spec["label"],
                        [(label, tally[code]) for code, label in choices],
                        answered=sum(tally.values()))
    if definitions.kind(spec).scale:
        scored = _scored(scales[spec["scale"]]["levels"])
        points = [scored.index(v) + 1 for v in values if v in scored]
        question.scored_levels = len(scored)
        question.mean = round(sum(points) / len(points), 1) if points else None
    return question


def _self_answer(spec: dict[str, Any], own: dict[str, Any],
                 scales: dict[str, Any]) -> Optional[str]:
    """The self-assessment answer on the same scale: self_<code>, else the round's overall one."""
    for code in (f"self_{spec['code']}", "self_overall"):
        if code in own and own[code]:
            return dict(definitions.choices(spec, scales)).get(own[code], own[code])
    return None


def compute(session: Session, evidence_id: int, etype: EvidenceType, scales: dict[str, Any],
            self_assessment: dict[str, Any]) -> Results:
    """The aggregate of every response to a round."""
    rows = session.execute(sa.select(FeedbackResponse.respondent_group, FeedbackResponse.answers)
                           .where(FeedbackResponse.evidence_id == evidence_id)).all()
    results = Results(Counter(group for group, _ in rows))
    specs = definitions.fields(etype.definition, None, [RESPONDENT])
    for spec in specs:
        values = [(answers or {}).get(spec["code"]) for _, answers in rows]
        if definitions.kind(spec).counted:
            if spec["code"] == "respondent_group":
                continue
            question = _question(spec, values, scales)
            question.self_answer = _self_answer(spec, self_assessment, scales)
            results.questions.append(question)
        elif definitions.kind(spec).text:
            texts = sorted((str(v).strip() for v in values if v and str(v).strip()),
                           key=str.casefold)
            results.comments.append((spec["label"], texts))
    return results


def _cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def as_csv(results: Results) -> str:
    """The aggregate as CSV: question, answer, count; then the sorted comments."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["question", "answer", "count"])
    for question in results.questions:
        for label, number in question.counts:
            writer.writerow([question.label, label, number])
        if question.mean is not None:
            writer.writerow([question.label, f"mean (1 to {question.scored_levels})",
                             question.mean])
    for label, texts in results.comments:
        for text in texts:
            writer.writerow([_cell(label), _cell(text), ""])
    return out.getvalue()

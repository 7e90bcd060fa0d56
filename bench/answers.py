"""Plausible answers to an evidence form, from the form's own definition in the framework.

The seeder fills every field a party completes, the way a candidate or assessor would, so
seeded items pass the same checks as items typed into the pages.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import Any, Iterable, Optional

from roadmap.framework.definitions import fields

PHRASES = (
    "Discussed the management plan and safety-netting advice with the supervisor.",
    "Assessment of a persistent musculoskeletal presentation with red flags screened.",
    "Shared decision making about imaging and referral options, documented clearly.",
    "Reflected on how the consultation was structured and where time ran short.",
    "Agreed a plan for supported self-management and a review in four weeks.",
    "Explored the impact on work and sleep; explained the likely course of recovery.",
)


def text(rng: random.Random, words: Optional[int] = None) -> str:
    """A sentence or two of free text within a word limit, naming no patient."""
    chosen = " ".join(rng.sample(PHRASES, k=rng.randint(1, 3)))
    if words:
        chosen = " ".join(chosen.split()[:words])
    return chosen


def answer(field: dict[str, Any], scales: dict[str, list[str]], rng: random.Random,
           today: dt.date) -> Any:
    """One field's answer; None leaves an optional field empty now and then."""
    kind = field["kind"]
    if not field.get("required") and rng.random() < 0.3:
        return None
    options = [o["code"] for o in field.get("options", [])]
    if kind in ("text", "textarea"):
        return text(rng, field.get("max_words"))
    if kind in ("select", "radios"):
        return rng.choice(options) if options else None
    if kind == "checkboxes":
        return sorted(rng.sample(options, k=rng.randint(1, min(2, len(options))))) if options else []
    if kind == "rating":
        levels = [level for level in scales.get(field["scale"], []) if level != "not_observed"]
        return rng.choice(levels[-3:] or levels) if levels else None
    if kind == "date":
        return (today - dt.timedelta(days=rng.randint(1, 60))).isoformat()
    if kind == "number":
        low = int(field.get("min") or 1)
        return rng.randint(low, max(low, int(field.get("max") or low + 20)))
    return None


def answers(definition: dict[str, Any], template: Optional[str], parties: Iterable[str],
            scales: dict[str, list[str]], rng: random.Random, today: dt.date) -> dict[str, Any]:
    """Answers to every field the given parties ("candidate", "assessor") complete."""
    found: dict[str, Any] = {}
    for field in fields(definition, template, parties):
        value = answer(field, scales, rng, today)
        if value is not None:
            found[field["code"]] = value
    return found

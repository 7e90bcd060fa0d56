"""The check every writer's text passes before it is kept: findings per field, their messages,
their marked-up text, and what the audit log keeps of a confirmation.

Features hold the texts and the audit log; this module only says what was found, so each place
text enters (an assessment, a ticket, a public form, a file name) asks the same question and
records the same answer: which fields and which kinds, never the text itself.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from markupsafe import Markup

from roadmap.pid.finding import KIND_LABELS, Finding
from roadmap.pid.scanner import highlight, scan

PLAIN_WORDS = ("This may identify a patient ({}). Patients must not be identifiable: change it, "
               "or tick the box to confirm that nobody could be identified from it")
# For people without an account (external assessors, MSF and PSQ respondents): no jargon.
PUBLIC_WORDS = ("This could show who a patient is: it seems to hold {}. Please take it out, "
                "or tick the box below if you are sure nobody could tell who the patient is")


def flagged(texts: Mapping[str, Optional[Any]]) -> dict[str, list[Finding]]:
    """The findings in each text that has any, keyed like the texts (non-text values skipped)."""
    found = {}
    for key, text in texts.items():
        if isinstance(text, str) and (findings := scan(text)):
            found[key] = findings
    return found


def kinds(findings: list[Finding]) -> list[str]:
    """The kinds found, in words, once each."""
    return sorted({KIND_LABELS.get(f.kind, f.kind) for f in findings})


def messages(found: Mapping[str, list[Finding]], words: str = PLAIN_WORDS) -> dict[str, str]:
    """The message beside each flagged field, naming what kinds of detail were found."""
    if words is PUBLIC_WORDS:  # "an NHS number or a postcode", as a person says it
        return {key: words.format(" or ".join(
            f"{'an' if label[0] in 'aeiou' or label.startswith('NHS') else 'a'} {label}"
            for label in kinds(findings))) for key, findings in found.items()}
    return {key: words.format(", ".join(kinds(findings))) for key, findings in found.items()}


def marked(texts: Mapping[str, Any], found: Mapping[str, list[Finding]]) -> dict[str, Markup]:
    """Each flagged text, escaped, with its findings highlighted, to show beside its field."""
    return {key: highlight(str(texts[key]), findings) for key, findings in found.items()}


def audit_data(found: Mapping[str, list[Finding]]) -> dict[str, Any]:
    """What a confirmation's audit event keeps: each field and kind confirmed, never the text."""
    return {"findings": [{"field": key, "kind": finding.kind}
                         for key, findings in sorted(found.items()) for finding in findings]}

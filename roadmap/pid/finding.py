"""What a recogniser reports, and how overlapping reports are settled.

Kept apart from the recognisers so each of them, and the scanner, share one small vocabulary.
"""
from __future__ import annotations

import bisect
import re
from typing import Iterable, NamedTuple

PATIENT_DETAILS = "The text may identify a patient"  # a refusal the writer may confirm past


class Finding(NamedTuple):
    """Something in the text that may identify a patient: its kind and where it is."""

    kind: str
    start: int
    end: int
    text: str


# The order is the priority when two findings overlap: a checked NHS number beats the phone
# number its digits also look like, a date of birth beats a plain date, and so on.
KIND_LABELS = {
    "nhs_number": "NHS number",
    "email": "email address",
    "postcode": "postcode",
    "phone": "phone number",
    "date_of_birth": "date of birth",
    "date": "date of a patient's visit",
    "age": "age over 89",
    "address": "street address",
    "place": "hospital or practice named with a patient",
    "name": "name",
}
_PRIORITY = {kind: rank for rank, kind in enumerate(KIND_LABELS)}

_SENTENCE_END = re.compile(r"[.!?;\n]\s")


def found(kind: str, match: re.Match[str], group: int = 0) -> Finding:
    """A finding for one group of a regular-expression match."""
    return Finding(kind, match.start(group), match.end(group), match.group(group))


def before(text: str, start: int, width: int) -> str:
    """Up to `width` characters before `start`, cut at the start of the sentence."""
    window = text[max(0, start - width):start]
    ends = list(_SENTENCE_END.finditer(window))
    return window[ends[-1].end():] if ends else window


def after(text: str, end: int, width: int) -> str:
    """Up to `width` characters after `end`, cut at the end of the sentence."""
    window = text[end:end + width]
    stop = _SENTENCE_END.search(window)
    return window[:stop.start() + 1] if stop else window


def settle(candidates: Iterable[Finding]) -> list[Finding]:
    """The findings in text order with no two overlapping: the higher-priority kind wins.

    Kept findings never overlap, so sorted by start they are sorted by end too, and one binary
    search finds the only neighbours a candidate could overlap: hostile text with tens of
    thousands of findings is settled in n log n steps rather than n squared.
    """
    starts: list[int] = []
    kept: list[Finding] = []
    ranked = sorted(candidates, key=lambda f: (_PRIORITY.get(f.kind, len(_PRIORITY)), f.start))
    for finding in ranked:
        at = bisect.bisect_left(starts, finding.start)
        if at > 0 and kept[at - 1].end > finding.start:
            continue
        if at < len(kept) and kept[at].start < finding.end:
            continue
        starts.insert(at, finding.start)
        kept.insert(at, finding)
    return kept

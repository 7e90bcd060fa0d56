"""Patient-identifiable data in free text (rule D9): one scanner other features can reuse.

The checks lean towards warning: a finding is a prompt for the candidate to look again, and
they may confirm that it identifies nobody. NHS numbers are only flagged with a valid check
digit, since ten digits in a row are common in other things (phone numbers, references).
"""
from __future__ import annotations

import re
from typing import Iterable, Mapping, NamedTuple

import nhs_number
from markupsafe import Markup, escape

PATIENT_DETAILS = "The text may identify a patient"  # a refusal the writer may confirm past


class Finding(NamedTuple):
    """Something in the text that may identify a patient: its kind and where it is."""

    kind: str
    start: int
    end: int
    text: str


KIND_LABELS = {
    "nhs_number": "NHS number",
    "email": "email address",
    "postcode": "postcode",
    "date_of_birth": "date of birth",
    "date": "full date",
    "phone": "phone number",
    "name": "title and name",
}

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DATE = re.compile(
    r"(?<![\w/.-])(?:"
    r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"            # 03/04/1954, 3.4.54
    r"|\d{4}-\d{1,2}-\d{1,2}"                              # 1954-04-03
    r"|\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTHS + r"\.?,?\s+\d{4}"   # 3rd April 1954
    r"|" + _MONTHS + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"   # April 3, 1954
    r")(?![\w/])", re.IGNORECASE)
_BIRTH_CUE = re.compile(r"\b(?:d\.?o\.?b\.?|born|date\s+of\s+birth|birth\s*date|birthday)\b",
                        re.IGNORECASE)
_NHS = re.compile(r"(?<![\d])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_POSTCODE = re.compile(r"\b(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b",
                       re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?(?:[\s-]?\d){6,8}(?!\d)")
_NAME = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\b\.?\s+[A-Z][a-zA-Z'\-]+"
                   r"(?:\s+[A-Z][a-zA-Z'\-]+)?")
CUE_DISTANCE = 30  # characters between "DOB" or "born" and the date


def _nhs_numbers(text: str) -> Iterable[Finding]:
    for match in _NHS.finditer(text):
        if nhs_number.is_valid("".join(match.groups())):
            yield Finding("nhs_number", match.start(), match.end(), match.group(0))


def _dates(text: str) -> Iterable[Finding]:
    cues = [cue.end() for cue in _BIRTH_CUE.finditer(text)]
    for match in _DATE.finditer(text):
        near = any(0 <= match.start() - end <= CUE_DISTANCE for end in cues)
        yield Finding("date_of_birth" if near else "date", match.start(), match.end(),
                      match.group(0))


def _simple(kind: str, pattern: re.Pattern[str], text: str) -> Iterable[Finding]:
    for match in pattern.finditer(text):
        yield Finding(kind, match.start(), match.end(), match.group(0))


def scan(text: str) -> list[Finding]:
    """Every possible identifier in the text, in order; an earlier kind wins an overlap."""
    if not text:
        return []
    found: list[Finding] = []
    candidates = [*_nhs_numbers(text), *_simple("email", _EMAIL, text),
                  *_simple("postcode", _POSTCODE, text), *_dates(text),
                  *_simple("phone", _PHONE, text), *_simple("name", _NAME, text)]
    for finding in candidates:
        if not any(finding.start < kept.end and kept.start < finding.end for kept in found):
            found.append(finding)
    return sorted(found, key=lambda f: f.start)


def highlight(text: str, findings: list[Finding]) -> Markup:
    """The text, escaped, with each finding wrapped in <mark> and named for screen readers."""
    parts, position = [], 0
    for finding in sorted(findings, key=lambda f: f.start):
        parts.append(escape(text[position:finding.start]))
        label = KIND_LABELS.get(finding.kind, finding.kind)
        parts.append(Markup('<mark class="roadmap-pid"><span class="nhsuk-u-visually-hidden">'
                            'possible {}: </span>{}</mark>').format(label, finding.text))
        position = finding.end
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


def warnings(texts: Mapping[str, str]) -> dict[str, str]:
    """A warning for each text that may identify a patient, keyed like the texts."""
    found = {}
    for key, text in texts.items():
        kinds = sorted({KIND_LABELS.get(f.kind, f.kind) for f in scan(text or "")})
        if kinds:
            found[key] = (f"This may identify a patient ({', '.join(kinds)}): change it, or "
                          "confirm that none of it does")
    return found

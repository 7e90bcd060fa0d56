"""The scanner: every recogniser over the text, overlaps settled, findings marked up or summed up."""
from __future__ import annotations

import re
from typing import Iterable, Mapping

from markupsafe import Markup, escape

from roadmap.pid import dates, names, numbers, places
from roadmap.pid.finding import KIND_LABELS, Finding, settle

_PERSON_KINDS = set(KIND_LABELS) - {"place"}


def scan(text: str, known_people: Iterable[str] = ()) -> list[Finding]:
    """Every possible patient identifier in the text, in order, none overlapping.

    `known_people`: full names of people the caller knows are staff around this text (the
    candidate, their supervisors and assessors); their names are never flagged as patients'."""
    if not text:
        return []
    people = list(names.names(text, known_people))
    found = settle([*numbers.nhs_numbers(text), *numbers.emails(text), *numbers.postcodes(text),
                    *numbers.phones(text), *dates.dates(text), *dates.ages(text),
                    *places.addresses(text), *people,
                    *(age for name in people for age in names.ages_after(text, name))])
    person = any(finding.kind in _PERSON_KINDS for finding in found)
    return settle([*found, *places.facilities(text, person)])


# Bidirectional embedding, override and isolate controls (U+202A-202E, U+2066-2069): a right-to-
# left override makes "LS1 4AP" show as "PA4 1SL", so the writer would not recognise what is
# highlighted. They are dropped from what is shown; the offsets still index the text as typed.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def shown(text: str) -> str:
    """The text without bidirectional controls, as a highlight shows it."""
    return _BIDI.sub("", text)


def highlight(text: str, findings: list[Finding]) -> Markup:
    """The text, escaped and without bidirectional controls, with each finding wrapped in <mark>
    and named for screen readers."""
    parts, position = [], 0
    for finding in sorted(findings, key=lambda f: f.start):
        parts.append(escape(shown(text[position:finding.start])))
        label = KIND_LABELS.get(finding.kind, finding.kind)
        parts.append(Markup('<mark class="roadmap-pid"><span class="nhsuk-u-visually-hidden">'
                            'possible {}: </span>{}</mark>').format(label, shown(finding.text)))
        position = finding.end
    parts.append(escape(shown(text[position:])))
    return Markup("").join(parts)


def warnings(texts: Mapping[str, str], known_people: Iterable[str] = ()) -> dict[str, str]:
    """A warning for each text that may identify a patient, keyed like the texts."""
    found, known_people = {}, list(known_people)
    for key, text in texts.items():
        kinds = sorted({KIND_LABELS.get(f.kind, f.kind) for f in scan(text or "", known_people)})
        if kinds:
            found[key] = (f"This may identify a patient ({', '.join(kinds)}): change it, or "
                          "confirm that none of it does")
    return found

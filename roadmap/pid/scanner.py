"""The scanner: every recogniser over the text, overlaps settled, findings marked up or summed up."""
from __future__ import annotations

from typing import Mapping

from markupsafe import Markup, escape

from roadmap.pid import dates, names, numbers, places
from roadmap.pid.finding import KIND_LABELS, Finding, settle

_PERSON_KINDS = set(KIND_LABELS) - {"place"}


def scan(text: str) -> list[Finding]:
    """Every possible patient identifier in the text, in order, none overlapping."""
    if not text:
        return []
    people = list(names.names(text))
    found = settle([*numbers.nhs_numbers(text), *numbers.emails(text), *numbers.postcodes(text),
                    *numbers.phones(text), *dates.dates(text), *dates.ages(text),
                    *places.addresses(text), *people,
                    *(age for name in people for age in names.ages_after(text, name))])
    person = any(finding.kind in _PERSON_KINDS for finding in found)
    return settle([*found, *places.facilities(text, person)])


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

"""Where a patient lives or is registered: street addresses, and hospitals or practices.

A street address is a house number and capitalised words ending in a street word ("12 Acacia
Avenue"), or a house number and a name after "lives at" or "address" ("lives at 4 Kingsway").
A hospital or practice is only flagged when the same text also identifies a patient some other
way: "I work at Elmwood Surgery" is about the writer, "Mrs Hill of Elmwood Surgery" narrows a
practice list down to one person.
"""
from __future__ import annotations

import re
from typing import Iterator

from roadmap.pid.finding import Finding, before, found

_CAP = r"[A-Z][a-z]+(?:['’-][A-Za-z]+)?"
_STREET_WORD = (r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Close|Drive|Way|Crescent|Gardens|Terrace|"
                r"Place|Court|Grove|Walk|Row|Square|Mews|Hill|View|Rise|Park|Parade|Green|Vale)")
_MONTH = re.compile(r"^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)", re.IGNORECASE)
_NUMBERED = re.compile(
    r"(?<![\w/.,-])((?:(?:Flat|Apartment|Unit)\s\d{1,4}[A-Za-z]?,?\s)?\d{1,4}[A-Za-z]?,?\s"
    r"((?:" + _CAP + r"\s){0,2}" + _CAP + r"))(?![\w'’-])")
_STREET = re.compile(r"(?:^|\s)" + _STREET_WORD + r"$")
_ADDRESS_CUE = re.compile(r"\b(?:lives?|living|resides?|moved|address(?:\s+on)?|from)\b"
                          r"[^.]{0,25}$", re.IGNORECASE)
_FACILITY = re.compile(
    r"(?<![\w'’-])((?:" + _CAP + r"\s){1,3}(?:Hospital|Surgery|Practice|Infirmary|Clinic|Centre))\b"
    r"|(?<![\w'’-])(St\.?\s(?:" + _CAP + r"\s){1,2}(?:Hospital|Surgery|Practice|Infirmary|Clinic|Centre))\b")


def addresses(text: str) -> Iterator[Finding]:
    """House numbers with a street ("12 Acacia Avenue"), or after "lives at" ("4 Kingsway")."""
    for match in _NUMBERED.finditer(text):
        street = match.group(2)
        if _MONTH.match(street):
            continue  # "14 March": a date, not a house
        if _STREET.search(street) or _ADDRESS_CUE.search(before(text, match.start(), 40)):
            yield found("address", match, 1)


def facilities(text: str) -> Iterator[Finding]:
    """Hospitals, surgeries and practices by name; the scanner keeps them only beside a patient."""
    for match in _FACILITY.finditer(text):
        yield found("place", match, 1 if match.group(1) else 2)

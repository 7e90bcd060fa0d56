"""Where a patient lives or is registered: street addresses, and hospitals or practices.

A street address is a house number and capitalised words ending in a street word ("12 Acacia
Avenue"), or a house number and a name after "lives at" or "address" ("lives at 4 Kingsway").
A hospital or practice is only flagged beside a patient: when the text identifies one some other
way, or says "patient", "seen at", "registered with" in the same sentence. "I work at Elmwood
Surgery" is about the writer; "Mrs Hill of Elmwood Surgery" narrows a list down to one person.
"""
from __future__ import annotations

import re
from typing import Iterator

from roadmap.pid.finding import Finding, after, before, found

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


_PATIENT_HERE = re.compile(r"\b(?:patient|pt|(?:seen|treated|admitted|registered)\s+(?:at|with|to)|"
                           r"discharged\s+from|referred\s+(?:from|by)|her\s+gp|his\s+gp)\b",
                           re.IGNORECASE)


def facilities(text: str, beside_patient: bool) -> Iterator[Finding]:
    """Hospitals, surgeries and practices named beside a patient: one identified elsewhere in
    the text (`beside_patient`), or "patient", "seen at" and the like in the same sentence."""
    for match in _FACILITY.finditer(text):
        group = 1 if match.group(1) else 2
        if beside_patient or _PATIENT_HERE.search(before(text, match.start(group), 60)) or \
                _PATIENT_HERE.search(after(text, match.end(group), 40)):
            yield found("place", match, group)

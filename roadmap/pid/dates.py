"""Dates that belong to a patient (a birth date, the day they were seen) and ages over 89.

A date alone is not flagged: portfolios are full of training days, sign-offs and audit dates,
and warning on each would teach writers to confirm past every warning. A date is flagged when
a birth cue ("DOB", "born") sits just before it, or a patient-event cue ("seen", "injected",
"rang") sits before it in the same sentence with no training cue ("course", "signed off").
An age over 89 is flagged wherever it is written as an age: so few people are that old that
the age, with the practice and the date in a reflection, can point to one person (the HIPAA
Safe Harbor rule folds such ages into "90 or older" for the same reason).
"""
from __future__ import annotations

import re
from typing import Iterator

from roadmap.pid.finding import Finding, before, found

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DATE = re.compile(
    r"(?<![\w/.-])(?:"
    r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"                     # 03/04/1954, 3.4.54
    r"|\d{4}-\d{1,2}-\d{1,2}"                                       # 1954-04-03
    r"|\d{1,2}(?:st|nd|rd|th)?\s{1,3}" + _MONTHS + r"\.?,?\s{1,3}\d{4}"   # 3rd April 1954
    r"|" + _MONTHS + r"\.?\s{1,3}\d{1,2}(?:st|nd|rd|th)?,?\s{1,3}\d{4}"   # April 3, 1954
    r")(?![\w/])", re.IGNORECASE)
_BIRTH_CUE = re.compile(r"\b(?:d\.?o\.?b|born|date\s+of\s+birth|birth\s*date|birthday)\b",
                        re.IGNORECASE)
BIRTH_DISTANCE = 30  # characters between "DOB" or "born" and the date
_EVENT_CUE = re.compile(
    r"\b(?:seen|saw|see|reviewed|review|injected|injection|appointment|admitted|discharged|"
    r"operated|fell|fall|rang|called|telephone|visit(?:ed)?|presented|attended\s+(?:clinic|ed|a&e)|"
    r"came\s+in|consultation)\b", re.IGNORECASE)
_TRAINING_CUE = re.compile(
    r"\b(?:course|training|workshop|e-learning|study\s+day|conference|module|signed\s+off|"
    r"sign-off|supervision|audit|teaching|pathway|self-assessment|on-call|completed|meeting|"
    r"shadowed|presented\s+the|portfolio|changed|moved|webinar|lecture|progress\s+review|"
    r"approved|referred\s+back)\b",
    re.IGNORECASE)
EVENT_DISTANCE = 60  # characters before the date, within its sentence

_OLD = r"(9\d|1[01]\d)"  # 90 to 119
_AGE = re.compile(
    r"(?<![\w.])" + _OLD + r"(?:\s?-?\s?(?:years?|yrs?)[\s-]{0,2}old|\s?(?:y/?o|yrs?)\b|\s?-year\b)"
    r"|\b(?:aged?|who\s+is|is\s+now|(?:lady|gentleman|man|woman|patient)(?:\s+of|\s?,))\s{1,3}"
    + _OLD + r"\b"
    r"|(?<![\w'’-])(?:she|he|(?-i:[A-Z][a-z]+))\s+is\s+(?:now\s+)?" + _OLD
    + r"\b(?!\s?(?:%|mg|kg|ml|cm|mm|bpm|/|mmol|points?))",
    re.IGNORECASE)


def dates(text: str) -> Iterator[Finding]:
    """Dates of birth, and dates on which a patient was seen."""
    for match in _DATE.finditer(text):
        lead = before(text, match.start(), EVENT_DISTANCE)
        if _BIRTH_CUE.search(lead[-BIRTH_DISTANCE:]):
            yield found("date_of_birth", match)
        elif _EVENT_CUE.search(lead) and not _TRAINING_CUE.search(lead):
            yield found("date", match)


def ages(text: str) -> Iterator[Finding]:
    """Ages of 90 and over, written as ages ("94-year-old", "aged 93", "a lady of 91")."""
    for match in _AGE.finditer(text):
        group = next(number for number in (1, 2, 3) if match.group(number))
        yield found("age", match, group)

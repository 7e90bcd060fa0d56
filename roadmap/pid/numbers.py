"""Identifiers with a fixed shape: NHS numbers (checked), emails, UK postcodes and phone numbers.

Every pattern starts at a boundary a lookbehind checks in one step, so a run of 10^5 letters or
digits is read once rather than once per starting position (no quadratic or worse backtracking).
"""
from __future__ import annotations

import re
from typing import Iterator

import nhs_number

from roadmap.pid.finding import Finding, found

# Ten digits as 3-3-4 with optional separators; only a valid check digit counts, since ten
# digits in a row are common in other things (phone numbers, references). Not inside a longer
# run of letters and digits: one in eleven ten-digit stretches of a SHA-256 hash has a valid
# check digit (the demo's content hashes did), and no one writes an NHS number glued to letters.
# A separator is one space of any kind (no-break, thin, a tab, a line break: \s in Python reads
# them all), a hyphen or a dot ("943.476.5919"): a letter pasted from a table or a PDF splits
# numbers every way. Not inside a dotted run ("v1.943.476.5919.2").
_SEP = r"[\s.-]?"
_NHS = re.compile(r"(?<![\w.])(\d{3})" + _SEP + r"(\d{3})" + _SEP + r"(\d{4})(?![\w]|\.\d)")
# After "NHS number" or "NHS no", ten digits grouped any way ("7843 550 313"): the cue says what
# they are, and the check digit still decides.
_NHS_CUED = re.compile(r"\bNHS\s?(?:no\b\.?|number|num\b\.?|#)?:?\s{0,3}(\d(?:[\s.-]?\d){9})(?![\w])",
                       re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,6}"
                    r"\.[A-Za-z]{2,24}\b")
# The Royal Mail's shapes: outward code (area letters, district), a space or none, inward code
# (a digit, two letters that are never C, I, K, M, O or V).
# Not after a hyphen: codes such as a stage's verification code "RM-Q2TYV-JT6ZG-V47XH" hold
# postcode shapes, and no one hyphenates a postcode onto a word.
# Between the halves, up to two spaces of any kind ("LS1  4AP", a no-break space from a letter).
_GAP = r"[ \t\u00a0\u2007-\u200a\u202f]{0,2}"
_POSTCODE = re.compile(r"(?<![\w-])(?:GIR" + _GAP + r"0AA|[A-Z]{1,2}\d[A-Z\d]?" + _GAP
                       + r"\d[ABD-HJLNP-UW-Z]{2})(?![\w])",
                       re.IGNORECASE)
_ORDINAL = re.compile(r"\d(?:st|nd|rd|th)$")  # "L5 4th": a vertebra and an ordinal, not a place
# UK numbers: +44 or a leading 0, then 9 or 10 more digits in the usual groupings; not run on
# into letters (a hash such as "0302188044 44f5…" is no phone number).
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?(?:[\s-]?\d){6,8}(?![\w])")


def nhs_numbers(text: str) -> Iterator[Finding]:
    """Ten-digit numbers whose check digit is right."""
    starts = set()
    for match in _NHS.finditer(text):
        if nhs_number.is_valid("".join(match.groups())):
            starts.add(match.start())
            yield found("nhs_number", match)
    for match in _NHS_CUED.finditer(text):
        digits = re.sub(r"\D", "", match.group(1))
        if match.start(1) not in starts and nhs_number.is_valid(digits):
            yield found("nhs_number", match, 1)


def emails(text: str) -> Iterator[Finding]:
    """Anything shaped like an email address."""
    return (found("email", match) for match in _EMAIL.finditer(text))


def postcodes(text: str) -> Iterator[Finding]:
    """Full UK postcodes, in capitals or not; an ordinal such as "L5 4th" is left alone."""
    for match in _POSTCODE.finditer(text):
        if not (_ORDINAL.search(match.group(0)) and not match.group(0).isupper()):
            yield found("postcode", match)


def phones(text: str) -> Iterator[Finding]:
    """UK landline and mobile numbers, with or without +44, spaces or brackets."""
    return (found("phone", match) for match in _PHONE.finditer(text))

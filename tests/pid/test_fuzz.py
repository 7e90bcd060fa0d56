"""The scanner on hostile text: it never raises, its findings are slices of the text, and its
time grows in step with the text (no regular expression that backtracks over a long run)."""
from __future__ import annotations

import time

import pytest
from hypothesis import given, settings, strategies as st

from roadmap.pid import highlight, scan

# Characters the patterns care about, and some they have never met.
ALPHABET = st.sampled_from(list("aAzZ019 .,;:/-'’()[]{}<>@+%\n\tMrsDOBLS") +
                           ["😀", "👩🏽‍⚕️", "\u200b", "\u0301", "é", "ß", "Ω", "中", "\x00"])
HOSTILE = ["a", "A", "Aa ", "Mary Hill ", "1", "1 ", "(", "([{<", "Mr ", "Mrs A ", "a@", "a.",
           "12 Acacia ", "😀", "1/1/", "saw Aa ", "LS6 ", "07700 ", "A-", "O'", "aged 9", "Aa is 9",
           "Saw Mary Hill, 94, DOB 1/1/1930. ", "+44 ", "943 476 5919 "]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(ALPHABET, st.sampled_from(HOSTILE)), max_size=300).map("".join))
def test_scan_never_raises_and_findings_are_ordered_disjoint_slices(text: str):
    findings = scan(text)
    for finding in findings:
        assert text[finding.start:finding.end] == finding.text and finding.start < finding.end
    for first, second in zip(findings, findings[1:]):
        assert first.end <= second.start
    highlight(text, findings)


def _seconds(text: str) -> float:
    """CPU seconds of this process (not the wall clock, which other work on the machine moves)."""
    started = time.process_time()
    scan(text)
    return time.process_time() - started


@pytest.mark.parametrize("unit", HOSTILE)
def test_a_hundred_thousand_characters_take_about_ten_times_ten_thousand(unit: str):
    """Quadratic backtracking would take a hundred times as long (the age pattern once took 390 s
    on 10^5 letters); the slack is for other work on a shared 2-core machine."""
    small, large = ((unit * (n // len(unit) + 1))[:n] for n in (10_000, 100_000))
    short = min(_seconds(small) for _ in range(3))
    long = min(_seconds(large) for _ in range(2))
    assert long < max(40 * short, 1.0) and long < 5, (unit, short, long)

"""An outsider's attack on a region's tables, for the tests: what can be worked out of a hidden
figure from the figures shown and the sums a reader knows hold.

The equations are written here from what the tables mean (the hubs add up to the region; a hub's
stages, and its states, add up to its candidates; this year's quarters to this year's sign-offs;
the forecast is so far plus the expected), not taken from roadmap.regions.report, so a sum the
report forgets to protect shows up as a leak.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Iterable, Mapping

from roadmap.regions.figures import STAGES, STATES
from roadmap.regions.report import TOTAL, RegionReport
from roadmap.regions.suppress import FEW_SIGNOFFS, FEWER_THAN_5, NOT_SHOWN

Key = tuple[str, str]
Equation = dict[Key, Fraction]  # the sum of coefficient x figure is a known number
HIDDEN = (FEWER_THAN_5, NOT_SHOWN, FEW_SIGNOFFS)
# Columns that add up from the hubs to the region (staff too: the tests' hubs share nobody).
ADDING_UP = ("open", *STAGES, *STATES, "no_backup", "this_year", "last_12", "supervisors", "fte",
             "capacity", "carried", "over", "pace", "expected", "forecast")


def equations(report: RegionReport) -> list[Equation]:
    """Every linear relation between the report's figures that a reader can rely on."""
    rows = [row.key for row in report.hubs]
    columns = [*ADDING_UP, *(f"signed_{i}" for i in range(len(report.quarters))),
               *(f"enrolled_{i}" for i in range(len(report.quarters)))]
    found: list[Equation] = [
        {**{(row, column): Fraction(1) for row in rows}, (TOTAL, column): Fraction(-1)}
        for column in columns]
    year = report.year
    in_year = [f"signed_{i}" for i, q in enumerate(report.quarters) if q.start >= year.start]
    for row in [*report.hubs, report.total]:
        key = row.key
        found.append({**{(key, s): Fraction(1) for s in STAGES}, (key, "open"): Fraction(-1)})
        found.append({**{(key, s): Fraction(1) for s in STATES}, (key, "open"): Fraction(-1)})
        found.append({**{(key, q): Fraction(1) for q in in_year}, (key, "this_year"): Fraction(-1)})
        found.append({(key, "this_year"): Fraction(1), (key, "expected"): Fraction(1),
                      (key, "forecast"): Fraction(-1)})
        found.append({(key, "last_12"): Fraction(1, 12), (key, "pace"): Fraction(-1)})
        if year.days_left:
            found.append({(key, "last_12"): Fraction(year.days_left, 365),
                          (key, "expected"): Fraction(-1)})
        found.append({(key, "fte"): Fraction(4), (key, "capacity"): Fraction(-1)})
        target = row.forecast.target
        if target:
            found.append({(key, "this_year"): Fraction(1, target), (key, "share"): Fraction(-1)})
            found.append({(key, "forecast"): Fraction(1), (key, "gap"): Fraction(-1)})
    return found


def hidden_cells(report: RegionReport) -> set[Key]:
    """Every figure a page, the CSV or a chart does not show."""
    return {(row.key, column) for row in [*report.hubs, report.total]
            for column, text in row.cells.items() if text in HIDDEN}


def peel(hidden: set[Key], found: Iterable[Equation]) -> set[Key]:
    """The hidden figures an outsider works out by subtraction alone: any sum with one unknown
    left gives it, and what it gives is known from then on."""
    unknown, recovered, found = set(hidden), set(), list(found)
    progress = True
    while progress:
        progress = False
        for equation in found:
            left = [key for key in equation if key in unknown]
            if len(left) == 1:
                unknown.discard(left[0])
                recovered.add(left[0])
                progress = True
    return recovered


def solve(hidden: set[Key], found: Iterable[Equation]) -> set[Key]:
    """The hidden figures fixed by every equation together (exact Gaussian elimination: a
    figure is fixed when the equations combine into one that holds it alone)."""
    basis: dict[Key, dict[Key, Fraction]] = {}
    for equation in found:
        row = {key: c for key, c in equation.items() if key in hidden and c}
        for pivot in [key for key in row if key in basis]:
            factor = row.get(pivot)
            if factor:
                for key, c in basis[pivot].items():
                    row[key] = row.get(key, Fraction(0)) - factor * c
        row = {key: c for key, c in row.items() if c}
        if not row:
            continue
        pivot = min(row)
        scale = row[pivot]
        row = {key: c / scale for key, c in row.items()}
        for other in basis.values():
            factor = other.get(pivot)
            if factor:
                for key, c in row.items():
                    other[key] = other.get(key, Fraction(0)) - factor * c
                for key in [key for key, c in other.items() if not c]:
                    del other[key]
        basis[pivot] = row
    return {pivot for pivot, row in basis.items() if list(row) == [pivot]}


def shown_numbers(report: RegionReport) -> Mapping[Key, str]:
    """Every cell's text by key, for the tests' messages."""
    return {(row.key, column): text for row in [*report.hubs, report.total]
            for column, text in row.cells.items()}


def _number(text: str) -> float:
    """A shown cell's figure (a share in per cent, a gap in words, a spread: not used in sums)."""
    return float(text.rstrip("%").split()[0])


def pinned(report: RegionReport, found: Iterable[Equation]) -> set[Key]:
    """Hidden counts an outsider pins down by their bounds: a "fewer than 5" is 1 to 4, so if
    the hidden members of a sum (all "fewer than 5", all on one side) add up to as many as
    there are of them, each is 1; to four times as many, each is 4."""
    cells = shown_numbers(report)
    found_keys: set[Key] = set()
    for equation in found:
        if any(abs(c) != 1 for c in equation.values()):
            continue
        hidden = [key for key in equation if cells.get(key) in HIDDEN]
        if not hidden or any(cells[key] != FEWER_THAN_5 for key in hidden):
            continue
        signs = {equation[key] for key in hidden}
        if len(signs) != 1:
            continue
        rest = -sum(c * _number(cells[key]) for key, c in equation.items() if key not in hidden)
        if abs(rest) in (len(hidden), 4 * len(hidden)):
            found_keys.update(hidden)
    return found_keys

"""Small numbers hidden, so that a regional lead cannot single anyone out.

First, every count from 1 to 4 is shown as "fewer than 5" (primary suppression), and every
figure worked out from fewer than 5 people is hidden as "not shown (fewer than 5 sign-offs)" (a
median of three sign-offs is one of those three people's time). Then, wherever figures add up to one another (the hubs to the region's total in
each column, the stages and the states of a hub's candidates to its candidates, this year's
quarters to the year, the forecast to so far plus the expected), one hidden figure in a sum
could be worked out by subtraction: the smallest other figure above zero in the same sum is
hidden too ("not shown", complementary suppression), and again, until no sum has exactly one
hidden figure in it. A sum whose hidden figures are all "fewer than 5" gets one more as well:
their total is known, and hidden counts are never 0, so two hidden 1s adding up to 2 would be
found. Two figures worked out from each other (sign-offs of the last 12 months and the pace a
month) are hidden together, and hiding a figure hides what is worked out from it (a hidden
count of supervisors hides their FTE).

Sums taken one at a time are not the whole story: the equations together can still pin a hidden
figure down (two sums that share all but one hidden figure give it by difference). So once no
single sum gives anything away, the grid's equations are solved together (Gaussian elimination
over the hidden figures, in exact arithmetic modulo a large prime) and any hidden figure they
fix hides one more figure beside it, until none is fixed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Iterable, Mapping, Optional, Sequence, Union

FEWER_THAN_5 = "fewer than 5"
NOT_SHOWN = "not shown"
# A median or spread of fewer than 5 sign-offs: "fewer than 5" beside a number of weeks reads
# as "under 5 weeks", so the words say what there are fewer than 5 of.
FEW_SIGNOFFS = "not shown (fewer than 5 sign-offs)"
SMALLEST, LARGEST = 1, 4
PRIME = (1 << 61) - 1  # exact elimination without fractions growing: entries are small rationals

Key = tuple[str, str]  # (row, column)
Coefficient = Union[int, Fraction]


@dataclass(frozen=True)
class Sum:
    """Figures that add up to another one (`whole`); with no whole, the parts add up to zero
    once `negative` are subtracted (two ways of counting the same candidates)."""

    parts: Sequence[Key]
    whole: Optional[Key] = None
    negative: Sequence[Key] = ()

    @property
    def members(self) -> list[Key]:
        """Every figure in the sum, the whole last."""
        return [*self.parts, *self.negative, *([self.whole] if self.whole else [])]

    @property
    def terms(self) -> dict[Key, Coefficient]:
        """The sum as an equation: these coefficients times the figures make a known number."""
        found: dict[Key, Coefficient] = dict.fromkeys(self.parts, 1)
        found.update(dict.fromkeys(self.negative, -1))
        if self.whole:
            found[self.whole] = -1
        return found


@dataclass(frozen=True)
class Same:
    """Two figures each worked out from the other: `figure` is `factor` times `source`, give
    or take figures that are shown (a target), so showing either shows both."""

    source: Key
    figure: Key
    factor: Fraction

    @property
    def terms(self) -> dict[Key, Coefficient]:
        """The pair as an equation, as Sum.terms."""
        return {self.source: self.factor, self.figure: -1}


@dataclass
class Grid:
    """The figures of a table by (row, column), and why each hidden one is hidden."""

    values: dict[Key, float]
    hidden: dict[Key, str] = field(default_factory=dict)

    def text(self, key: Key, shown: str) -> str:
        """What a cell shows: its words if hidden, else `shown` (the figure, formatted)."""
        return self.hidden.get(key, shown)

    def is_hidden(self, key: Key) -> bool:
        """True when the figure must not be shown."""
        return key in self.hidden


def small(value: float) -> bool:
    """True for a count from 1 to 4."""
    return SMALLEST <= value <= LARGEST


def protect(grid: Grid, counts: Iterable[Key], sums: Iterable[Sum],
            derived: Optional[Mapping[Key, Iterable[Key]]] = None, few: Iterable[Key] = (),
            same: Iterable[Same] = ()) -> Grid:
    """Hide the grid's small counts, the figures worked out from them, and enough figures
    beside them that no hidden one can be worked out from the sums; the grid, changed."""
    for key in counts:
        if small(grid.values.get(key, 0)):
            grid.hidden[key] = FEWER_THAN_5
    for key in few:
        grid.hidden.setdefault(key, FEW_SIGNOFFS)
    sums, same, derived = list(sums), list(same), derived or {}
    equations = [_residues(total.terms) for total in sums] + [_residues(pair.terms) for pair in same]
    holding: dict[Key, list[int]] = {}  # each figure's equations, by their place in the list
    for place, equation in enumerate(equations):
        for key in equation:
            holding.setdefault(key, []).append(place)
    while True:
        changed = True
        while changed:
            changed = _spread(grid, derived) | _pairs(grid, same)
            for total in sums:
                changed = _complement(grid, total) or changed
        fixed = set()
        for group in _apart(grid, equations, holding):
            fixed |= _fixed(grid, group)
        if not fixed or not _unfix(grid, fixed, equations, holding):
            return grid


def _complement(grid: Grid, total: Sum) -> bool:
    """Hide one more figure of a sum that would give a hidden one away; True if it did."""
    hidden = [key for key in total.members if key in grid.hidden]
    bounded = (hidden and all(grid.hidden[key] == FEWER_THAN_5 for key in hidden)
               and (total.whole is None or total.whole not in grid.hidden))
    if len(hidden) != 1 and not bounded:
        return False
    # The smallest figure above zero among the parts, or failing that the whole: zeros stay
    # shown, as they tell nothing about anyone.
    candidates = [key for key in [*total.parts, *total.negative]
                  if key not in grid.hidden and grid.values.get(key, 0) > 0]
    pick = min(candidates, key=lambda key: (grid.values[key], key)) if candidates else total.whole
    if pick is None or pick in grid.hidden:
        return False
    grid.hidden[pick] = NOT_SHOWN
    return True


def _spread(grid: Grid, derived: Mapping[Key, Iterable[Key]]) -> bool:
    """Hide what is worked out from a hidden figure; True if anything more was hidden."""
    changed = False
    for key, dependents in derived.items():
        if key not in grid.hidden:
            continue
        for dependent in dependents:
            if dependent not in grid.hidden:
                grid.hidden[dependent] = NOT_SHOWN
                changed = True
    return changed


def _pairs(grid: Grid, same: Iterable[Same]) -> bool:
    """Hide both figures of a pair worked out from each other when either is hidden."""
    changed = False
    for pair in same:
        if (pair.source in grid.hidden) != (pair.figure in grid.hidden):
            grid.hidden.setdefault(pair.source, NOT_SHOWN)
            grid.hidden.setdefault(pair.figure, NOT_SHOWN)
            changed = True
    return changed


def _residues(terms: Mapping[Key, Coefficient]) -> dict[Key, int]:
    """An equation's coefficients modulo the prime."""
    return {key: _residue(value) for key, value in terms.items() if value}


@lru_cache(maxsize=None)
def _residue(value: Coefficient) -> int:
    """A coefficient modulo the prime: a fraction is its numerator times its denominator's
    inverse (the prime is far larger than any denominator here: 12, 365, a target)."""
    value = Fraction(value)
    return value.numerator * pow(value.denominator, PRIME - 2, PRIME) % PRIME


def _apart(grid: Grid, equations: list[dict[Key, int]],
           holding: Mapping[Key, list[int]]) -> list[list[dict[Key, int]]]:
    """The equations that hold hidden figures, in groups sharing none: each group is solved on
    its own, which keeps the elimination small."""
    seen: set[int] = set()
    groups = []
    for start in grid.hidden:
        places = [place for place in holding.get(start, ()) if place not in seen]
        group = []
        while places:
            place = places.pop()
            if place in seen:
                continue
            seen.add(place)
            group.append(equations[place])
            for key in equations[place]:
                if key in grid.hidden:
                    places.extend(other for other in holding[key] if other not in seen)
        if group:
            groups.append(group)
    return groups


def _fixed(grid: Grid, equations: Iterable[Mapping[Key, int]]) -> set[Key]:
    """The hidden figures that the equations, together, fix to one value.

    The equations are reduced to a basis in which each pivot figure appears in its own row
    only; a hidden figure is fixed exactly when its row holds nothing else.
    """
    basis: dict[Key, dict[Key, int]] = {}
    for equation in equations:
        row = {key: c for key, c in equation.items() if key in grid.hidden}
        for pivot in [key for key in row if key in basis]:
            factor = row.get(pivot, 0)
            for key, c in basis[pivot].items():
                row[key] = (row.get(key, 0) - factor * c) % PRIME
        row = {key: c for key, c in row.items() if c}
        if not row:
            continue
        pivot = min(row)
        inverse = pow(row[pivot], PRIME - 2, PRIME)
        row = {key: c * inverse % PRIME for key, c in row.items()}
        for other in basis.values():
            factor = other.get(pivot, 0)
            if factor:
                for key, c in row.items():
                    other[key] = (other.get(key, 0) - factor * c) % PRIME
                    if not other[key]:
                        del other[key]
        basis[pivot] = row
    return {pivot for pivot, row in basis.items() if len(row) == 1}


def _unfix(grid: Grid, fixed: set[Key], equations: list[dict[Key, int]],
           holding: Mapping[Key, list[int]]) -> bool:
    """Hide, for each fixed figure, the smallest figure shown in an equation that holds it
    (above zero if there is one), or failing that in an equation joined to it by hidden
    figures; True if anything more was hidden."""
    changed = False
    for key in sorted(fixed):
        places, reached = list(holding.get(key, ())), set()
        while places:
            beside = {other for place in places for other in equations[place]
                      if other not in grid.hidden and other in grid.values}
            if beside:
                pick = min(beside, key=lambda other: (grid.values[other] <= 0,
                                                      grid.values[other], other))
                grid.hidden[pick] = NOT_SHOWN
                changed = True
                break
            reached.update(places)
            places = sorted({other for place in places for member in equations[place]
                             for other in holding.get(member, ()) if other not in reached})
    return changed

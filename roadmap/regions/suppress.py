"""Small numbers hidden, so that a regional lead cannot single anyone out.

First, every count from 1 to 4 is shown as "fewer than 5", and so is every figure worked out
from fewer than 5 people (a median of three sign-offs is one of those three people's time).
Then, wherever figures add up to one another (the hubs to the region's total, the states of a
hub's candidates to its candidates, this year's quarters to the year), a single hidden figure
could be worked out by subtraction: the smallest other figure above zero in the same sum is
hidden too ("not shown"), and again, until no sum has exactly one hidden figure in it.
Hiding a figure also hides the figures worked out from it (a hidden count of supervisors hides
their FTE; a hidden count of sign-offs hides the forecast made from it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional, Sequence

FEWER_THAN_5 = "fewer than 5"
NOT_SHOWN = "not shown"
SMALLEST, LARGEST = 1, 4

Key = tuple[str, str]  # (row, column)


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
            derived: Optional[Mapping[Key, Iterable[Key]]] = None, few: Iterable[Key] = ()) -> Grid:
    """Hide the grid's small counts, the figures worked out from them, and enough figures
    beside them that no hidden one can be worked out from a sum; the grid, changed."""
    for key in counts:
        if small(grid.values.get(key, 0)):
            grid.hidden[key] = FEWER_THAN_5
    for key in few:
        grid.hidden.setdefault(key, FEWER_THAN_5)
    sums, derived = list(sums), derived or {}
    changed = True
    while changed:
        changed = _spread(grid, derived)
        for total in sums:
            members = total.members
            hidden = [key for key in members if key in grid.hidden]
            if len(hidden) != 1:
                continue
            # The smallest figure above zero among the parts, or failing that the whole: zeros
            # stay shown, as hiding one would tell nothing a reader could not already work out.
            candidates = [key for key in [*total.parts, *total.negative]
                          if key not in grid.hidden and grid.values.get(key, 0) > 0]
            pick = (min(candidates, key=lambda key: (grid.values[key], key)) if candidates
                    else total.whole)
            if pick is None or pick in grid.hidden:
                continue
            grid.hidden[pick] = NOT_SHOWN
            changed = True
    return grid


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

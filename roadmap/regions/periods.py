"""The periods a region's figures are counted in: the year its targets run over, and quarters.

The year is the NHS financial year, 1 April to 31 March, over which training hubs are funded
and their sign-off targets set. Quarters are calendar quarters, so four of them make a year.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from roadmap import clock

YEAR_STARTS_IN = 4  # April
QUARTERS = 8  # two years of trends


@dataclass(frozen=True)
class Year:
    """The year a day falls in: its first and last day, and the day the figures are for."""

    start: dt.date
    end: dt.date
    today: dt.date

    @property
    def days_left(self) -> int:
        """Days after today up to and including the last day of the year."""
        return (self.end - self.today).days

    @property
    def words(self) -> str:
        """The year in words, e.g. 1 April 2026 to 31 March 2027."""
        return f"{clock.long_date(self.start)} to {clock.long_date(self.end)}"


def year_of(today: dt.date) -> Year:
    """The year (1 April to 31 March) that today falls in."""
    first = today.year if today.month >= YEAR_STARTS_IN else today.year - 1
    start = dt.date(first, YEAR_STARTS_IN, 1)
    return Year(start, dt.date(first + 1, YEAR_STARTS_IN, 1) - dt.timedelta(days=1), today)


@dataclass(frozen=True)
class Quarter:
    """Three calendar months: from `start` up to, not including, `end`."""

    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        """The quarter in words, e.g. Jan to Mar 2026."""
        last = self.end - dt.timedelta(days=1)
        return f"{self.start:%b} to {last:%b %Y}"


def quarters(today: dt.date, count: int = QUARTERS) -> list[Quarter]:
    """The last `count` quarters, oldest first, the quarter of today last."""
    start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    found = []
    for _ in range(count):
        end = dt.date(start.year + 1, 1, 1) if start.month == 10 else start.replace(
            month=start.month + 3)
        found.append(Quarter(start, end))
        start = dt.date(start.year - 1, 10, 1) if start.month == 1 else start.replace(
            month=start.month - 3)
    return found[::-1]

"""The forecast of Stage 2 sign-offs by the end of the year, from each hub's pace.

A hub's pace is its sign-offs of the last 12 months spread evenly over those 365 days: it
smooths out a quiet or a busy month, and it exists early in the year, when the year so far is
too short to judge by. The forecast is what is signed off so far this year, plus that pace
for every day left in the year:

    forecast = so far this year + (sign-offs in the last 12 months / 365) x days left

The region's forecast is the same sum over the region's figures, which is the sum of its hubs'
forecasts. A forecast is a guide, not a promise: it assumes the next months go as the last 12.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from roadmap.regions.periods import Year

DAYS_IN_PACE = 365


@dataclass(frozen=True)
class Forecast:
    """One hub's (or the region's) forecast, with every number it was worked out from."""

    so_far: int  # signed off this year, up to and including today
    last_12_months: int  # signed off in the 365 days up to and including today
    days_left: int  # after today, to the end of the year
    target: Optional[int]

    @property
    def pace_a_month(self) -> float:
        """Sign-offs a month at the pace of the last 12 months."""
        return self.last_12_months / 12

    @property
    def expected(self) -> float:
        """Sign-offs expected in the days left, at that pace."""
        return self.last_12_months / DAYS_IN_PACE * self.days_left

    @property
    def total(self) -> float:
        """Sign-offs expected by the end of the year: so far, plus the days left at the pace."""
        return self.so_far + self.expected

    @property
    def against_target(self) -> Optional[float]:
        """The forecast less the target (negative: short of it); None without a target."""
        return None if self.target is None else self.total - self.target

    def words(self, name: str) -> str:
        """How the forecast was worked out, in one sentence with its numbers."""
        return (f"{name}: {self.so_far} signed off so far this year, plus "
                f"{self.last_12_months} in the last 12 months \u00f7 {DAYS_IN_PACE} days "
                f"\u00d7 {self.days_left} days left = {self.so_far} + {self.expected:.1f} "
                f"= {self.total:.1f}, about {round(self.total)}.")


def forecast(so_far: int, last_12_months: int, year: Year, target: Optional[int]) -> Forecast:
    """The forecast for the rest of the year from these figures."""
    return Forecast(so_far, last_12_months, year.days_left, target)

"""What the region page, each hub's page in it and the CSV show: one protected table.

Every figure of every hub and of the region is put in one grid, small numbers are hidden there
(roadmap.regions.suppress), and the pages and the CSV take their cells from the same columns,
so the CSV holds exactly what the pages show and a figure hidden on one is hidden on all.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Optional

from roadmap.cohorts.listing import safe_cell
from roadmap.regions.figures import PACE_DAYS, STAGES, STATES, HubFigures, Staff, total
from roadmap.regions.forecast import Forecast, forecast
from roadmap.regions.models import Region
from roadmap.regions.periods import Quarter, Year
from roadmap.supervision.assignments import CANDIDATES_PER_FTE
from roadmap.regions.suppress import Grid, Key, Same, Sum, protect

TOTAL = "total"
STATE_WORDS = {"on_track": "On track", "at_risk": "At risk", "stalled": "Stalled",
               "supervisor": "Waiting for a supervisor",
               "provider": "Waiting for the education provider"}
ADDITIVE = ("open", *STAGES, *STATES, "no_backup", "this_year", "last_12", "supervisors",
            "fte", "capacity", "carried", "over", "expected", "forecast")
COUNTS = ("open", *STAGES, *STATES, "no_backup", "this_year", "last_12", "supervisors",
          "carried", "over")
# Worked out from a figure, hidden with it (the FTE of fewer than 5 people is theirs); the
# pairs worked out from each other are in _pairs below.
DERIVED = {"supervisors": ("fte", "carried"), "this_year": ("forecast",),
           "last_12": ("forecast",)}


@dataclass(frozen=True)
class Column:
    """One figure of a hub's row: its key, its header, how its value reads."""

    key: str
    header: str
    text: Callable[[float], str] = lambda value: str(int(value))


def _weeks(days: float) -> str:
    return f"{days / 7:.0f}"


def _gap(value: float) -> str:
    rounded = round(value)
    return "on target" if rounded == 0 else f"{abs(rounded)} {'over' if rounded > 0 else 'short'}"


def sections(year: Year, quarters: list[Quarter]) -> dict[str, tuple[str, list[Column]]]:
    """The page's tables, in order: their titles and columns (the CSV has them all, once)."""
    return {
        "stages": ("Candidates by stage", [
            Column("open", "Candidates"), Column("stage1", "Stage 1"), Column("stage2", "Stage 2"),
            Column("no_backup", "Without a backup supervisor")]),
        "states": ("Candidates by state", [Column(key, STATE_WORDS[key]) for key in STATES]),
        "signoffs": ("Stage 2 sign-offs this year", [
            Column("this_year", "Signed off this year"), Column("target", "Target for the year"),
            Column("share", "Share of the target", lambda value: f"{value:.0%}"),
            Column("median", "Median weeks to sign-off", _weeks),
            Column("spread", "Middle half (weeks)")]),
        "supervisors": ("Supervisors and their capacity", [
            Column("supervisors", "Supervisors"), Column("fte", "FTE", lambda v: f"{v:.1f}"),
            Column("capacity", "Capacity (candidates)", lambda v: f"{v:g}"),
            Column("carried", "Candidates carried as primary"),
            Column("over", "Supervisors over capacity")]),
        "forecast": (f"Forecast of sign-offs by {year.end.day} {year.end:%B %Y}", [
            Column("this_year", "Signed off so far this year"),
            Column("last_12", "Signed off in the last 12 months"),
            Column("pace", "Pace a month", lambda v: f"{v:.1f}"),
            Column("expected", f"Expected in the {year.days_left} days left", lambda v: f"{v:.1f}"),
            Column("forecast", "Forecast for the year", lambda v: f"{v:.1f}"),
            Column("target", "Target for the year"), Column("gap", "Against the target", _gap)]),
        "quarters": ("Sign-offs and new candidates by quarter", [
            *[Column(f"signed_{i}", f"Signed off, {q.label}") for i, q in enumerate(quarters)],
            *[Column(f"enrolled_{i}", f"Enrolled, {q.label}") for i, q in enumerate(quarters)]]),
    }


@dataclass
class Row:
    """One hub, or the region's total: the text of each cell, and each figure unless hidden."""

    key: str
    hub_id: Optional[int]
    name: str
    cells: dict[str, str]
    shown: dict[str, Optional[float]]  # None: hidden, or nothing to show
    forecast: Forecast


@dataclass
class RegionReport:
    """Every hub of a region and the region's total, protected, with the periods they cover."""

    region: Region
    year: Year
    quarters: list[Quarter]
    sections: dict[str, tuple[str, list[Column]]]
    hubs: list[Row]
    total: Row
    hub_targets: int  # the hubs' targets added up, beside the region's own

    def hub(self, hub_id: int) -> Row:
        """The row of one hub of the region."""
        return next(row for row in self.hubs if row.hub_id == hub_id)

    @property
    def columns(self) -> list[Column]:
        """Every column once, in the order of the tables."""
        seen: dict[str, Column] = {}
        for _title, columns in self.sections.values():
            for column in columns:
                seen.setdefault(column.key, column)
        return list(seen.values())


def _values(figures: HubFigures, plan: Forecast, quarters: list[Quarter]) -> dict[str, Optional[float]]:
    """Every figure of a row by column key; None where there is nothing to show."""
    days = sorted(figures.days_to_signoff)
    values: dict[str, Optional[float]] = {
        "open": figures.open, **figures.stages, **figures.states, "no_backup": figures.no_backup,
        "this_year": figures.signed_this_year, "target": figures.target,
        "share": figures.signed_this_year / figures.target if figures.target else None,
        "median": statistics.median(days) if days else None,
        "supervisors": figures.staff.supervisors, "fte": figures.staff.fte,
        "capacity": figures.staff.capacity, "carried": figures.staff.carried,
        "over": figures.staff.over_capacity,
        "last_12": figures.signed_last_12_months, "pace": plan.pace_a_month,
        "expected": plan.expected, "forecast": plan.total, "gap": plan.against_target}
    for i in range(len(quarters)):
        values[f"signed_{i}"] = figures.signed_by_quarter[i]
        values[f"enrolled_{i}"] = figures.enrolled_by_quarter[i]
    return values


def _quarters_making_the_last_12_months(quarters: list[Quarter], year: Year) -> list[str]:
    """The quarters' sign-off columns that add up to exactly the last 12 months, which they do on
    the last day of a quarter; else none."""
    first, after = year.today - dt.timedelta(days=PACE_DAYS - 1), year.today + dt.timedelta(days=1)
    inside = [i for i, q in enumerate(quarters) if first <= q.start and q.end <= after]
    if inside and quarters[inside[0]].start == first and quarters[inside[-1]].end == after:
        return [f"signed_{i}" for i in inside]
    return []


def _spread(days: list[int]) -> str:
    """The middle half of the times, in weeks: first to third quartile."""
    first, _median, third = statistics.quantiles(sorted(days), n=4, method="inclusive")
    return f"{first / 7:.0f} to {third / 7:.0f}"


def build(region: Region, hubs: list[HubFigures], staff: Staff, year: Year,
          quarters: list[Quarter]) -> RegionReport:
    """The region's report from its hubs' figures and its staff: totals, forecasts, small
    numbers hidden."""
    whole = total(region, hubs, len(quarters), staff)
    everyone = [(f"hub-{h.hub_id}", h) for h in hubs] + [(TOTAL, whole)]
    plans = {key: forecast(h.signed_this_year, h.signed_last_12_months, year, h.target)
             for key, h in everyone}
    values = {key: _values(h, plans[key], quarters) for key, h in everyone}
    grid = Grid({(key, column): float(value) for key, row in values.items()
                 for column, value in row.items() if value is not None})
    this_year = [f"signed_{i}" for i, q in enumerate(quarters) if q.start >= year.start]
    last_12 = _quarters_making_the_last_12_months(quarters, year)
    counts = [*COUNTS, *(f"signed_{i}" for i in range(len(quarters))),
              *(f"enrolled_{i}" for i in range(len(quarters)))]
    sums = [Sum([(key, column) for key, _h in everyone[:-1]], (TOTAL, column))
            for column in [*ADDITIVE, *counts[len(COUNTS):]]]
    for key, _h in everyone:
        sums += [Sum([(key, s) for s in STAGES], (key, "open")),
                 Sum([(key, s) for s in STATES], (key, "open")),
                 Sum([(key, q) for q in this_year], (key, "this_year")),
                 Sum([(key, "this_year"), (key, "expected")], (key, "forecast"))]
        if last_12:
            sums.append(Sum([(key, q) for q in last_12], (key, "last_12")))
    derived: dict[Key, list[Key]] = {}
    for key, _h in everyone:
        for source, targets in DERIVED.items():
            derived[(key, source)] = [(key, target) for target in targets]
    few = [(key, column) for key, h in everyone if 0 < len(h.days_to_signoff) < 5
           for column in ("median", "spread")]
    protect(grid, [(key, column) for key, _h in everyone for column in counts], sums, derived, few,
            [pair for key, h in everyone for pair in _pairs(key, h.target, year)])
    layout = sections(year, quarters)
    columns = {column.key: column for _t, cols in layout.values() for column in cols}
    rows = []
    for key, figures in everyone:
        cells, shown = {}, {}
        for name, column in columns.items():
            value = values[key].get(name)
            hidden = grid.is_hidden((key, name))
            shown[name] = None if hidden else value
            cells[name] = grid.text((key, name), _cell(name, column, value, figures))
        rows.append(Row(key, figures.hub_id, figures.name, cells, shown, plans[key]))
    return RegionReport(region, year, quarters, layout, rows[:-1], rows[-1],
                        sum(h.target or 0 for h in hubs))


def _pairs(key: str, target: Optional[int], year: Year) -> list[Same]:
    """A row's figures worked out from one another: showing one would show the other."""
    found = [Same((key, "last_12"), (key, "pace"), Fraction(1, 12)),
             Same((key, "fte"), (key, "capacity"), Fraction(CANDIDATES_PER_FTE))]
    if year.days_left:
        found.append(Same((key, "last_12"), (key, "expected"), Fraction(year.days_left, PACE_DAYS)))
    if target:
        found += [Same((key, "this_year"), (key, "share"), Fraction(1, target)),
                  Same((key, "forecast"), (key, "gap"), Fraction(1))]
    return found


def _cell(name: str, column: Column, value: Optional[float], figures: HubFigures) -> str:
    """A shown cell's text; words where there is no figure."""
    if name == "spread":
        return _spread(figures.days_to_signoff) if len(figures.days_to_signoff) >= 5 else "none yet"
    if value is None:
        return {"target": "Not set", "share": "No target", "gap": "No target"}.get(name, "none yet")
    return column.text(value)


def to_csv(report: RegionReport) -> str:
    """Every hub's row and the region's total, with the pages' headers and cells, as CSV."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = report.columns
    writer.writerow(["Hub", *(column.header for column in columns)])
    for row in [*report.hubs, report.total]:
        name = f"All hubs in {row.name}" if row.key == TOTAL else row.name
        writer.writerow([safe_cell(text) for text in [name, *(row.cells[c.key] for c in columns)]])
    return out.getvalue()

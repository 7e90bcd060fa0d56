"""The quarterly charts of a region or of one of its hubs, drawn as the hub pages draw theirs
(roadmap.cohorts.charts), with a hidden figure drawn as a mark rather than a bar."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from markupsafe import Markup

from roadmap.cohorts import charts
from roadmap.regions.periods import Quarter
from roadmap.regions.report import Row

HIDDEN_MARK = "*"  # the page says what it means: fewer than 5, or not shown


@dataclass(frozen=True)
class QuarterChart:
    """A chart and the table of its figures: each quarter's label and the cell shown for it."""

    svg: Markup
    caption: str
    rows: list[tuple[str, str]]


def _short(quarter: Quarter) -> str:
    """A quarter short enough to sit under its bar, e.g. Jan–Mar 26."""
    last = quarter.end - dt.timedelta(days=1)
    return f"{quarter.start:%b}\u2013{last:%b %y}"


def quarter_charts(row: Row, quarters: list[Quarter], target: Optional[int],
                   prefix: str) -> list[QuarterChart]:
    """Sign-offs against a quarter of the year's target, and new candidates, by quarter."""
    found = []
    for kind, caption, series, reference in (
            ("signed", "Stage 2 sign-offs by quarter", "Stage 2 sign-offs",
             charts.Series(f"A quarter of the target for the year ({target})",
                           [target / 4] * len(quarters)) if target else None),
            ("enrolled", "New candidates by quarter", "Candidates enrolled", None)):
        keys = [f"{kind}_{i}" for i in range(len(quarters))]
        rows = [(q.label, row.cells[key]) for q, key in zip(quarters, keys)]
        words = "; ".join(f"{label}: {cell}" for label, cell in rows)
        if reference is not None:
            words += f". Target: {target} a year, {target / 4:g} a quarter"
        svg = charts.column_chart(
            f"{prefix}-{kind}", f"{caption}, {row.name}", [_short(q) for q in quarters],
            charts.Series(series, [row.shown[key] for key in keys]), reference,
            description=words + ". The latest quarter is not over yet.", hidden=HIDDEN_MARK)
        found.append(QuarterChart(svg, caption, rows))
    return found

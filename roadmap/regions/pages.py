"""The region pages' data: a region's report, and its CSV, from a fixed number of statements."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.cohorts.models import TrainingHub
from roadmap.regions import report
from roadmap.regions.figures import region_figures
from roadmap.regions.models import Region
from roadmap.regions.periods import quarters, year_of


def region_report(session: Session, region: Region, today: dt.date) -> report.RegionReport:
    """Every hub of the region side by side, and the region's total, small numbers hidden."""
    hubs = list(session.scalars(sa.select(TrainingHub).where(TrainingHub.region_id == region.id)
                                .order_by(TrainingHub.name)))
    year, periods = year_of(today), quarters(today)
    figures, staff = region_figures(session, region, hubs, year, periods)
    return report.build(region, figures, staff, year, periods)


def region_csv(session: Session, region: Region, today: dt.date) -> tuple[str, str]:
    """The region's figures as CSV text, and the file's name."""
    name = "".join(ch if ch.isascii() and ch.isalnum() else "-"
                   for ch in region.name.lower()).strip("-")
    text = report.to_csv(region_report(session, region, today))
    return f"{name or 'region'}-{today:%Y-%m-%d}.csv", text

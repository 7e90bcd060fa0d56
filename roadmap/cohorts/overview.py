"""What the hub and cohort pages show, gathered into plain data by set-based queries."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from roadmap.accounts.models import Role, User
from roadmap.cohorts import charts, listing, service, staffing
from roadmap.cohorts.dashboard import CandidateRow, candidate_rows, scope_of_cohort, scope_of_hub
from roadmap.cohorts.models import Cohort, Employer, Enrolment, TrainingHub, hubs_led_by
from roadmap.cohorts.trends import Trends, hub_trends, month_label
from roadmap.regions.models import Region
from roadmap.supervision.assignments import Load


def hubs_for(session: Session, user: User) -> list[TrainingHub]:
    """Every hub for an administrator; for a hub lead, the hubs they lead."""
    statement = (sa.select(TrainingHub).order_by(TrainingHub.name)
                 .options(selectinload(TrainingHub.region)))
    if not user.has_role(Role.ADMIN):
        statement = statement.where(TrainingHub.id.in_(hubs_led_by(user.id)))
    return list(session.scalars(statement))


@dataclass
class CohortDashboard:
    """A cohort's dashboard: the rows the view asks for, and counts over every row."""

    hub: TrainingHub
    table: list[tuple[CandidateRow, list[str]]]  # the rows shown, with their cells
    total: int
    risks: list[tuple[str, str, int]]
    rag_counts: dict[str, int]


def cohort_dashboard(session: Session, cohort: Cohort, view: listing.View,
                     today: dt.date) -> CohortDashboard:
    """One row per candidate, sorted and filtered as the view asks."""
    hub = session.get(TrainingHub, cohort.hub_id)
    rows = candidate_rows(session, scope_of_cohort(cohort.id), today)
    return CohortDashboard(hub, listing.cells(listing.apply(rows, view)), len(rows),
                           listing.risk_counts(rows),
                           {k: sum(1 for r in rows if r.rag == k) for k in listing.RAG_ORDER})


def cohort_csv(session: Session, cohort: Cohort, view: listing.View, today: dt.date) -> str:
    """The dashboard's rows and columns as CSV text."""
    rows = candidate_rows(session, scope_of_cohort(cohort.id), today)
    return listing.to_csv(listing.apply(rows, view))


@dataclass
class HubOverview:
    """A hub at a glance: its cohorts with their rows, supervisor load, trends and charts."""

    cohorts: list[Cohort]
    by_cohort: dict[int, list[CandidateRow]]
    total: int
    risks: list[tuple[str, str, int]]
    loads: list[tuple[User, Load, int, int]]
    trends: Trends
    charts: dict[str, object]
    employers: list[Employer]
    region: Optional[Region]


def hub_overview(session: Session, hub: TrainingHub, today: dt.date) -> HubOverview:
    """Everything the hub page shows."""
    cohorts = list(session.scalars(sa.select(Cohort).where(Cohort.hub_id == hub.id)
                                   .order_by(Cohort.name)))
    scope = scope_of_hub(hub.id)
    rows = candidate_rows(session, scope, today)
    cohort_of = dict(session.execute(sa.select(Enrolment.id, Enrolment.cohort_id)
                                     .where(Enrolment.id.in_(scope))).all())
    by_cohort = {c.id: [r for r in rows if cohort_of.get(r.enrolment_id) == c.id] for c in cohorts}
    trends = hub_trends(session, scope, rows, hub.annual_signoff_target, today)
    return HubOverview(cohorts, by_cohort, len(rows), listing.risk_counts(rows),
                       staffing.hub_loads(session, hub.id, today), trends, hub_charts(trends),
                       service.employers(session),
                       session.get(Region, hub.region_id) if hub.region_id else None)


def hub_charts(trends: Trends) -> dict[str, object]:
    """The hub's SVG charts from its trends."""
    labels = [month_label(m) for m in trends.months]
    # A bar is too narrow for "March 2026": the axis shows "Mar", and the year below the first
    # month and every January.
    axis = [f"{m:%b}" for m in trends.months]
    years = [str(m.year) if i == 0 or m.month == 1 else "" for i, m in enumerate(trends.months)]
    weeks_labels, weeks_counts = charts.buckets(trends.weeks_to_signoff, 4, "weeks")
    target = (charts.Series(f"Monthly share of the annual target ({trends.annual_target})",
                            [trends.monthly_target] * len(labels))
              if trends.monthly_target else None)
    return {
        "signoffs": charts.column_chart(
            "chart-signoffs", "Stage 2 sign-offs per month", axis,
            charts.Series("Stage 2 sign-offs", trends.signoffs), target, second_line=years,
            description="Stage 2 sign-offs per month: " + "; ".join(
                f"{label}: {n}" for label, n in zip(labels, trends.signoffs))
            + (f". Target: {trends.annual_target} a year, about {trends.monthly_target:.1f} a month."
               if trends.monthly_target else ". No annual target is set.")),
        "time_to_signoff": charts.column_chart(
            "chart-time", "Time from enrolment to Stage 2 sign-off", weeks_labels,
            charts.Series("Candidates signed off", weeks_counts),
            description="Candidates by weeks from enrolment to sign-off: " + ("; ".join(
                f"{label}: {n}" for label, n in zip(weeks_labels, weeks_counts))
                or "no sign-offs yet") + "."),
        "wpbas": charts.column_chart(
            "chart-wpba", "WPBAs per month across the hub", axis,
            charts.Series("WPBAs completed", trends.wpbas),
            charts.Series("Expected: 2 a month per Stage 2 candidate", trends.wpbas_expected),
            second_line=years,
            description="WPBAs per month against the number expected: " + "; ".join(
                f"{label}: {n} of {e}" for label, n, e in
                zip(labels, trends.wpbas, trends.wpbas_expected)) + "."),
        "regions": charts.share_chart("chart-regions", "Case mix by body region",
                                      trends.regions, trends.case_mix_entries),
        "outcomes": charts.share_chart("chart-outcomes", "Outcomes of case-mix consultations",
                                       trends.outcomes, trends.case_mix_entries),
    }

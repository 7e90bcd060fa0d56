"""A region's figures, hub by hub: counts only, from a fixed number of statements.

One statement classifies every enrolment of every hub in the region and counts them by hub:
stages, states, candidates without a backup, sign-offs this year and in the last 12 months,
sign-offs and intake by quarter. One more lists the start and sign-off dates of the last 12
months' Stage 2 sign-offs, for the median and spread; one adds up the supervisors working in
each hub and in the region, and their load (rule D6). None reads a name or any text a person
wrote, and their number does not grow with the number of hubs (tests/regions/test_figures.py
counts them).

An open candidate's state is the first of these that holds, with the hub dashboard's
thresholds (roadmap.cohorts.dashboard), so the two pages agree:

- waiting for the provider: a stage signed off by the supervisor waits for the education
  provider's approval (roadmap.supervision.waiting: the sign-off's status `supervisor_signed`);
- waiting for a supervisor: the candidate signed a stage's declarations and the supervisor has
  not signed it off, or an item has waited on a supervisor for more than 14 days;
- stalled: nothing in the portfolio changed for 30 days or more;
- at risk: the hub dashboard would show it amber or red for another reason: no primary or no
  backup supervisor, the target date passed or within 28 days, fewer WPBAs in the last 30 days
  than expected in Stage 2;
- on track: none of these.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import clock
from roadmap.cohorts.dashboard import (INACTIVE_DAYS, NEAR_TARGET_DAYS, WAITING_DAYS, WAITING_STATUS,
                                       WINDOW_DAYS, VersionRules, rules_for, rules_table)
from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
from roadmap.framework.models import EvidenceType
from roadmap.portfolio.models import Evidence
from roadmap.portfolio.progress import COUNTED_STATUSES
from roadmap.readers.team import WORKPLACE_KINDS
from roadmap.regions.models import Region
from roadmap.regions.periods import Quarter, Year
from roadmap.regions.staff import (Staff, current_assignment, day_param as _day, moment_param as _moment,
                                   supervisors)
from roadmap.supervision.models import StageSignOff, SupervisorAssignment

STAGES = ("stage1", "stage2")
STATES = ("on_track", "at_risk", "stalled", "supervisor", "provider")
PACE_DAYS = 365


@dataclass
class HubFigures:
    """One hub's counts, or the region's (hub_id None): nothing in it names anyone."""

    hub_id: Optional[int]
    name: str
    target: Optional[int]
    stages: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    states: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    no_backup: int = 0
    signed_this_year: int = 0
    signed_last_12_months: int = 0
    signed_by_quarter: list[int] = field(default_factory=list)
    enrolled_by_quarter: list[int] = field(default_factory=list)
    days_to_signoff: list[int] = field(default_factory=list)  # Stage 2 start to sign-off
    staff: Staff = Staff()

    @property
    def open(self) -> int:
        """Candidates still working toward sign-off: in Stage 1 or Stage 2."""
        return sum(self.stages.values())


def total(region: Region, hubs: list[HubFigures], quarters: int, staff: Staff) -> HubFigures:
    """The region's figures: the hubs' added up, and its staff (each supervisor once)."""
    whole = HubFigures(None, region.name, region.annual_signoff_target,
                       signed_by_quarter=[0] * quarters, enrolled_by_quarter=[0] * quarters,
                       staff=staff)
    for hub in hubs:
        for i in range(quarters):
            whole.signed_by_quarter[i] += hub.signed_by_quarter[i]
            whole.enrolled_by_quarter[i] += hub.enrolled_by_quarter[i]
        for key, count in hub.stages.items():
            whole.stages[key] += count
        for key, count in hub.states.items():
            whole.states[key] += count
        whole.no_backup += hub.no_backup
        whole.signed_this_year += hub.signed_this_year
        whole.signed_last_12_months += hub.signed_last_12_months
        whole.days_to_signoff += hub.days_to_signoff
    return whole


def _count(condition: Any) -> Any:
    return sa.func.sum(sa.case((condition, 1), else_=0))


def _in_region(region_id: int) -> Any:
    """The enrolment ids of every hub in the region, as a subquery."""
    return (sa.select(Enrolment.id).join(Cohort, Cohort.id == Enrolment.cohort_id)
            .join(TrainingHub, TrainingHub.id == Cohort.hub_id)
            .where(TrainingHub.region_id == region_id))


def _utc_midnight(day: dt.date) -> dt.datetime:
    """The start of a day in UTC: the hub dashboard counts days of activity in UTC dates."""
    return dt.datetime.combine(day, dt.time(), dt.timezone.utc)


def _activity() -> tuple[Any, Any, Any]:
    """Enrolments with an item changed in the last 30 days, with an item waiting on a supervisor
    for more than 14 days, and their WPBAs of the last 30 days: each read from an index of the
    recent or waiting items only (roadmap.portfolio.models.Evidence), never from every item."""
    active = (sa.select(Evidence.enrolment_id).distinct()
              .where(Evidence.updated_at >= _moment("active_from"))
              .subquery("active"))
    waited = (sa.select(Evidence.enrolment_id).distinct()
              .where(Evidence.status == WAITING_STATUS, Evidence.submitted_at < _moment("waited_from"))
              .subquery("waited"))
    wpbas = (sa.select(Evidence.enrolment_id, sa.func.count().label("n"))
             .join(EvidenceType, EvidenceType.id == Evidence.evidence_type_id)
             .where(Evidence.occurred_on > _day("since"), Evidence.occurred_on <= _day("today"),
                    Evidence.status.in_(COUNTED_STATUSES), EvidenceType.is_wpba)
             .group_by(Evidence.enrolment_id).subquery("wpbas"))
    return active, waited, wpbas


def classified(rules: Any) -> Any:
    """Every enrolment of the region with its hub, stage, state and dates, as a common table.

    What it needs of the portfolios, supervisors and sign-offs comes from small sets (recent
    items, current assignments, stages waiting on someone) joined by enrolment, so its cost
    follows the activity of the last weeks rather than all the items ever logged. The region
    and the dates are parameters (counts_params), so the statement is built once.
    """
    E, SA, S = Enrolment, SupervisorAssignment, StageSignOff
    active, waited, wpbas = _activity()
    # roadmap.readers.team.supervising, with the day and the moment as parameters.
    current = sa.and_(SA.kind.in_(WORKPLACE_KINDS), current_assignment())
    team = (sa.select(SA.enrolment_id,
                      sa.func.max(sa.case((SA.kind == "primary", 1), else_=0)).label("primary"),
                      sa.func.max(sa.case((SA.kind == "backup", 1), else_=0)).label("backup"))
            .where(current).group_by(SA.enrolment_id).subquery("team"))
    waits = (sa.select(S.enrolment_id,
                       sa.func.max(sa.case((S.status == "supervisor_signed", 1), else_=0)).label("provider"),
                       sa.func.max(sa.case((S.status == "candidate_signed", 1), else_=0)).label("supervisor"))
             .where(S.status.in_(("supervisor_signed", "candidate_signed")))
             .group_by(S.enrolment_id).subquery("waits"))
    done = sa.or_(E.status == "withdrawn", E.stage2_signed_off_on.is_not(None), E.status == "completed")
    stage = sa.case((done, sa.null()), (E.stage1_verified_on.is_(None), "stage1"), else_="stage2")
    no_backup = sa.func.coalesce(team.c.backup, 0) == 0
    state = sa.case(
        (done, sa.null()),
        (waits.c.provider == 1, "provider"),
        (sa.or_(waits.c.supervisor == 1, waited.c.enrolment_id.is_not(None)), "supervisor"),
        (sa.and_(active.c.enrolment_id.is_(None), E.enrolled_on <= _day("stalled_before")), "stalled"),
        (sa.or_(sa.func.coalesce(team.c.primary, 0) == 0, no_backup, E.target_on <= _day("near"),
                sa.and_(E.stage1_verified_on.is_not(None),
                        sa.func.coalesce(wpbas.c.n, 0) < sa.func.coalesce(rules.c.wpba_per_month, 2))),
         "at_risk"),
        else_="on_track")
    return (
        sa.select(Cohort.hub_id, stage.label("stage"), state.label("state"),
                  sa.case((sa.and_(sa.not_(done), no_backup), 1), else_=0).label("no_backup"),
                  E.enrolled_on, E.stage2_signed_off_on.label("signed_on"))
        .select_from(E)
        .join(Cohort, Cohort.id == E.cohort_id)
        .join(TrainingHub, TrainingHub.id == Cohort.hub_id)
        .outerjoin(active, active.c.enrolment_id == E.id)
        .outerjoin(waited, waited.c.enrolment_id == E.id)
        .outerjoin(wpbas, wpbas.c.enrolment_id == E.id)
        .outerjoin(team, team.c.enrolment_id == E.id)
        .outerjoin(waits, waits.c.enrolment_id == E.id)
        .outerjoin(rules, rules.c.version_id == E.framework_version_id)
        .where(TrainingHub.region_id == sa.bindparam("region", type_=sa.Integer))
        # Worked out once per enrolment: a subquery folded into the counts would be worked
        # out again for each count that reads its state.
        .cte("classified").prefix_with("MATERIALIZED"))


@lru_cache(maxsize=64)
def counts_statement(rules: tuple[VersionRules, ...], periods: int) -> sa.Select:
    """One row per hub of the region that has enrolments: every count the page shows.

    Built once for each set of framework versions and number of quarters (building and keying
    a statement this size costs about 10 ms a request); counts_params gives its parameters.
    """
    c = classified(rules_table(rules)).c
    signed = c.signed_on <= _day("today")
    columns = [c.hub_id]
    columns += [_count(c.stage == key).label(key) for key in STAGES]
    columns += [_count(c.state == key).label(f"state_{key}") for key in STATES]
    columns += [sa.func.sum(c.no_backup).label("no_backup"),
                _count(sa.and_(signed, c.signed_on >= _day("year_start"))).label("this_year"),
                _count(sa.and_(signed, c.signed_on > _day("pace_from"))).label("last_12_months")]
    columns += [_count(sa.and_(c.signed_on >= _day(f"q{i}"), c.signed_on < _day(f"q{i + 1}")))
                .label(f"signed_{i}") for i in range(periods)]
    columns += [_count(sa.and_(c.enrolled_on >= _day(f"q{i}"), c.enrolled_on < _day(f"q{i + 1}")))
                .label(f"enrolled_{i}") for i in range(periods)]
    return sa.select(*columns).group_by(c.hub_id)


def counts_params(region_id: int, year: Year, quarters: list[Quarter]) -> dict[str, Any]:
    """The parameters of counts_statement for a region on a day: the hub dashboard's thresholds."""
    today = year.today
    params: dict[str, Any] = {
        "region": region_id, "today": today, "now": clock.moment(today),
        "since": today - dt.timedelta(days=WINDOW_DAYS),
        "active_from": _utc_midnight(today - dt.timedelta(days=INACTIVE_DAYS - 1)),
        "waited_from": _utc_midnight(today - dt.timedelta(days=WAITING_DAYS)),
        "stalled_before": today - dt.timedelta(days=INACTIVE_DAYS),
        "near": today + dt.timedelta(days=NEAR_TARGET_DAYS),
        "year_start": year.start, "pace_from": today - dt.timedelta(days=PACE_DAYS)}
    params.update({f"q{i}": quarter.start for i, quarter in enumerate(quarters)})
    if quarters:
        params[f"q{len(quarters)}"] = quarters[-1].end
    return params


def region_figures(session: Session, region: Region, hubs: list[TrainingHub], year: Year,
                   quarters: list[Quarter]) -> tuple[list[HubFigures], Staff]:
    """Each hub's figures, in the order given (every hub of the region, none left out), and
    the region's staff."""
    today = year.today
    found = {hub.id: HubFigures(hub.id, hub.name, hub.annual_signoff_target,
                                signed_by_quarter=[0] * len(quarters),
                                enrolled_by_quarter=[0] * len(quarters)) for hub in hubs}
    rules, params = tuple(rules_for(session, _in_region(region.id))), counts_params(region.id, year, quarters)
    for row in session.execute(counts_statement(rules, len(quarters)), params).mappings():
        hub = found.get(row["hub_id"])
        if hub is None:
            continue  # moved to another region since the hubs were read
        hub.stages = {key: int(row[key]) for key in STAGES}
        hub.states = {key: int(row[f"state_{key}"]) for key in STATES}
        hub.no_backup = int(row["no_backup"])
        hub.signed_this_year, hub.signed_last_12_months = int(row["this_year"]), int(row["last_12_months"])
        hub.signed_by_quarter = [int(row[f"signed_{i}"]) for i in range(len(quarters))]
        hub.enrolled_by_quarter = [int(row[f"enrolled_{i}"]) for i in range(len(quarters))]
    E = Enrolment
    for hub_id, started, signed in session.execute(
            sa.select(Cohort.hub_id, E.stage2_started_on, E.stage2_signed_off_on).select_from(E)
            .join(Cohort, Cohort.id == E.cohort_id)
            .join(TrainingHub, TrainingHub.id == Cohort.hub_id)
            .where(TrainingHub.region_id == region.id, E.stage2_started_on.is_not(None),
                   E.stage2_signed_off_on > today - dt.timedelta(days=PACE_DAYS),
                   E.stage2_signed_off_on <= today)):
        if hub_id in found:
            found[hub_id].days_to_signoff.append(max(0, (signed - started).days))
    staff = supervisors(session, params, found)
    return [found[hub.id] for hub in hubs], staff

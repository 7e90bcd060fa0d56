"""A region's figures, hub by hub: counts only, from a fixed number of statements.

One statement classifies every enrolment of every hub in the region and counts them by hub:
stages, states, candidates without a backup, sign-offs this year and in the last 12 months,
sign-offs and intake by quarter. One more lists the start and sign-off dates of the last 12
months' Stage 2 sign-offs, for the median and spread; three find the supervisors working in
the region and their load (rule D6). None reads a name or any text a person wrote, and their
number does not grow with the number of hubs (tests/regions/test_figures.py counts them).

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
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.cohorts.dashboard import (INACTIVE_DAYS, NEAR_TARGET_DAYS, WAITING_DAYS, WAITING_STATUS,
                                       WINDOW_DAYS, rules_for, rules_table)
from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
from roadmap.framework.models import EvidenceType
from roadmap.portfolio.models import Evidence
from roadmap.portfolio.progress import COUNTED_STATUSES
from roadmap.readers.team import WORKPLACE_KINDS, supervising
from roadmap.regions.models import Region
from roadmap.regions.periods import Quarter, Year
from roadmap.supervision.assignments import Load, loads
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
    loads: dict[int, Load] = field(default_factory=dict)  # the supervisors working here

    @property
    def open(self) -> int:
        """Candidates still working toward sign-off: in Stage 1 or Stage 2."""
        return sum(self.stages.values())

    @property
    def supervisors(self) -> int:
        """Supervisors with a current primary or backup assignment here."""
        return len(self.loads)

    @property
    def fte(self) -> float:
        """Their full-time equivalents, added up."""
        return sum(load.fte for load in self.loads.values())

    @property
    def capacity(self) -> float:
        """Candidates they may carry between them: 4 per FTE (rule D6)."""
        return sum(load.capacity for load in self.loads.values())

    @property
    def carried(self) -> int:
        """Candidates they carry as primary supervisor, in every hub (as capacity counts them)."""
        return sum(load.candidates for load in self.loads.values())

    @property
    def over_capacity(self) -> int:
        """Supervisors carrying more than their FTE allows."""
        return sum(1 for load in self.loads.values() if load.over)


def total(region: Region, hubs: list[HubFigures], quarters: int) -> HubFigures:
    """The region's figures: the hubs' added up, each supervisor once (none: all zero)."""
    whole = HubFigures(None, region.name, region.annual_signoff_target,
                       signed_by_quarter=[0] * quarters, enrolled_by_quarter=[0] * quarters)
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
        whole.loads.update(hub.loads)
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


def classified(region_id: int, rules: Any, today: dt.date) -> Any:
    """Every enrolment of the region with its hub, stage, state and dates, as a subquery."""
    E, SA, S, scope = Enrolment, SupervisorAssignment, StageSignOff, _in_region(region_id)
    since = today - dt.timedelta(days=WINDOW_DAYS)
    active_from = _utc_midnight(today - dt.timedelta(days=INACTIVE_DAYS - 1))
    waited_from = _utc_midnight(today - dt.timedelta(days=WAITING_DAYS))
    recent_wpba = sa.and_(EvidenceType.is_wpba, Evidence.status.in_(COUNTED_STATUSES),
                          Evidence.occurred_on > since, Evidence.occurred_on <= today)
    waiting = Evidence.status == WAITING_STATUS
    # Only recent or waiting items matter, so only those are read, not every item ever logged.
    recent = (
        sa.select(Evidence.enrolment_id,
                  sa.func.max(sa.case((Evidence.updated_at >= active_from, 1), else_=0)).label("active"),
                  _count(recent_wpba).label("wpba"),
                  sa.func.min(sa.case((waiting, Evidence.submitted_at))).label("waiting_since"))
        .join(EvidenceType, EvidenceType.id == Evidence.evidence_type_id)
        .where(Evidence.enrolment_id.in_(scope),
               sa.or_(Evidence.updated_at >= active_from, Evidence.occurred_on > since, waiting))
        .group_by(Evidence.enrolment_id).subquery("recent"))
    team = (sa.select(SA.enrolment_id,
                      sa.func.max(sa.case((SA.kind == "primary", 1), else_=0)).label("primary"),
                      sa.func.max(sa.case((SA.kind == "backup", 1), else_=0)).label("backup"))
            .where(SA.enrolment_id.in_(scope), supervising(today))
            .group_by(SA.enrolment_id).subquery("team"))
    waits = (sa.select(S.enrolment_id,
                       sa.func.max(sa.case((S.status == "supervisor_signed", 1), else_=0)).label("provider"),
                       sa.func.max(sa.case((S.status == "candidate_signed", 1), else_=0)).label("supervisor"))
             .where(S.enrolment_id.in_(scope), S.status.in_(("supervisor_signed", "candidate_signed")))
             .group_by(S.enrolment_id).subquery("waits"))
    done = sa.or_(E.status == "withdrawn", E.stage2_signed_off_on.is_not(None), E.status == "completed")
    stage = sa.case((done, sa.null()), (E.stage1_verified_on.is_(None), "stage1"), else_="stage2")
    no_backup = sa.func.coalesce(team.c.backup, 0) == 0
    state = sa.case(
        (done, sa.null()),
        (sa.func.coalesce(waits.c.provider, 0) == 1, "provider"),
        (sa.or_(sa.func.coalesce(waits.c.supervisor, 0) == 1, recent.c.waiting_since < waited_from),
         "supervisor"),
        (sa.and_(sa.func.coalesce(recent.c.active, 0) == 0,
                 E.enrolled_on <= today - dt.timedelta(days=INACTIVE_DAYS)), "stalled"),
        (sa.or_(sa.func.coalesce(team.c.primary, 0) == 0, no_backup,
                E.target_on <= today + dt.timedelta(days=NEAR_TARGET_DAYS),
                sa.and_(E.stage1_verified_on.is_not(None),
                        sa.func.coalesce(recent.c.wpba, 0) < sa.func.coalesce(rules.c.wpba_per_month, 2))),
         "at_risk"),
        else_="on_track")
    return (
        sa.select(Cohort.hub_id, stage.label("stage"), state.label("state"),
                  sa.case((sa.and_(sa.not_(done), no_backup), 1), else_=0).label("no_backup"),
                  E.enrolled_on, E.stage2_signed_off_on.label("signed_on"))
        .select_from(E)
        .join(Cohort, Cohort.id == E.cohort_id)
        .join(TrainingHub, TrainingHub.id == Cohort.hub_id)
        .outerjoin(recent, recent.c.enrolment_id == E.id)
        .outerjoin(team, team.c.enrolment_id == E.id)
        .outerjoin(waits, waits.c.enrolment_id == E.id)
        .outerjoin(rules, rules.c.version_id == E.framework_version_id)
        .where(TrainingHub.region_id == region_id)
        .subquery("classified"))


def counts_statement(region_id: int, rules: Any, year: Year, quarters: list[Quarter]) -> sa.Select:
    """One row per hub of the region that has enrolments: every count the page shows."""
    c, today = classified(region_id, rules, year.today).c, year.today
    signed = c.signed_on <= today
    columns = [c.hub_id]
    columns += [_count(c.stage == key).label(key) for key in STAGES]
    columns += [_count(c.state == key).label(f"state_{key}") for key in STATES]
    columns += [sa.func.sum(c.no_backup).label("no_backup"),
                _count(sa.and_(signed, c.signed_on >= year.start)).label("this_year"),
                _count(sa.and_(signed, c.signed_on > today - dt.timedelta(days=PACE_DAYS)))
                .label("last_12_months")]
    columns += [_count(sa.and_(c.signed_on >= q.start, c.signed_on < q.end)).label(f"signed_{i}")
                for i, q in enumerate(quarters)]
    columns += [_count(sa.and_(c.enrolled_on >= q.start, c.enrolled_on < q.end)).label(f"enrolled_{i}")
                for i, q in enumerate(quarters)]
    return sa.select(*columns).group_by(c.hub_id)


def region_figures(session: Session, region: Region, hubs: list[TrainingHub], year: Year,
                   quarters: list[Quarter]) -> list[HubFigures]:
    """Each hub's figures, in the order given (every hub of the region, none left out)."""
    today = year.today
    found = {hub.id: HubFigures(hub.id, hub.name, hub.annual_signoff_target,
                                signed_by_quarter=[0] * len(quarters),
                                enrolled_by_quarter=[0] * len(quarters)) for hub in hubs}
    rules = rules_table(rules_for(session, _in_region(region.id)))
    for row in session.execute(counts_statement(region.id, rules, year, quarters)).mappings():
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
    _supervisors(session, region.id, found, today)
    return [found[hub.id] for hub in hubs]


def _supervisors(session: Session, region_id: int, found: dict[int, HubFigures],
                 today: dt.date) -> None:
    """Each hub's supervisors (a current primary or backup of an active enrolment there), with
    their load across every hub (roadmap.supervision.assignments.loads)."""
    SA = SupervisorAssignment
    pairs = session.execute(
        sa.select(Cohort.hub_id, SA.supervisor_id).distinct().select_from(SA)
        .join(Enrolment, Enrolment.id == SA.enrolment_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(TrainingHub, TrainingHub.id == Cohort.hub_id)
        .where(TrainingHub.region_id == region_id, supervising(today),
               SA.kind.in_(WORKPLACE_KINDS), Enrolment.status == "active")).all()
    everyone = loads(session, {supervisor for _hub, supervisor in pairs}, today)
    for hub_id, supervisor in pairs:
        if hub_id in found:
            found[hub_id].loads[supervisor] = everyone[supervisor]

"""The cohort dashboard: one row per candidate, computed by set-based queries.

The figures for every candidate come from one statement, whatever the cohort's size, so the
page costs a fixed number of statements (tests/cohorts/test_dashboard.py counts them). The hub
sees counts, statuses and dates only: nothing here reads an evidence item's text.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import clock
from roadmap.accounts.models import User
from roadmap.cohorts.models import Cohort, Employer, Enrolment
from roadmap.framework import definitions
from roadmap.framework.models import EvidenceType, FrameworkVersion
from roadmap.portfolio.models import Evidence, EvidenceCapability
# The portfolio's one rule for what counts toward the 3-per-heading target.
from roadmap.portfolio.progress import COUNTED_STATUSES
from roadmap.supervision.assignments import current_filter
from roadmap.supervision.models import CapabilityRating, SupervisorAssignment
from roadmap.supervision.waiting import StageWait, current, stage_waits

WAITING_STATUS = "submitted"
INACTIVE_DAYS = 30
WAITING_DAYS = 14
NEAR_TARGET_DAYS = 28
WINDOW_DAYS = 30


@dataclass(frozen=True)
class VersionRules:
    """The thresholds of one framework version, read from its document (rule D1)."""

    version_id: int
    headings: int
    min_per_heading: int
    wpba_per_month: int
    supportive: tuple[str, ...]


def version_rules(version_id: int, document: dict[str, Any]) -> VersionRules:
    """Thresholds of a version: headings, items per heading, WPBAs a month, supportive ratings."""
    document = document or {}
    stages = document.get("stages") or [{}]
    stage = next((s for s in stages if s.get("code") == "stage2"), stages[-1])
    requirements = stage.get("requirements") or {}
    supportive = tuple(level["code"] for level in definitions.capability_levels(document)
                       if level.get("supportive"))
    return VersionRules(version_id, len(document.get("capabilities") or []),
                        int(requirements.get("min_evidence_per_capability") or 3),
                        int(requirements.get("wpba_per_month") or 2),
                        supportive or ("capable", "excellent"))


@dataclass
class CandidateRow:
    """What the hub sees of one candidate: counts, statuses and dates, never content."""

    enrolment_id: int
    name: str
    employer: Optional[str]
    enrolment_status: str
    route: str
    enrolled_on: dt.date
    stage1_verified_on: Optional[dt.date]
    stage2_started_on: Optional[dt.date]
    signed_off_on: Optional[dt.date]
    target_on: Optional[dt.date]
    headings_total: int
    headings_evidenced: int
    headings_rated: int
    wpba_recent: int
    wpba_expected: int
    last_activity_on: dt.date
    waiting: int
    waiting_since: Optional[dt.date]
    primary: Optional[str]
    backup: Optional[str]
    today: dt.date
    rag: str = "green"
    reasons: list[str] = field(default_factory=list)
    signoff: Optional[StageWait] = None  # where the current stage's sign-off waits (rule D11)

    @property
    def stage(self) -> str:
        """Where the candidate is, in words."""
        if self.enrolment_status == "withdrawn":
            return "Withdrawn"
        if self.signed_off_on is not None or self.enrolment_status == "completed":
            return "Signed off"
        if self.stage1_verified_on is None:
            return "Stage 1"
        return "Stage 2"

    @property
    def days_inactive(self) -> int:
        """Days since the candidate's portfolio last changed (or since enrolment)."""
        return max(0, (self.today - self.last_activity_on).days)

    @property
    def days_to_target(self) -> Optional[int]:
        """Days until the target date; negative when it has passed."""
        return None if self.target_on is None else (self.target_on - self.today).days

    @property
    def days_waiting(self) -> Optional[int]:
        """How long the oldest item has waited on a supervisor, in days."""
        return None if self.waiting_since is None else max(0, (self.today - self.waiting_since).days)

    @property
    def is_open(self) -> bool:
        """True while the candidate is still working toward sign-off."""
        return self.stage in ("Stage 1", "Stage 2")

    @property
    def reason(self) -> str:
        """The status's reason in words."""
        return "; ".join(self.reasons) if self.reasons else "On track"


def classify(row: CandidateRow) -> None:
    """Red, amber or green, with every reason in words."""
    red, amber = [], []
    if not row.is_open:
        row.rag, row.reasons = "green", [f"{row.stage}"]
        return
    if row.primary is None:
        red.append("No primary supervisor")
    if row.backup is None:
        amber.append("No backup supervisor")
    days = row.days_to_target
    if days is not None and days < 0:
        red.append(f"Target date passed {-days} day{'s' if days != -1 else ''} ago")
    elif days is not None and days <= NEAR_TARGET_DAYS:
        amber.append("Target date is today" if days == 0
                     else f"Target date in {days} day{'s' if days != 1 else ''}")
    if row.days_inactive >= INACTIVE_DAYS:
        red.append(f"No activity for {row.days_inactive} days")
    if row.days_waiting is not None and row.days_waiting > WAITING_DAYS:
        red.append(f"{row.waiting} item{'s' if row.waiting != 1 else ''} waiting on a "
                   f"supervisor, oldest for {row.days_waiting} days")
    if row.stage == "Stage 2" and row.wpba_recent < row.wpba_expected:
        amber.append(f"{row.wpba_recent} WPBA{'s' if row.wpba_recent != 1 else ''} in the last "
                     f"{WINDOW_DAYS} days (expected {row.wpba_expected})")
    row.rag = "red" if red else "amber" if amber else "green"
    row.reasons = red + amber


def rules_table(rules: Iterable[VersionRules]) -> Any:
    """The versions' thresholds as an inline table (a dummy row keeps it valid when empty)."""
    selects = [sa.select(sa.literal(r.version_id, sa.Integer).label("version_id"),
                         sa.literal(r.min_per_heading, sa.Integer).label("min_items"),
                         sa.literal(r.headings, sa.Integer).label("headings"),
                         sa.literal(r.wpba_per_month, sa.Integer).label("wpba_per_month"))
               for r in [VersionRules(-1, 0, 3, 2, ()), *rules]]
    return sa.union_all(*selects).subquery("rules")


def _supportive_table(rules: Iterable[VersionRules]) -> Any:
    """(version, rating code) pairs that support sign-off, as an inline table."""
    pairs = [(-1, "")] + [(r.version_id, code) for r in rules for code in r.supportive]
    return sa.union_all(*[sa.select(sa.literal(v, sa.Integer).label("version_id"),
                                    sa.literal(c, sa.String).label("code")) for v, c in pairs]
                        ).subquery("supportive")


def figures_statement(scope: Any, rules: list[VersionRules], today: dt.date) -> sa.Select:
    """One SELECT giving every figure of every enrolment whose id is in `scope` (a subquery)."""
    E, counted = Enrolment, Evidence.status.in_(COUNTED_STATUSES)
    since = today - dt.timedelta(days=WINDOW_DAYS)
    in_scope = Evidence.enrolment_id.in_(scope)
    activity = (
        sa.select(Evidence.enrolment_id,
                  sa.func.sum(sa.case((sa.and_(EvidenceType.is_wpba, counted,
                                               Evidence.occurred_on > since,
                                               Evidence.occurred_on <= today), 1),
                                      else_=0)).label("wpba_recent"),
                  sa.func.max(Evidence.updated_at).label("last_activity"),
                  sa.func.sum(sa.case((Evidence.status == WAITING_STATUS, 1), else_=0)).label("waiting"),
                  sa.func.min(sa.case((Evidence.status == WAITING_STATUS, Evidence.submitted_at))
                              ).label("waiting_since"))
        .join(EvidenceType, EvidenceType.id == Evidence.evidence_type_id)
        .where(in_scope).group_by(Evidence.enrolment_id).subquery("activity"))
    # The version comes along with each in-scope item, so no join touches every enrolment.
    per_heading = (
        sa.select(Evidence.enrolment_id, E.framework_version_id, EvidenceCapability.capability_id,
                  sa.func.count().label("n"))
        .join(EvidenceCapability, EvidenceCapability.evidence_id == Evidence.id)
        .join(E, E.id == Evidence.enrolment_id)
        .where(in_scope, counted)
        .group_by(Evidence.enrolment_id, E.framework_version_id, EvidenceCapability.capability_id)
        .subquery("per_heading"))
    table = rules_table(rules)
    headings = (
        sa.select(per_heading.c.enrolment_id, sa.func.count().label("evidenced"))
        .join(table, table.c.version_id == per_heading.c.framework_version_id)
        .where(per_heading.c.n >= table.c.min_items)
        .group_by(per_heading.c.enrolment_id).subquery("headings"))
    supportive = _supportive_table(rules)
    rated = (
        sa.select(CapabilityRating.enrolment_id, sa.func.count().label("rated"))
        .join(E, E.id == CapabilityRating.enrolment_id)
        .join(supportive, sa.and_(supportive.c.version_id == E.framework_version_id,
                                  supportive.c.code == CapabilityRating.rating))
        .where(CapabilityRating.enrolment_id.in_(scope),
               CapabilityRating.rater_kind == "supervisor")
        .group_by(CapabilityRating.enrolment_id).subquery("rated"))
    SA = SupervisorAssignment
    latest = (
        sa.select(SA.enrolment_id, SA.kind, User.full_name,
                  sa.func.row_number().over(partition_by=(SA.enrolment_id, SA.kind),
                                            order_by=(SA.starts_on.desc(), SA.id.desc()))
                  .label("rank"))
        .join(User, User.id == SA.supervisor_id)
        .where(SA.enrolment_id.in_(scope), current_filter(today)).subquery("latest"))
    team = (
        sa.select(latest.c.enrolment_id,
                  sa.func.max(sa.case((latest.c.kind == "primary", latest.c.full_name))).label("primary"),
                  sa.func.max(sa.case((latest.c.kind == "backup", latest.c.full_name))).label("backup"))
        .where(latest.c.rank == 1).group_by(latest.c.enrolment_id).subquery("team"))
    candidate = sa.orm.aliased(User, name="candidate")
    # Start from the scope's ids: PostgreSQL then walks the few enrolments in scope by index,
    # where `E.id IN (scope)` last let it hash-join every enrolment and user in the country.
    scoped = scope.subquery("scope")
    return (
        sa.select(E.id, candidate.full_name, Employer.name.label("employer"), E.status, E.route,
                  E.enrolled_on, E.stage1_verified_on, E.stage2_started_on,
                  E.stage2_signed_off_on, E.target_on,
                  sa.func.coalesce(table.c.headings, 0).label("headings_total"),
                  sa.func.coalesce(table.c.wpba_per_month, 2).label("wpba_per_month"),
                  sa.func.coalesce(headings.c.evidenced, 0).label("evidenced"),
                  sa.func.coalesce(rated.c.rated, 0).label("rated"),
                  sa.func.coalesce(activity.c.wpba_recent, 0).label("wpba_recent"),
                  activity.c.last_activity, sa.func.coalesce(activity.c.waiting, 0).label("waiting"),
                  activity.c.waiting_since, team.c.primary, team.c.backup)
        .select_from(scoped)
        .join(E, E.id == scoped.c.id)
        .join(candidate, candidate.id == E.candidate_id)
        .outerjoin(Employer, Employer.id == E.employer_id)
        .outerjoin(table, table.c.version_id == E.framework_version_id)
        .outerjoin(activity, activity.c.enrolment_id == E.id)
        .outerjoin(headings, headings.c.enrolment_id == E.id)
        .outerjoin(rated, rated.c.enrolment_id == E.id)
        .outerjoin(team, team.c.enrolment_id == E.id))


def _as_date(value: Any) -> Optional[dt.date]:
    """A day in England from a datetime (UTC) or a date; SQLite may hand back text for
    aggregates. A UTC datetime's own date would be a day early for an evening item in summer,
    and the hub would read a different age from the supervisor's inbox (issue 17 #7)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return clock.day_of(value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc))
    return value


def scope_of_cohort(cohort_id: int) -> Any:
    """The enrolment ids of one cohort, as a subquery."""
    return sa.select(Enrolment.id).where(Enrolment.cohort_id == cohort_id)


def scope_of_hub(hub_id: int) -> Any:
    """The enrolment ids of every cohort of a hub, as a subquery."""
    return (sa.select(Enrolment.id).join(Cohort, Cohort.id == Enrolment.cohort_id)
            .where(Cohort.hub_id == hub_id))


# Versions never change once loaded (rule D1), so their thresholds are kept by content hash
# rather than parsing a large document on every request.
_RULES_BY_HASH: dict[str, VersionRules] = {}


def rules_for(session: Session, scope: Any) -> list[VersionRules]:
    """The thresholds of every framework version the enrolments in scope are pinned to."""
    pinned = session.execute(sa.select(FrameworkVersion.id, FrameworkVersion.content_hash).where(
        FrameworkVersion.id.in_(sa.select(Enrolment.framework_version_id)
                                .where(Enrolment.id.in_(scope))))).all()
    missing = {version_id for version_id, digest in pinned if digest not in _RULES_BY_HASH}
    if missing:
        for version_id, digest, document in session.execute(
                sa.select(FrameworkVersion.id, FrameworkVersion.content_hash,
                          FrameworkVersion.document).where(FrameworkVersion.id.in_(missing))):
            _RULES_BY_HASH[digest] = version_rules(version_id, document)
    return [dataclasses.replace(_RULES_BY_HASH[digest], version_id=version_id)
            for version_id, digest in pinned]


def candidate_rows(session: Session, scope: Any, today: dt.date) -> list[CandidateRow]:
    """Every candidate in scope with their figures, status and sign-off: five statements."""
    rules = rules_for(session, scope)
    waits = stage_waits(session, scope, today)
    rows = []
    for r in session.execute(figures_statement(scope, rules, today)):
        row = CandidateRow(
            enrolment_id=r.id, name=r.full_name, employer=r.employer, enrolment_status=r.status,
            route=r.route, enrolled_on=r.enrolled_on, stage1_verified_on=r.stage1_verified_on,
            stage2_started_on=r.stage2_started_on, signed_off_on=r.stage2_signed_off_on,
            target_on=r.target_on, headings_total=int(r.headings_total),
            headings_evidenced=int(r.evidenced), headings_rated=int(r.rated),
            wpba_recent=int(r.wpba_recent), wpba_expected=int(r.wpba_per_month),
            last_activity_on=max(filter(None, [_as_date(r.last_activity), r.enrolled_on])),
            waiting=int(r.waiting), waiting_since=_as_date(r.waiting_since),
            primary=r.primary, backup=r.backup, today=today,
            signoff=current(waits.get(r.id, [])))
        classify(row)
        rows.append(row)
    return rows

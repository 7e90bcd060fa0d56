"""A region's figures: a fixed number of statements, counts that match a count by hand, and each
candidate's state as the hub dashboard's thresholds say."""
from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter

import sqlalchemy as sa

from bench.dashboard import framework, seed
from roadmap.accounts.models import Role
from roadmap.accounts.service import create_user
from roadmap.clock import today
from roadmap.cohorts.dashboard import candidate_rows, scope_of_hub
from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
from roadmap.db import utcnow
from roadmap.framework.models import EvidenceType
from roadmap.portfolio.models import Evidence
from roadmap.regions.figures import region_figures
from roadmap.regions.pages import region_report
from roadmap.regions.periods import quarters, year_of
from roadmap.regions.service import create_region
from roadmap.supervision.models import StageSignOff, SupervisorAssignment


def test_the_region_pages_cost_the_same_statements_for_one_hub_or_three(
        client, login, session, seeded_regions, regional_lead, count_queries):
    counts = {}
    for key in ("north", "south"):
        region = seeded_regions[key]
        client.post("/sign-out")
        login(client, regional_lead(region, f"lead.{key}@example.nhs.uk"))
        hub_id = session.scalar(sa.select(TrainingHub.id).where(TrainingHub.region_id == region.id))
        client.get(f"/regions/{region.id}")  # warm the framework's thresholds
        for page, path in (("region", ""), ("csv", "/figures.csv"), ("hub", f"/hubs/{hub_id}")):
            with count_queries() as counter:
                assert client.get(f"/regions/{region.id}{path}").status_code == 200
            counts[(key, page)] = counter.count
    for page in ("region", "csv", "hub"):
        assert counts[("north", page)] == counts[("south", page)], counts
    assert max(counts.values()) <= 14, counts


def test_the_region_pages_cost_the_same_statements_for_three_hubs_or_ten(
        client, login, session, regional_lead, count_queries):
    version, day = framework(session), today()
    regions = {size: create_region(session, f"Region of {size}", 10 * size, by=None) for size in (3, 10)}
    for size, region in regions.items():
        for i in range(size):
            seed(session, 6, 3, day, hub_name=f"Hub {i + 1} of {size}", version=version,
                 region_id=region.id, seed_value=100 * size + i)
    session.commit()
    counts = {}
    for size, region in regions.items():
        client.post("/sign-out")
        login(client, regional_lead(region, f"lead.{size}@example.nhs.uk"))
        hubs = list(session.scalars(sa.select(TrainingHub.id).where(TrainingHub.region_id == region.id)))
        assert len(hubs) == size
        client.get(f"/regions/{region.id}")  # warm the framework's thresholds
        for page, path in (("region", ""), ("csv", "/figures.csv"), ("hub", f"/hubs/{hubs[-1]}")):
            with count_queries() as counter:
                response = client.get(f"/regions/{region.id}{path}")
            assert response.status_code == 200
            counts[(size, page)] = counter.count
        page = client.get(f"/regions/{region.id}").get_data(as_text=True)
        assert all(f"Hub {i + 1} of {size}" in page for i in range(size))
    for page in ("region", "csv", "hub"):
        assert counts[(3, page)] == counts[(10, page)], counts


def _by_hand(session, hub_id: int, day: dt.date) -> dict[str, object]:
    """The hub's counts worked out one enrolment at a time, in Python, from plain columns."""
    rows = session.execute(sa.select(Enrolment).join(Cohort, Cohort.id == Enrolment.cohort_id)
                           .where(Cohort.hub_id == hub_id)).scalars().all()
    year = year_of(day)
    open_rows = [e for e in rows if e.status == "active" and e.stage2_signed_off_on is None]
    assignments = session.execute(
        sa.select(SupervisorAssignment.enrolment_id, SupervisorAssignment.kind,
                  SupervisorAssignment.supervisor_id)
        .where(SupervisorAssignment.enrolment_id.in_([e.id for e in rows]),
               SupervisorAssignment.starts_on <= day, SupervisorAssignment.ended_at.is_(None))).all()
    backups = {enrolment for enrolment, kind, _s in assignments if kind == "backup"}
    active = {e.id for e in open_rows}
    signed = [e for e in rows if e.stage2_signed_off_on is not None]
    recent = [e for e in signed if day - dt.timedelta(days=365) < e.stage2_signed_off_on <= day]
    return {
        "stage1": sum(1 for e in open_rows if e.stage1_verified_on is None),
        "stage2": sum(1 for e in open_rows if e.stage1_verified_on is not None),
        "no_backup": sum(1 for e in open_rows if e.id not in backups),
        "this_year": sum(1 for e in signed if year.start <= e.stage2_signed_off_on <= day),
        "last_12": len(recent),
        "days": sorted((e.stage2_signed_off_on - e.stage2_started_on).days for e in recent),
        "supervisors": len({s for enrolment, _k, s in assignments if enrolment in active}),
        "enrolled": sum(1 for e in rows if quarters(day)[-1].start <= e.enrolled_on),
    }


def test_figures_match_a_count_by_hand(session, seeded_regions):
    day, region = today(), seeded_regions["north"]
    hubs = list(session.scalars(sa.select(TrainingHub).where(TrainingHub.region_id == region.id)
                                .order_by(TrainingHub.name)))
    assert [h.name for h in hubs] == ["Alpha Hub", "Beta Hub", "Gamma Hub"]
    figures, staff = region_figures(session, region, hubs, year_of(day), quarters(day))
    for hub, found in zip(hubs, figures):
        hand = _by_hand(session, hub.id, day)
        assert found.stages == {"stage1": hand["stage1"], "stage2": hand["stage2"]}, hub.name
        assert sum(found.states.values()) == found.open
        assert (found.no_backup, found.signed_this_year, found.signed_last_12_months) == (
            hand["no_backup"], hand["this_year"], hand["last_12"]), hub.name
        assert sorted(found.days_to_signoff) == hand["days"]
        assert (found.staff.supervisors, found.enrolled_by_quarter[-1]) == (
            hand["supervisors"], hand["enrolled"]), hub.name
    assert sum(f.open for f in figures) > 20 and sum(f.no_backup for f in figures) > 0
    report = region_report(session, region, day)
    whole = report.total
    assert whole.cells["open"] == str(sum(f.open for f in figures))
    if sum(f.signed_last_12_months for f in figures) >= 5:
        days = sorted(d for f in figures for d in f.days_to_signoff)
        assert whole.cells["median"] == f"{statistics.median(days) / 7:.0f}"


def _state_on_the_hub_dashboard(row) -> str:
    """A candidate's state worked out from the hub dashboard's own row (cohorts.dashboard)."""
    if row.signoff is not None and row.signoff.waits_for_provider:
        return "provider"
    if (row.signoff is not None and row.signoff.state == "supervisor") or (
            row.days_waiting is not None and row.days_waiting > 14):
        return "supervisor"
    if row.days_inactive >= 30:
        return "stalled"
    return "on_track" if row.rag == "green" else "at_risk"


def test_states_agree_with_the_hub_dashboard(session, seeded_regions):
    day, region = today(), seeded_regions["north"]
    hubs = list(session.scalars(sa.select(TrainingHub).where(TrainingHub.region_id == region.id)
                                .order_by(TrainingHub.name)))
    figures, _staff = region_figures(session, region, hubs, year_of(day), quarters(day))
    for hub, found in zip(hubs, figures):
        rows = [r for r in candidate_rows(session, scope_of_hub(hub.id), day) if r.is_open]
        expected = Counter(_state_on_the_hub_dashboard(r) for r in rows)
        assert found.states == {key: expected.get(key, 0) for key in found.states}, hub.name
        assert found.no_backup == sum(1 for r in rows if r.backup is None)
    assert sum(sum(f.states.values()) for f in figures) > 50


def _person(session, email: str, role: Role):
    return create_user(session, email, email.split("@")[0], [role], None, "fast")


def test_each_open_candidate_is_in_the_first_state_that_holds(session):
    day = today()
    version = framework(session)
    region = create_region(session, "States", None, by=None)
    hub = TrainingHub(name="States Hub", region_id=region.id)
    session.add(hub)
    session.flush()
    cohort = Cohort(hub_id=hub.id, name="All states")
    session.add(cohort)
    session.flush()
    primary, backup = _person(session, "p@example.nhs.uk", Role.SUPERVISOR), _person(
        session, "b@example.nhs.uk", Role.SUPERVISOR)
    wpba = session.scalar(sa.select(EvidenceType).where(
        EvidenceType.framework_version_id == version.id, EvidenceType.is_wpba))
    now, long_ago = utcnow(), day - dt.timedelta(days=200)

    def enrol(name: str, *, stage2: bool = True, team: tuple[str, ...] = ("primary", "backup"),
              target: dt.date = day + dt.timedelta(days=100), enrolled: dt.date = long_ago,
              items: tuple[tuple[str, dt.datetime, dt.date], ...] = (), signoff: str = "",
              **extra) -> Enrolment:
        candidate = _person(session, f"{name}@example.nhs.uk", Role.CANDIDATE)
        enrolment = Enrolment(candidate_id=candidate.id, cohort_id=cohort.id,
                              framework_version_id=version.id, enrolled_on=enrolled,
                              stage1_verified_on=long_ago if stage2 else None,
                              stage2_started_on=long_ago if stage2 else None, target_on=target,
                              **extra)
        session.add(enrolment)
        session.flush()
        for kind in team:
            session.add(SupervisorAssignment(enrolment_id=enrolment.id, kind=kind, starts_on=long_ago,
                                             supervisor_id=(primary if kind == "primary" else backup).id))
        for status, touched, occurred in items:
            session.add(Evidence(enrolment_id=enrolment.id, evidence_type_id=wpba.id, title="An item",
                                 occurred_on=occurred, status=status, created_by_id=candidate.id,
                                 submitted_at=touched if status != "draft" else None,
                                 created_at=touched, updated_at=touched))
        if signoff:
            session.add(StageSignOff(enrolment_id=enrolment.id, stage_code="stage2", status=signoff))
        return enrolment

    busy = tuple(("signed", now, day - dt.timedelta(days=d)) for d in (1, 2))
    enrol("provider", signoff="supervisor_signed")
    enrol("declared", signoff="candidate_signed", items=busy)
    enrol("waiting", items=(("submitted", now - dt.timedelta(days=20), day - dt.timedelta(days=20)),))
    enrol("quiet", items=(("signed", now - dt.timedelta(days=45), day - dt.timedelta(days=45)),))
    enrol("late", items=busy, target=day - dt.timedelta(days=3))
    enrol("alone", items=busy, team=("primary",))
    enrol("slow", items=busy[:1])  # one WPBA in 30 days where Stage 2 expects two
    enrol("fine", items=busy)
    enrol("new", stage2=False, items=(("draft", now, day),), enrolled=day - dt.timedelta(days=3))
    enrol("done", items=busy, stage2_signed_off_on=day - dt.timedelta(days=10), status="completed")
    enrol("gone", status="withdrawn")
    session.commit()
    [found], staff = region_figures(session, region, [hub], year_of(day), quarters(day))
    assert found.states == {"provider": 1, "supervisor": 2, "stalled": 1, "at_risk": 3,
                            "on_track": 2}
    assert found.stages == {"stage1": 1, "stage2": 8}
    assert (found.no_backup, found.signed_last_12_months) == (1, 1)
    assert found.staff.supervisors == 2 and found.staff.carried == 9  # primary of every open one
    assert staff == found.staff and found.staff.over_capacity == 1  # 9 candidates for 1 FTE


def test_a_region_counts_its_own_hubs_only(session, seeded_regions):
    day, south = today(), seeded_regions["south"]
    report = region_report(session, south, day)
    assert [row.name for row in report.hubs] == ["Delta Hub"]
    assert report.total.cells["open"] == report.hubs[0].cells["open"]

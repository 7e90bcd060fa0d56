"""Benchmark the region page at national scale against hand-written SQL (the floor).

Needs a database seeded by bench/seed.py (at 100 %: 10,000 candidates in 42 hubs). Times the
region page through the Flask test client, signed in as a regional lead, for a region of 10
hubs and for a region of all 42, beside the time of the hand-written SQL that computes the same
figures of every hub, in the same run. The bench moves the hubs into its two regions in turn and
puts each back in its own region at the end.

    .venv/bin/python bench/region.py --database-url postgresql://postgres@127.0.0.1:5432/roadmap_bench_100
                                     [--runs 40] [--hubs 10]

Target: p95 at most 200 ms and at most twice the floor's p95.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Optional

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402

CURRENT = "a.starts_on <= :today AND (a.ended_at IS NULL OR a.ended_at > :now)"
FLOOR_SQL = f"""
WITH active AS (SELECT DISTINCT enrolment_id FROM evidence WHERE updated_at >= :active_from),
waited AS (
  SELECT DISTINCT enrolment_id FROM evidence WHERE status = 'submitted' AND submitted_at < :waited_from),
wpbas AS (
  SELECT ev.enrolment_id, COUNT(*) AS n FROM evidence ev JOIN evidence_types t ON t.id = ev.evidence_type_id
  WHERE ev.occurred_on > :since AND ev.occurred_on <= :today AND t.is_wpba
    AND ev.status IN ('submitted', 'signed', 'changed_since_signed')
  GROUP BY ev.enrolment_id),
team AS (
  SELECT a.enrolment_id, MAX(CASE WHEN a.kind = 'primary' THEN 1 ELSE 0 END) AS has_primary,
    MAX(CASE WHEN a.kind = 'backup' THEN 1 ELSE 0 END) AS has_backup
  FROM supervisor_assignments a WHERE a.kind IN ('primary', 'backup') AND {CURRENT}
  GROUP BY a.enrolment_id),
waits AS (
  SELECT enrolment_id, MAX(CASE WHEN status = 'supervisor_signed' THEN 1 ELSE 0 END) AS provider,
    MAX(CASE WHEN status = 'candidate_signed' THEN 1 ELSE 0 END) AS supervisor
  FROM stage_signoffs WHERE status IN ('supervisor_signed', 'candidate_signed') GROUP BY enrolment_id),
classified AS MATERIALIZED (
  SELECT c.hub_id, e.enrolled_on, e.stage2_signed_off_on AS signed_on,
    CASE WHEN e.status IN ('withdrawn', 'completed') OR e.stage2_signed_off_on IS NOT NULL THEN NULL
         WHEN e.stage1_verified_on IS NULL THEN 'stage1' ELSE 'stage2' END AS stage,
    CASE WHEN e.status IN ('withdrawn', 'completed') OR e.stage2_signed_off_on IS NOT NULL THEN NULL
      WHEN w.provider = 1 THEN 'provider'
      WHEN w.supervisor = 1 OR wt.enrolment_id IS NOT NULL THEN 'supervisor'
      WHEN ac.enrolment_id IS NULL AND e.enrolled_on <= :stalled_before THEN 'stalled'
      WHEN COALESCE(t.has_primary, 0) = 0 OR COALESCE(t.has_backup, 0) = 0 OR e.target_on <= :near
        OR (e.stage1_verified_on IS NOT NULL AND COALESCE(wp.n, 0) < :wpba_expected) THEN 'at_risk'
      ELSE 'on_track' END AS state,
    CASE WHEN e.status = 'active' AND e.stage2_signed_off_on IS NULL AND COALESCE(t.has_backup, 0) = 0
         THEN 1 ELSE 0 END AS no_backup
  FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id JOIN training_hubs h ON h.id = c.hub_id
  LEFT JOIN active ac ON ac.enrolment_id = e.id LEFT JOIN waited wt ON wt.enrolment_id = e.id
  LEFT JOIN wpbas wp ON wp.enrolment_id = e.id LEFT JOIN team t ON t.enrolment_id = e.id
  LEFT JOIN waits w ON w.enrolment_id = e.id
  WHERE h.region_id = :region),
counts AS (
  SELECT hub_id,
    SUM(CASE WHEN stage = 'stage1' THEN 1 ELSE 0 END) AS stage1,
    SUM(CASE WHEN stage = 'stage2' THEN 1 ELSE 0 END) AS stage2,
    SUM(CASE WHEN state = 'on_track' THEN 1 ELSE 0 END) AS on_track,
    SUM(CASE WHEN state = 'at_risk' THEN 1 ELSE 0 END) AS at_risk,
    SUM(CASE WHEN state = 'stalled' THEN 1 ELSE 0 END) AS stalled,
    SUM(CASE WHEN state = 'supervisor' THEN 1 ELSE 0 END) AS supervisor,
    SUM(CASE WHEN state = 'provider' THEN 1 ELSE 0 END) AS provider,
    SUM(no_backup) AS no_backup,
    SUM(CASE WHEN signed_on >= :year_start AND signed_on <= :today THEN 1 ELSE 0 END) AS this_year,
    SUM(CASE WHEN signed_on > :year_ago AND signed_on <= :today THEN 1 ELSE 0 END) AS last_12,
    {{quarters}}
  FROM classified GROUP BY hub_id),
pairs AS (
  SELECT DISTINCT c.hub_id, a.supervisor_id FROM supervisor_assignments a
  JOIN enrolments e ON e.id = a.enrolment_id JOIN cohorts c ON c.id = e.cohort_id
  JOIN training_hubs h ON h.id = c.hub_id
  WHERE h.region_id = :region AND a.kind IN ('primary', 'backup') AND e.status = 'active' AND {CURRENT}),
loads AS (
  SELECT a.supervisor_id, COUNT(DISTINCT a.enrolment_id) AS n FROM supervisor_assignments a
  JOIN enrolments e ON e.id = a.enrolment_id
  WHERE a.supervisor_id IN (SELECT supervisor_id FROM pairs) AND a.kind = 'primary'
    AND e.status = 'active' AND {CURRENT}
  GROUP BY a.supervisor_id),
staff AS (
  SELECT p.hub_id, COUNT(*) AS supervisors, SUM(COALESCE(sp.fte, 1.0)) AS fte,
    SUM(COALESCE(l.n, 0)) AS carried,
    SUM(CASE WHEN COALESCE(l.n, 0) > 4 * COALESCE(sp.fte, 1.0) THEN 1 ELSE 0 END) AS over_capacity
  FROM pairs p LEFT JOIN supervisor_profiles sp ON sp.user_id = p.supervisor_id
  LEFT JOIN loads l ON l.supervisor_id = p.supervisor_id GROUP BY p.hub_id)
SELECT h.id, h.name, counts.*, staff.supervisors, staff.fte, staff.carried, staff.over_capacity
FROM training_hubs h LEFT JOIN counts ON counts.hub_id = h.id LEFT JOIN staff ON staff.hub_id = h.id
WHERE h.region_id = :region ORDER BY h.name
"""
DAYS_SQL = """
SELECT c.hub_id, e.stage2_started_on, e.stage2_signed_off_on FROM enrolments e
JOIN cohorts c ON c.id = e.cohort_id JOIN training_hubs h ON h.id = c.hub_id
WHERE h.region_id = :region AND e.stage2_started_on IS NOT NULL
  AND e.stage2_signed_off_on > :year_ago AND e.stage2_signed_off_on <= :today
"""


def floor_sql(quarters: int) -> str:
    """The floor's statement, with a count of sign-offs and of intake for each quarter."""
    columns = [f"SUM(CASE WHEN signed_on >= :q{i} AND signed_on < :q{i + 1} THEN 1 ELSE 0 END) AS signed_{i}"
               for i in range(quarters)]
    columns += [f"SUM(CASE WHEN enrolled_on >= :q{i} AND enrolled_on < :q{i + 1} THEN 1 ELSE 0 END) AS enrolled_{i}"
                for i in range(quarters)]
    return FLOOR_SQL.replace("{quarters}", ",\n    ".join(columns))


def floor_params(region_id: int, day: dt.date) -> dict[str, Any]:
    """The floor's parameters for a day, with the thresholds of the hub dashboard."""
    from roadmap.clock import moment
    from roadmap.cohorts.dashboard import INACTIVE_DAYS, NEAR_TARGET_DAYS, WAITING_DAYS, WINDOW_DAYS
    from roadmap.regions.periods import quarters, year_of

    midnight = lambda d: dt.datetime.combine(d, dt.time(), dt.timezone.utc)  # noqa: E731
    periods = quarters(day)
    params = {"region": region_id, "today": day, "now": moment(day),
              "since": day - dt.timedelta(days=WINDOW_DAYS),
              "active_from": midnight(day - dt.timedelta(days=INACTIVE_DAYS - 1)),
              "waited_from": midnight(day - dt.timedelta(days=WAITING_DAYS)),
              "stalled_before": day - dt.timedelta(days=INACTIVE_DAYS),
              "near": day + dt.timedelta(days=NEAR_TARGET_DAYS), "wpba_expected": 2,
              "year_start": year_of(day).start, "year_ago": day - dt.timedelta(days=365)}
    params.update({f"q{i}": q.start for i, q in enumerate(periods)})
    params[f"q{len(periods)}"] = periods[-1].end
    return params


def _time(calls: list[Any], runs: int) -> list[list[float]]:
    """Seconds each call took, after three warm-up rounds: the calls take turns (each first in
    every other round), so a machine busy with other work slows them alike rather than
    whichever was timed while it was busiest."""
    times: list[list[float]] = [[] for _ in calls]
    for run in range(runs + 3):
        order = list(enumerate(calls))
        for which, call in (order if run % 2 else order[::-1]):
            begin = time.perf_counter()
            call()
            if run >= 3:
                times[which].append(time.perf_counter() - begin)
    return times


def main(argv: Optional[list[str]] = None) -> int:
    """Put the hubs in the bench's regions, time the page and the floor, print, put them back."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a database seeded by bench/seed.py")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--hubs", type=int, default=10, help="hubs in the smaller region")
    args = parser.parse_args(argv)

    import pyotp

    from roadmap import create_app, migrate
    from roadmap.accounts.models import Role
    from roadmap.accounts.service import create_user, find_user
    from roadmap.clock import today as london_today
    from roadmap.cohorts.models import TrainingHub
    from roadmap.db import utcnow
    from roadmap.regions.figures import region_figures
    from roadmap.regions.models import Region
    from roadmap.regions.periods import quarters, year_of
    from roadmap.regions.service import assign_regional_lead, create_region

    migrate.upgrade(args.database_url)
    folder = tempfile.TemporaryDirectory(prefix="roadmap-bench-")
    app = create_app({"TESTING": True, "DATABASE_URL": args.database_url, "ARGON2_PROFILE": "fast",
                      "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench-" + "x" * 40,
                      "MAIL_FOLDER": str(Path(folder.name) / "mail")})
    engine, day = app.extensions["roadmap.db"].engine, london_today()
    session = app.extensions["roadmap.db"].sessions()
    hubs = list(session.execute(sa.select(TrainingHub.id, TrainingHub.region_id).order_by(TrainingHub.id)))
    if len(hubs) < args.hubs:
        print(f"the database has {len(hubs)} hubs: seed it with bench/seed.py first", file=sys.stderr)
        return 2
    regions = []
    for name in (f"Bench region of {args.hubs} hubs", f"Bench region of all {len(hubs)} hubs"):
        regions.append(session.scalar(sa.select(Region).where(Region.name == name))
                       or create_region(session, name, 25 * args.hubs, by=None))
    secret = pyotp.random_base32()
    lead = find_user(session, "bench.region@example.nhs.uk") or create_user(
        session, "bench.region@example.nhs.uk", "Bench Regional Lead", [Role.REGIONAL_LEAD],
        "bench password long enough", "fast")
    lead.totp_secret, lead.totp_confirmed_at, lead.totp_last_step = secret, utcnow(), None
    for region in regions:
        if not any(True for _ in session.execute(sa.text(
                "SELECT 1 FROM region_leads WHERE region_id = :r AND user_id = :u AND ended_at IS NULL"),
                {"r": region.id, "u": lead.id})):
            assign_regional_lead(session, region, lead, by=None)
    session.commit()
    region_ids = [region.id for region in regions]
    session.close()
    if engine.dialect.name == "postgresql":
        # As autovacuum keeps a live database: visibility maps set, so the indexes that answer
        # the counts are read without the table (bench/seed.py only analyses what it wrote).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM (ANALYZE) evidence, enrolments, stage_signoffs, "
                                       "supervisor_assignments, cohorts, training_hubs"))

    client = app.test_client()
    client.post("/sign-in", data={"email": lead.email, "password": "bench password long enough"})
    client.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
    ms = lambda v: f"{v * 1000:.1f} ms"  # noqa: E731
    failed = False
    try:
        for region_id, members in zip(region_ids, (hubs[:args.hubs], hubs)):
            with engine.begin() as connection:
                connection.execute(sa.update(TrainingHub).where(
                    TrainingHub.id.in_([hub_id for hub_id, _ in members])).values(region_id=region_id))
                if engine.dialect.name == "postgresql":
                    connection.execute(sa.text("ANALYZE training_hubs"))  # as after a real move
            path = f"/regions/{region_id}"
            page = client.get(path)
            assert page.status_code == 200, page.status_code
            assert page.get_data(as_text=True).count(f"{path}/hubs/") >= len(members)
            params, statement = floor_params(region_id, day), sa.text(floor_sql(len(quarters(day))))
            with engine.connect() as connection:
                rows: list[Any] = []

                def floor() -> None:
                    rows[:] = connection.execute(statement, params).mappings().all()
                    connection.execute(sa.text(DAYS_SQL), params).all()

                page_times, floor_times = _time([lambda: client.get(path), floor], args.runs)
            with app.app_context():
                check = app.extensions["roadmap.db"].sessions()
                region = check.get(Region, region_id)
                ours, _staff = region_figures(check, region, list(check.scalars(
                    sa.select(TrainingHub).where(TrainingHub.region_id == region_id)
                    .order_by(TrainingHub.name))), year_of(day), quarters(day))
                check.close()
            same = all((h.stages["stage1"], h.states["at_risk"], h.no_backup, h.signed_this_year,
                        h.staff.supervisors) == (r["stage1"] or 0, r["at_risk"] or 0, r["no_backup"] or 0,
                                           r["this_year"] or 0, r["supervisors"] or 0)
                       for h, r in zip(ours, rows))
            page_p95, floor_p95 = percentile(page_times, 0.95), percentile(floor_times, 0.95)
            met = page_p95 <= 0.200 and page_p95 <= 2 * floor_p95
            failed = failed or not met or not same
            print(f"region of {len(members)} hubs ({engine.dialect.name}, {args.runs} runs)")
            print(f"  region page    median {ms(statistics.median(page_times))}  p95 {ms(page_p95)}")
            print(f"  floor (SQL)    median {ms(statistics.median(floor_times))}  p95 {ms(floor_p95)}")
            print(f"  p95 ratio page/floor: {page_p95 / floor_p95:.2f}  target: p95 <= 200 ms "
                  f"{'met' if page_p95 <= 0.200 else 'NOT met'}, <= 2x floor "
                  f"{'met' if page_p95 <= 2 * floor_p95 else 'NOT met'}; "
                  f"figures {'agree with' if same else 'DIFFER from'} the floor's")
    finally:
        with engine.begin() as connection:  # every hub back in its own region
            for hub_id, region_id in hubs:
                connection.execute(sa.update(TrainingHub).where(TrainingHub.id == hub_id)
                                   .values(region_id=region_id))
        engine.dispose()
        folder.cleanup()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

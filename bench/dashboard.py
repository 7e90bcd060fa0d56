"""Benchmark the cohort dashboard against one hand-written SQL query (the floor).

Seeds a hub of 300 candidates with 120 evidence items each, directly with bulk inserts, into
a temporary SQLite file (or the PostgreSQL database given), then times the dashboard through
the Flask test client signed in as the hub lead, beside the time of a single hand-written
query that computes the same figures, in the same run.

    .venv/bin/python bench/dashboard.py [--candidates 300] [--items 120] [--runs 40]
                                        [--database-url postgresql://...]

Target: p95 at most 150 ms and at most twice the floor's p95.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import framework, percentile  # noqa: E402

from roadmap.accounts.models import SupervisorProfile, User, UserRole  # noqa: E402
from roadmap.clock import moment  # noqa: E402
from roadmap.cohorts.models import Cohort, Employer, Enrolment, TrainingHub  # noqa: E402
from roadmap.framework.models import Capability, EvidenceType, FrameworkVersion  # noqa: E402
from roadmap.portfolio.models import Evidence, EvidenceCapability  # noqa: E402
from roadmap.supervision.models import CapabilityRating, SupervisorAssignment  # noqa: E402

SECRET_TEXT = "SEEDED-REFLECTION-TEXT the hub must never see"
STATUSES = ("signed", "signed", "submitted", "draft", "signed", "returned",
            "changed_since_signed", "signed")


def _ids(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert many rows in one go and return their ids in order."""
    if not rows:
        return []
    return list(session.scalars(sa.insert(model).returning(model.id, sort_by_parameter_order=True),
                                rows))


def seed(session: Session, candidates: int, items: int, today: dt.date, *,
         hub_name: str = "Bench Training Hub", seed_value: int = 7,
         version: Optional[FrameworkVersion] = None,
         region_id: Optional[int] = None) -> tuple[TrainingHub, Cohort]:
    """A hub (in the region given, if any) with one cohort of `candidates`, each with `items`
    evidence items; flushes only."""
    rng = random.Random(seed_value)
    version = version or framework(session)
    now = dt.datetime.combine(today, dt.time(12), tzinfo=dt.timezone.utc)
    hub = TrainingHub(name=hub_name, region_id=region_id, annual_signoff_target=50)
    employer = session.scalar(sa.select(Employer).where(Employer.name == "Bench Employer")) \
        or Employer(name="Bench Employer")
    session.add_all([hub, employer])
    session.flush()
    cohort = Cohort(hub_id=hub.id, name=f"{hub_name} cohort", starts_on=today - dt.timedelta(days=200))
    session.add(cohort)
    session.flush()
    tag = f"h{hub.id}"
    supervisors = _ids(session, User, [
        {"email": f"sup{i}.{tag}@example.nhs.uk", "full_name": f"Supervisor {i} {tag}"}
        for i in range(max(2, candidates // 3))])
    session.execute(sa.insert(UserRole), [{"user_id": s, "role": "supervisor"} for s in supervisors])
    session.execute(sa.insert(SupervisorProfile), [
        {"user_id": s, "category": "ahp_fellow", "fte": rng.choice((0.3, 0.6, 1.0))}
        for s in supervisors])
    people = _ids(session, User, [
        {"email": f"cand{i}.{tag}@example.nhs.uk", "full_name": f"Candidate {i:04d} {tag}"}
        for i in range(candidates)])
    session.execute(sa.insert(UserRole), [{"user_id": p, "role": "candidate"} for p in people])
    enrolments = []
    for i, person in enumerate(people):
        enrolled = today - dt.timedelta(days=rng.randint(30, 300))
        verified = enrolled + dt.timedelta(days=30) if rng.random() < 0.8 else None
        signed = (verified + dt.timedelta(days=rng.randint(120, 200))
                  if verified and rng.random() < 0.2 else None)
        enrolments.append({
            "candidate_id": person, "cohort_id": cohort.id, "framework_version_id": version.id,
            "employer_id": employer.id, "route": "portfolio",
            "status": "completed" if signed and signed <= today else "active",
            "enrolled_on": enrolled, "stage1_verified_on": verified, "stage2_started_on": verified,
            "stage2_signed_off_on": signed if signed and signed <= today else None,
            "target_on": (verified or enrolled) + dt.timedelta(days=182)})
    enrolment_ids = _ids(session, Enrolment, enrolments)
    assignments = []
    for i, enrolment_id in enumerate(enrolment_ids):
        start = enrolments[i]["enrolled_on"]
        assignments.append({"enrolment_id": enrolment_id, "supervisor_id": supervisors[i % len(supervisors)],
                            "kind": "primary", "starts_on": start})
        if i % 5:
            assignments.append({"enrolment_id": enrolment_id,
                                "supervisor_id": supervisors[(i + 1) % len(supervisors)],
                                "kind": "backup", "starts_on": start})
    session.execute(sa.insert(SupervisorAssignment), assignments)
    types = list(session.scalars(sa.select(EvidenceType).where(
        EvidenceType.framework_version_id == version.id).order_by(EvidenceType.position)))
    capabilities = list(session.scalars(sa.select(Capability.id).where(
        Capability.framework_version_id == version.id)))
    regions = ("neck", "low_back", "shoulder", "knee", "hip", "foot_ankle")
    outcomes = ("self_management", "physiotherapy_referral", "secondary_care_referral",
                "imaging_request", "injection")
    evidence = []
    for i, enrolment_id in enumerate(enrolment_ids):
        span = max(1, (today - enrolments[i]["enrolled_on"]).days)
        quiet = i % 7 == 0  # some candidates stop working, to show the inactivity risk
        for j in range(items):
            etype = types[j % len(types)]
            when = enrolments[i]["enrolled_on"] + dt.timedelta(days=rng.randint(0, span))
            status = STATUSES[(i + j) % len(STATUSES)]
            fields: dict[str, Any] = {"reflection": f"{SECRET_TEXT} {i}-{j}"}
            if etype.code == "case_mix":
                fields = {"consultation_type": "face_to_face", "body_region": rng.choice(regions),
                          "outcomes": rng.sample(outcomes, k=rng.randint(1, 2)),
                          "learning_point": f"{SECRET_TEXT} {i}-{j}"}
            touched = now - dt.timedelta(days=(rng.randint(31, 90) if quiet else rng.randint(0, 20)))
            evidence.append({
                "enrolment_id": enrolment_id, "evidence_type_id": etype.id,
                "title": f"Bench item {j}", "occurred_on": when, "fields": fields,
                "status": status, "created_by_id": people[i],
                "submitted_to_id": supervisors[i % len(supervisors)] if status != "draft" else None,
                "submitted_at": touched if status != "draft" else None,
                "created_at": touched, "updated_at": touched})
    evidence_ids = _ids(session, Evidence, evidence)
    links = []
    for k, evidence_id in enumerate(evidence_ids):
        for capability_id in rng.sample(capabilities, k=1 + k % 2):
            links.append({"evidence_id": evidence_id, "capability_id": capability_id,
                          "linked_by_id": evidence[k]["created_by_id"]})
    for start in range(0, len(links), 20_000):
        session.execute(sa.insert(EvidenceCapability), links[start:start + 20_000])
    ratings = [{"enrolment_id": enrolment_id, "capability_id": capability_id,
                "rater_kind": "supervisor", "rated_by_id": supervisors[i % len(supervisors)],
                "rating": rng.choice(("capable", "excellent", "needs_further_development")),
                "justification": f"{SECRET_TEXT} rating"}
               for i, enrolment_id in enumerate(enrolment_ids)
               for capability_id in capabilities if rng.random() < 0.5]
    if ratings:
        session.execute(sa.insert(CapabilityRating), ratings)
    session.flush()
    return hub, cohort


FLOOR_SQL = """
WITH scope AS (SELECT id, framework_version_id FROM enrolments WHERE cohort_id = :cohort),
per_heading AS (
  SELECT e.enrolment_id, ec.capability_id, COUNT(*) AS n
  FROM evidence e JOIN evidence_capabilities ec ON ec.evidence_id = e.id
  WHERE e.enrolment_id IN (SELECT id FROM scope)
    AND e.status IN ('submitted', 'signed', 'changed_since_signed')
  GROUP BY e.enrolment_id, ec.capability_id),
headings AS (SELECT enrolment_id, COUNT(*) AS evidenced FROM per_heading
             WHERE n >= :min_items GROUP BY enrolment_id),
activity AS (
  SELECT e.enrolment_id,
    SUM(CASE WHEN t.is_wpba AND e.status IN ('submitted', 'signed', 'changed_since_signed')
              AND e.occurred_on > :since AND e.occurred_on <= :today THEN 1 ELSE 0 END) AS wpba,
    MAX(e.updated_at) AS last_activity,
    SUM(CASE WHEN e.status = 'submitted' THEN 1 ELSE 0 END) AS waiting,
    MIN(CASE WHEN e.status = 'submitted' THEN e.submitted_at END) AS waiting_since
  FROM evidence e JOIN evidence_types t ON t.id = e.evidence_type_id
  WHERE e.enrolment_id IN (SELECT id FROM scope) GROUP BY e.enrolment_id),
rated AS (
  SELECT enrolment_id, COUNT(*) AS rated FROM capability_ratings
  WHERE enrolment_id IN (SELECT id FROM scope) AND rater_kind = 'supervisor'
    AND rating IN ('capable', 'excellent') GROUP BY enrolment_id),
latest AS (
  SELECT a.enrolment_id, a.kind, u.full_name,
    ROW_NUMBER() OVER (PARTITION BY a.enrolment_id, a.kind ORDER BY a.starts_on DESC, a.id DESC) AS rank
  FROM supervisor_assignments a JOIN users u ON u.id = a.supervisor_id
  WHERE a.enrolment_id IN (SELECT id FROM scope) AND a.starts_on <= :today
    AND (a.ended_at IS NULL OR a.ended_at > :now)),
team AS (
  SELECT enrolment_id, MAX(CASE WHEN kind = 'primary' THEN full_name END) AS primary_name,
    MAX(CASE WHEN kind = 'backup' THEN full_name END) AS backup_name
  FROM latest WHERE rank = 1 GROUP BY enrolment_id)
SELECT en.id, c.full_name, en.status, en.enrolled_on, en.stage1_verified_on,
  en.stage2_signed_off_on, en.target_on, COALESCE(h.evidenced, 0), COALESCE(r.rated, 0),
  COALESCE(a.wpba, 0), a.last_activity, COALESCE(a.waiting, 0), a.waiting_since,
  t.primary_name, t.backup_name
FROM enrolments en JOIN users c ON c.id = en.candidate_id
LEFT JOIN headings h ON h.enrolment_id = en.id LEFT JOIN activity a ON a.enrolment_id = en.id
LEFT JOIN rated r ON r.enrolment_id = en.id LEFT JOIN team t ON t.enrolment_id = en.id
WHERE en.cohort_id = :cohort
"""


def main(argv: Optional[list[str]] = None) -> int:
    """Seed, warm up, time the page and the floor, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--items", type=int, default=120)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--database-url", default=None,
                        help="PostgreSQL URL of a database for the bench (default: a temporary SQLite file); "
                             "it is migrated to head and a new hub is added each run")
    args = parser.parse_args(argv)

    import pyotp

    from roadmap import create_app, migrate
    from roadmap.accounts.models import Role
    from roadmap.accounts.service import create_user
    from roadmap.db import utcnow
    from roadmap.clock import today as london_today

    folder = tempfile.TemporaryDirectory(prefix="roadmap-bench-")
    url = args.database_url or f"sqlite:///{Path(folder.name) / 'bench.sqlite3'}"
    migrate.upgrade(url)  # a fresh SQLite file, or brings the given database to head
    app = create_app({"TESTING": True, "DATABASE_URL": url, "ARGON2_PROFILE": "fast",
                      "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench-" + "x" * 40,
                      "MAIL_FOLDER": str(Path(folder.name) / "mail")})
    day = london_today()
    started = time.perf_counter()
    session = app.extensions["roadmap.db"].sessions()
    hub, cohort = seed(session, args.candidates, args.items, day,
                       hub_name=f"Bench Training Hub {int(time.time())}")
    secret = pyotp.random_base32()
    lead = create_user(session, f"lead.{hub.id}@example.nhs.uk", "Bench Hub Lead", [Role.HUB_LEAD],
                       "bench password long enough", "fast", hub_id=hub.id)
    lead.totp_secret, lead.totp_confirmed_at = secret, utcnow()
    session.commit()
    cohort_id = cohort.id
    session.close()
    if app.extensions["roadmap.db"].is_sqlite:
        with app.extensions["roadmap.db"].engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
    else:
        with app.extensions["roadmap.db"].engine.connect() as connection:
            connection.execute(sa.text("ANALYZE"))
            connection.commit()
    print(f"seeded {args.candidates} candidates x {args.items} items in "
          f"{time.perf_counter() - started:.1f} s ({app.extensions['roadmap.db'].engine.dialect.name})")

    client = app.test_client()
    client.post("/sign-in", data={"email": lead.email, "password": "bench password long enough"})
    client.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
    path = f"/cohorts/{cohort_id}"
    page_times = []
    for run in range(args.runs + 3):
        begin = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - begin
        assert response.status_code == 200, response.status_code
        if run >= 3:  # warm-up runs are left out
            page_times.append(elapsed)
    engine = app.extensions["roadmap.db"].engine
    params = {"cohort": cohort_id, "today": day, "now": moment(day),
              "since": day - dt.timedelta(days=30), "min_items": 3}
    floor_times = []
    with engine.connect() as connection:
        for run in range(args.runs + 3):
            begin = time.perf_counter()
            rows = connection.execute(sa.text(FLOOR_SQL), params).all()
            elapsed = time.perf_counter() - begin
            if run >= 3:
                floor_times.append(elapsed)
        assert len(rows) == args.candidates
    ms = lambda v: f"{v * 1000:.1f} ms"  # noqa: E731
    page_p95, floor_p95 = percentile(page_times, 0.95), percentile(floor_times, 0.95)
    print(f"dashboard page   median {ms(statistics.median(page_times))}  p95 {ms(page_p95)}  ({args.runs} runs)")
    print(f"floor (one SQL)  median {ms(statistics.median(floor_times))}  p95 {ms(floor_p95)}")
    print(f"p95 ratio page/floor: {page_p95 / floor_p95:.2f}  "
          f"target: p95 <= 150 ms {'met' if page_p95 <= 0.150 else 'NOT met'}, "
          f"<= 2x floor {'met' if page_p95 <= 2 * floor_p95 else 'NOT met'}")
    app.extensions["roadmap.db"].engine.dispose()
    folder.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The cohort dashboard: fixed statement count, figures, status reasons, sort, filter, CSV."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pyotp
import pytest
import sqlalchemy as sa

from bench.dashboard import framework, seed
from roadmap.accounts.models import Role
from roadmap.accounts.service import create_user
from roadmap.cohorts import listing
from roadmap.cohorts.dashboard import CandidateRow, candidate_rows, classify, scope_of_cohort
from roadmap.db import utcnow
from roadmap.clock import today


def lead_for(session, hub, email="lead@example.nhs.uk"):
    lead = create_user(session, email, "Hub Lead", [Role.HUB_LEAD], "correct horse battery staple",
                       "fast", hub_id=hub.id)
    lead.totp_secret, lead.totp_confirmed_at = pyotp.random_base32(), utcnow()
    session.commit()
    return lead


@pytest.fixture
def seeded(session):
    """Two hubs: 10 candidates in one, 1,000 in the other, made with bulk inserts."""
    version = framework(session)
    small = seed(session, 10, 12, today(), hub_name="Small Hub", version=version)
    large = seed(session, 1000, 3, today(), hub_name="Large Hub", version=version)
    session.commit()
    return small, large


@pytest.fixture
def small(session):
    """One hub of 10 candidates."""
    made = seed(session, 10, 12, today(), hub_name="Small Hub", version=framework(session))
    session.commit()
    return made


def test_the_dashboard_issues_a_fixed_number_of_statements(client, login, session, seeded, count_queries):
    (small_hub, small), (large_hub, large) = seeded
    counts = {}
    for hub, cohort in ((small_hub, small), (large_hub, large)):
        client.post("/sign-out")
        login(client, lead_for(session, hub, f"lead{hub.id}@example.nhs.uk"))
        client.get(f"/cohorts/{cohort.id}")  # warm caches
        with count_queries() as counter:
            response = client.get(f"/cohorts/{cohort.id}")
        assert response.status_code == 200
        counts[cohort.id] = counter.count
        with count_queries() as counter:
            assert client.get(f"/cohorts/{cohort.id}/dashboard.csv").status_code == 200
        counts[("csv", cohort.id)] = counter.count
        with count_queries() as counter:
            assert client.get(f"/hubs/{hub.id}").status_code == 200
        counts[("hub", hub.id)] = counter.count
    assert counts[small.id] == counts[large.id] <= 10, counts
    assert counts[("csv", small.id)] == counts[("csv", large.id)], counts
    assert counts[("hub", small_hub.id)] == counts[("hub", large_hub.id)], counts
    body = client.get(f"/cohorts/{large.id}").get_data(as_text=True)
    assert body.count('data-enrolment="') == 1000


def test_figures_match_a_count_done_by_hand(session, small):
    _hub, cohort = small
    rows = {r.enrolment_id: r for r in candidate_rows(session, scope_of_cohort(cohort.id), today())}
    assert len(rows) == 10
    some = next(iter(rows.values()))
    expected = session.execute(sa.text(
        "SELECT COUNT(*) FROM (SELECT ec.capability_id FROM evidence e "
        "JOIN evidence_capabilities ec ON ec.evidence_id = e.id WHERE e.enrolment_id = :id "
        "AND e.status IN ('submitted', 'signed', 'changed_since_signed') "
        "GROUP BY ec.capability_id HAVING COUNT(*) >= 3) AS headings"), {"id": some.enrolment_id}).scalar()
    assert some.headings_evidenced == expected
    waiting = session.execute(sa.text(
        "SELECT COUNT(*) FROM evidence WHERE enrolment_id = :id AND status = 'submitted'"),
        {"id": some.enrolment_id}).scalar()
    assert some.waiting == waiting
    assert some.headings_total == 14


def row(**changes):
    day = dt.date(2026, 6, 1)
    values = dict(enrolment_id=1, name="Cara", employer=None, enrolment_status="active",
                  route="portfolio", enrolled_on=day - dt.timedelta(days=100),
                  stage1_verified_on=day - dt.timedelta(days=80),
                  stage2_started_on=day - dt.timedelta(days=80), signed_off_on=None,
                  target_on=day + dt.timedelta(days=100), headings_total=14,
                  headings_evidenced=5, headings_rated=2, wpba_recent=2, wpba_expected=2,
                  last_activity_on=day, waiting=0, waiting_since=None, primary="Priya",
                  backup="Tom", today=day)
    values.update(changes)
    candidate = CandidateRow(**values)
    classify(candidate)
    return candidate


def test_status_reasons_are_in_words():
    day = dt.date(2026, 6, 1)
    assert (row().rag, row().reason) == ("green", "On track")
    no_backup = row(backup=None)
    assert no_backup.rag == "amber" and no_backup.reason == "No backup supervisor"
    late = row(target_on=day - dt.timedelta(days=3))
    assert late.rag == "red" and "Target date passed 3 days ago" in late.reason
    near = row(target_on=day + dt.timedelta(days=10))
    assert near.rag == "amber" and "Target date in 10 days" in near.reason
    quiet = row(last_activity_on=day - dt.timedelta(days=30))
    assert quiet.rag == "red" and "No activity for 30 days" in quiet.reason
    stuck = row(waiting=2, waiting_since=day - dt.timedelta(days=15))
    assert stuck.rag == "red" and "oldest for 15 days" in stuck.reason
    slow = row(wpba_recent=1)
    assert slow.rag == "amber" and "1 WPBA in the last 30 days (expected 2)" in slow.reason
    done = row(signed_off_on=day, backup=None)
    assert done.rag == "green" and done.stage == "Signed off"


def test_sort_filter_and_csv_show_the_same_rows(client, login, session, small):
    hub, cohort = small
    login(client, lead_for(session, hub))
    query = {"sort": "inactive", "order": "desc", "status": "red"}
    page = client.get(f"/cohorts/{cohort.id}", query_string=query).get_data(as_text=True)
    exported = client.get(f"/cohorts/{cohort.id}/dashboard.csv", query_string=query)
    assert exported.mimetype == "text/csv"
    assert exported.headers["Cache-Control"] == "no-store"  # names and states: no cache keeps it
    table = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert table[0] == [c.header for c in listing.COLUMNS]
    names = [r[0] for r in table[1:]]
    assert names and all(r[11] == "Red" for r in table[1:])
    positions = [page.index(f">{name}</a>") for name in names]
    assert positions == sorted(positions)  # same order on the page
    inactive = [int(r[6]) for r in table[1:]]
    assert inactive == sorted(inactive, reverse=True)
    everyone = client.get(f"/cohorts/{cohort.id}/dashboard.csv").get_data(as_text=True)
    assert len(everyone.strip().splitlines()) == 11
    # Unknown values are ignored, not errors.
    assert client.get(f"/cohorts/{cohort.id}?sort=nope&status=purple").status_code == 200


def test_csv_cells_cannot_run_as_formulas():
    assert listing.safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert listing.safe_cell("-3") == "-3"

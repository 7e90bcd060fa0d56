"""Existing assignments keep their history when their last day becomes the moment access ended."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from roadmap import migrate
from roadmap.db import make_engine
from tests.fixtures.databases import BACKEND, fresh_postgres_database, run_mark

BEFORE, AFTER = "4d7e2a91c3b5", "c13a00000003"
# Rows the old schema needs, one of each; the rest of their columns are filled below.
ROWS = [
    ("users", {"id": 1, "email": "lead@example.nhs.uk"}),
    ("users", {"id": 2, "email": "sup@example.nhs.uk"}),
    ("users", {"id": 3, "email": "cand@example.nhs.uk"}),
    ("training_hubs", {"id": 1}),
    ("cohorts", {"id": 1, "hub_id": 1}),
    ("framework_versions", {"id": 1}),
    ("enrolments", {"id": 1, "candidate_id": 3, "cohort_id": 1, "framework_version_id": 1,
                    "route": "portfolio", "status": "active", "employer_id": None}),
    ("supervisor_assignments", {"id": 1, "enrolment_id": 1, "supervisor_id": 2, "kind": "primary",
                                "starts_on": dt.date(2026, 1, 5), "ends_on": dt.date(2026, 6, 30)}),
    ("supervisor_assignments", {"id": 2, "enrolment_id": 1, "supervisor_id": 2, "kind": "backup",
                                "starts_on": dt.date(2026, 7, 1), "ends_on": None}),
]


@pytest.fixture
def url(tmp_path: Path) -> str:
    if BACKEND == "postgresql":
        return fresh_postgres_database(f"roadmap_test_assignment_end_{run_mark()}")
    return f"sqlite:///{tmp_path / 'assignment-end.sqlite3'}"


def _filled(table: sa.Table, given: dict) -> dict:
    """The given values, and a plain value for every other required column."""
    row = dict(given)
    for column in table.columns:
        if column.name in row or column.nullable or column.primary_key:
            continue
        kind = column.type.python_type if not isinstance(column.type, sa.JSON) else dict
        row[column.name] = {int: 1, str: f"{table.name}-{given.get('id')}", bool: False,
                            dt.date: dt.date(2026, 1, 1), dict: {}, float: 1.0,
                            dt.datetime: dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)}[kind]
    return row


def test_an_old_last_day_becomes_the_end_of_that_day_in_england_and_back(url):
    migrate.upgrade(url, BEFORE)
    engine = make_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.begin() as connection:
        for name, given in ROWS:
            connection.execute(meta.tables[name].insert().values(_filled(meta.tables[name], given)))
        connection.execute(sa.text(
            "INSERT INTO audit_events (id, occurred_at, actor_id, action, subject_type, subject_id,"
            " data, prev_hash, hash) VALUES (1, CURRENT_TIMESTAMP, 1, 'assignment.created',"
            " 'assignment', 1, '{}', :z, :h)"), {"z": "0" * 64, "h": "1" * 64})
    engine.dispose()

    migrate.upgrade(url, AFTER)
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT id, ended_at, assigned_by_id FROM supervisor_assignments ORDER BY id")).all()
    engine.dispose()
    ended = rows[0][1] if isinstance(rows[0][1], dt.datetime) else dt.datetime.fromisoformat(rows[0][1])
    if ended.tzinfo is not None:
        ended = ended.astimezone(dt.timezone.utc).replace(tzinfo=None)
    # 30 June is summer time: the day ends at 23:00 UTC, not midnight.
    assert ended == dt.datetime(2026, 6, 30, 23, 0)
    assert rows[0][2] == 1 and rows[1][1] is None and rows[1][2] is None

    migrate.downgrade(url, BEFORE)
    engine = make_engine(url)
    with engine.connect() as connection:
        back = connection.execute(sa.text(
            "SELECT ends_on FROM supervisor_assignments ORDER BY id")).scalars().all()
    engine.dispose()
    assert [str(day) if day else None for day in back] == ["2026-06-30", None]

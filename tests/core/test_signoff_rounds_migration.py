"""Sign-offs made before rounds become their stage's round 1; going back forgets the new states."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from roadmap import migrate
from roadmap.db import make_engine
from tests.fixtures.databases import BACKEND, fresh_postgres_database, run_mark

BEFORE, AFTER = "c13a00000004", "c15a00000001"
SIGNED = dt.datetime(2026, 5, 1, 9, tzinfo=dt.timezone.utc)
SETUP = [
    "INSERT INTO users (id, email, full_name, is_active, created_at, wrong_codes) VALUES "
    "(1, 'cand@example.nhs.uk', 'Cand', true, :at, 0), "
    "(2, 'rev@example.nhs.uk', 'Rev', true, :at, 0)",
    "INSERT INTO training_hubs (id, name, created_at) VALUES (1, 'Hub', :at)",
    "INSERT INTO cohorts (id, hub_id, name, created_at) VALUES (1, 1, 'C1', :at)",
    "INSERT INTO framework_versions (id, slug, title, version_label, content_hash, source_path, "
    "document, loaded_at) VALUES (1, 'x', 'X', '1', 'h', 'x.yaml', '{}', :at)",
    "INSERT INTO enrolments (id, candidate_id, cohort_id, framework_version_id, route, status, "
    "enrolled_on, created_at) VALUES (1, 1, 1, 1, 'portfolio', 'active', '2026-01-05', :at)",
    "INSERT INTO stage_signoffs (id, enrolment_id, stage_code, status, signed_content, "
    "content_hash, completed_at, lock_version) VALUES "
    "(1, 1, 'stage1', 'complete', :content, :hash, :at, 3), "
    "(2, 1, 'stage2', 'candidate_signed', NULL, NULL, NULL, 2)",
]


@pytest.fixture
def url(tmp_path: Path) -> str:
    """An empty database of the run's kind."""
    if BACKEND == "postgresql":
        return fresh_postgres_database(f"roadmap_test_signoff_rounds_{run_mark()}")
    return f"sqlite:///{tmp_path / 'signoff-rounds.sqlite3'}"


def _run(url: str, *statements: str, **values: object) -> list:
    """Run the statements in one transaction; the rows of the last."""
    engine = make_engine(url)
    with engine.begin() as connection:
        for statement in statements[:-1]:
            connection.execute(sa.text(statement), values)
        rows = connection.execute(sa.text(statements[-1]), values).all()
    engine.dispose()
    return rows


def test_a_completed_sign_off_becomes_round_one_and_back(url):
    migrate.upgrade(url, BEFORE)
    _run(url, *SETUP, "SELECT 1", at=SIGNED, content=json.dumps({"stage": "stage1"}),
         hash="c" * 64)
    migrate.upgrade(url, AFTER)
    rounds = _run(url, "SELECT signoff_id, number, content_hash, signed_content "
                       "FROM stage_signoff_rounds")
    assert [row[:3] for row in rounds] == [(1, 1, "c" * 64)]
    content = rounds[0][3]
    assert (json.loads(content) if isinstance(content, str) else content) == {"stage": "stage1"}

    _run(url, "INSERT INTO user_roles (user_id, role, granted_at) "
              "VALUES (2, 'provider_reviewer', :at)",
         "UPDATE stage_signoffs SET status = 'supervisor_signed' WHERE id = 2",
         "SELECT 1", at=SIGNED)
    migrate.downgrade(url, BEFORE)
    assert _run(url, "SELECT id, status FROM stage_signoffs ORDER BY id") == [
        (1, "complete"), (2, "candidate_signed")]
    assert _run(url, "SELECT role FROM user_roles") == []

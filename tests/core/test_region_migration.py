"""Hubs' free-text regions become regions the hubs belong to, and come back on downgrade."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from roadmap import migrate
from roadmap.db import make_engine
from tests.fixtures.databases import BACKEND, fresh_postgres_database, run_mark

BEFORE, AFTER = "c15a00000003", "c19a00000001"
CREATED = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
HUBS = [  # id, name, region text
    (1, "Oxford Hub", "Buckinghamshire, Oxfordshire and Berkshire West ICS"),
    (2, "Reading Hub", " Buckinghamshire, Oxfordshire and Berkshire West ICS "),
    (3, "Frimley Hub", "Frimley ICS"),
    (4, "Lone Hub", None),
    (5, "Blank Hub", "  "),
]


@pytest.fixture
def url(tmp_path: Path) -> str:
    if BACKEND == "postgresql":
        return fresh_postgres_database(f"roadmap_test_region_migration_{run_mark()}")
    return f"sqlite:///{tmp_path / 'regions.sqlite3'}"


def _rows(url: str, sql: str) -> list[tuple]:
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(sa.text(sql))]
    engine.dispose()
    return rows


def test_each_region_text_becomes_one_region_and_comes_back(url):
    migrate.upgrade(url, BEFORE)
    engine = make_engine(url)
    with engine.begin() as connection:
        for hub_id, name, region in HUBS:
            connection.execute(sa.text(
                "INSERT INTO training_hubs (id, name, region, created_at) "
                "VALUES (:id, :name, :region, :created)"),
                {"id": hub_id, "name": name, "region": region, "created": CREATED})
        connection.execute(sa.text(
            "INSERT INTO users (id, email, full_name, is_active, created_at, wrong_codes) "
            "VALUES (1, 'lead@example.nhs.uk', 'Lead', :true, :created, 0)"),
            {"true": True, "created": CREATED})
    engine.dispose()

    migrate.upgrade(url, AFTER)
    regions = dict(_rows(url, "SELECT name, id FROM regions"))
    assert sorted(regions) == ["Buckinghamshire, Oxfordshire and Berkshire West ICS", "Frimley ICS"]
    hubs = dict(_rows(url, "SELECT id, region_id FROM training_hubs"))
    bob = regions["Buckinghamshire, Oxfordshire and Berkshire West ICS"]
    assert hubs == {1: bob, 2: bob, 3: regions["Frimley ICS"], 4: None, 5: None}
    engine = make_engine(url)
    with engine.begin() as connection:  # the new role is known now
        connection.execute(sa.text(
            "INSERT INTO user_roles (user_id, role, granted_at) VALUES (1, 'regional_lead', :at)"),
            {"at": CREATED})
        connection.execute(sa.text(
            "INSERT INTO region_leads (region_id, user_id, added_at) VALUES (:region, 1, :at)"),
            {"region": bob, "at": CREATED})
    engine.dispose()

    migrate.downgrade(url, BEFORE)
    assert dict(_rows(url, "SELECT id, region FROM training_hubs")) == {
        1: "Buckinghamshire, Oxfordshire and Berkshire West ICS",
        2: "Buckinghamshire, Oxfordshire and Berkshire West ICS", 3: "Frimley ICS",
        4: None, 5: None}
    assert _rows(url, "SELECT role FROM user_roles") == []

"""The migrations build exactly the models' schema, and every revision goes up and down."""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from roadmap import migrate
from roadmap.db import make_engine
from roadmap.models import Base
from tests.fixtures.databases import BACKEND, fresh_postgres_database, run_mark


@pytest.fixture
def empty_url(tmp_path: Path) -> str:
    """An empty database of the run's kind."""
    if BACKEND == "postgresql":
        return fresh_postgres_database(f"roadmap_test_migrations_{run_mark()}")
    return f"sqlite:///{tmp_path / 'migrations.sqlite3'}"


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def _diff(url: str) -> list:
    engine = make_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    return diff


def test_models_and_migrations_agree(empty_url):
    migrate.upgrade(empty_url)
    assert _diff(empty_url) == []


def test_every_revision_upgrades_and_downgrades(empty_url):
    revisions = _revisions()
    assert revisions, "no migrations found"
    for revision in revisions:
        migrate.upgrade(empty_url, revision)
    for revision in reversed(revisions[:-1]):
        migrate.downgrade(empty_url, revision)
    migrate.downgrade(empty_url, "base")
    engine = make_engine(empty_url)
    leftover = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    engine.dispose()
    assert leftover == set()
    migrate.upgrade(empty_url)  # and back up again from nothing
    assert _diff(empty_url) == []


def test_audit_log_refuses_update_and_delete(empty_url):
    migrate.upgrade(empty_url)
    engine = make_engine(empty_url)
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO audit_events (id, occurred_at, action, data, prev_hash, hash) "
            "VALUES (1, CURRENT_TIMESTAMP, 'test', '{}', :z, :h)"), {"z": "0" * 64, "h": "1" * 64})
    for statement in ("UPDATE audit_events SET action = 'forged'", "DELETE FROM audit_events"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with engine.begin() as connection:
                connection.execute(sa.text(statement))
    engine.dispose()


def test_revision_files_are_date_prefixed():
    folder = Path(migrate.ROOT / "migrations" / "versions")
    names = [p.name for p in folder.glob("*.py")]
    assert names and all(name[:8].isdigit() for name in names)

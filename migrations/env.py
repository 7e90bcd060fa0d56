"""Alembic environment: batch mode (SQLite), the models' metadata, the app's database URL."""
from __future__ import annotations

import os

from alembic import context
from roadmap.db import make_engine
from roadmap.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    """The URL given by the caller (roadmap db upgrade, tests), else the environment."""
    url = config.attributes.get("database_url") or os.environ.get("ROADMAP_DATABASE_URL")
    if not url:
        raise SystemExit("no database URL: use `roadmap db upgrade`, or set ROADMAP_DATABASE_URL")
    return url


def run_migrations_offline() -> None:
    """Emit SQL without a database connection."""
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against the database, foreign keys off on SQLite while tables are rebuilt."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # On the DBAPI connection, outside any transaction, or SQLite ignores the pragma.
        connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

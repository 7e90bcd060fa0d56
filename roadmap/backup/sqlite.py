"""SQLite: a consistent copy through the online backup API, and the copy put back the same way."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa

from roadmap.backup.manifest import BackupError

BUSY_MS = 30_000  # how long to wait for the app's writers before giving up


def database_path(url: str) -> Path:
    """The file an sqlite:/// URL names; an in-memory database cannot be backed up or restored."""
    name = sa.engine.make_url(url).database
    if not name or name == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(name)


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=BUSY_MS / 1000, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    return connection


def copy_out(source: Path, target: Path) -> None:
    """Copy a live database to a new file while the app may be writing to it.

    One backup step (pages=-1) reads every page in one read transaction: in WAL mode writers
    carry on meanwhile, and the copy is the database as it was at one moment. Copying in
    smaller steps would restart whenever another connection commits, and might never finish.
    """
    if not source.is_file():
        raise BackupError(f"there is no SQLite database at {source}")
    live, copy = _connect(source), sqlite3.connect(target, isolation_level=None)
    try:
        live.backup(copy, pages=-1)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not copy {source}: {error}") from None
    finally:
        copy.close()
        live.close()


def copy_in(source: Path, target: Path) -> None:
    """Replace the whole target database with a copy, in one write transaction.

    The backup API writes every page under the target's write lock, so other connections see
    either the old database or the restored one, never a mixture.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    copy, live = sqlite3.connect(source, isolation_level=None), _connect(target)
    try:
        copy.backup(live, pages=-1)
        live.execute("PRAGMA journal_mode=WAL")  # as the app keeps it (roadmap/db.py)
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not write {target}: {error}") from None
    finally:
        live.close()
        copy.close()


def check_integrity(path: Path) -> None:
    """Refuse a database file SQLite itself finds damaged."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        result = connection.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"the database in the backup is not a readable SQLite file: "
                          f"{error}") from None
    finally:
        connection.close()
    if result != "ok":
        raise BackupError(f"the database in the backup is damaged: {result}")

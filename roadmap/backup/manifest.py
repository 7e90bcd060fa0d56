"""The manifest of a backup: what the dump holds, read from the same snapshot as the dump."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from importlib import metadata
from typing import Any, Optional

import sqlalchemy as sa

from roadmap.db import utcnow

FORMAT = "roadmap-backup"
FORMAT_VERSION = 1
KIND_NAMES = {"sqlite": "an SQLite", "postgresql": "a PostgreSQL"}  # "... database"


class BackupError(RuntimeError):
    """A backup or restore cannot go on; the message says why in plain words."""


@dataclass
class State:
    """What a database holds: its schema revision, rows per table, and the audit chain's end."""

    revision: Optional[str]
    tables: dict[str, int]
    audit_events: int = 0
    last_audit_hash: Optional[str] = None

    @property
    def rows(self) -> int:
        """Rows in every table together."""
        return sum(self.tables.values())

    @property
    def holds_data(self) -> bool:
        """True when any table but Alembic's own bookkeeping has a row."""
        return any(count for name, count in self.tables.items() if name != "alembic_version")


def read_state(connection: sa.Connection) -> State:
    """Count every table in the caller's transaction, so the counts match its snapshot."""
    names = sorted(sa.inspect(connection).get_table_names())
    tables = {name: int(connection.scalar(sa.select(sa.func.count()).select_from(sa.table(name))))
              for name in names}
    revision = None
    if "alembic_version" in tables:
        revision = connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
    state = State(revision=revision, tables=tables)
    if "audit_events" in tables:
        last = connection.execute(sa.text(
            "SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1")).first()
        state.audit_events = tables["audit_events"]
        state.last_audit_hash = last.hash if last else None
    return state


def app_version() -> str:
    """The installed Roadmap version, recorded so a restore can say which code made a backup."""
    try:
        return metadata.version("roadmap")
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass
class Manifest:
    """Everything a restore checks before and after it puts the dump back."""

    database: str  # "sqlite" or "postgresql"
    revision: Optional[str]
    tables: dict[str, int]
    audit_events: int
    last_audit_hash: Optional[str]
    dump_name: str
    dump_sha256: str
    dump_bytes: int
    attachments: int = 0  # files under attachments/ in the archive
    tools: dict[str, str] = field(default_factory=dict)  # server and pg_dump versions
    created_at: str = field(default_factory=lambda: utcnow().isoformat(timespec="seconds"))
    app_version: str = field(default_factory=app_version)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    @classmethod
    def of(cls, database: str, state: State, dump_name: str, dump_sha256: str, dump_bytes: int,
           **extra: Any) -> "Manifest":
        """The manifest of a dump taken from a database in a given state."""
        return cls(database=database, revision=state.revision, tables=state.tables,
                   audit_events=state.audit_events, last_audit_hash=state.last_audit_hash,
                   dump_name=dump_name, dump_sha256=dump_sha256, dump_bytes=dump_bytes, **extra)

    @property
    def rows(self) -> int:
        """Rows in every table together."""
        return sum(self.tables.values())

    def to_json(self) -> str:
        """The manifest as indented JSON, for people reading the archive too."""
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        """Read a manifest, refusing anything that is not one of ours or is too new to read."""
        try:
            raw = json.loads(text)
        except ValueError:
            raise BackupError("the backup's manifest.json is not valid JSON") from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise BackupError("this file is not a Roadmap backup (its manifest is not ours)")
        if raw.get("format_version") != FORMAT_VERSION:
            raise BackupError(f"this backup uses format version {raw.get('format_version')}; "
                              f"this version of Roadmap reads version {FORMAT_VERSION}")
        try:
            return cls(**raw)
        except TypeError as error:
            raise BackupError(f"the backup's manifest is incomplete or altered ({error})") from None


def differences(manifest: Manifest, state: State) -> list[str]:
    """Where a database differs from what the manifest says the backup holds."""
    problems = []
    for name in sorted(set(manifest.tables) | set(state.tables)):
        expected, found = manifest.tables.get(name), state.tables.get(name)
        if expected != found:
            problems.append(f"table {name}: the manifest says {_rows(expected)}, "
                            f"the database holds {_rows(found)}")
    if manifest.last_audit_hash != state.last_audit_hash:
        problems.append(f"the last audit event's hash is {state.last_audit_hash}, "
                        f"but the manifest says {manifest.last_audit_hash}")
    return problems


def _rows(count: Optional[int]) -> str:
    return "no such table" if count is None else f"{count} row{'s' if count != 1 else ''}"

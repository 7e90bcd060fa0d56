"""Run Alembic from the application: upgrade, downgrade, current, check."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Optional

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(database_url: str, connection: Optional[object] = None) -> Config:
    """An Alembic configuration bound to a database URL (or an open connection)."""
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["database_url"] = database_url
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database up to a revision (head by default)."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    """Take the database down to a revision."""
    command.downgrade(alembic_config(database_url), revision)


def current(database_url: str) -> None:
    """Print the database's revision."""
    command.current(alembic_config(database_url), verbose=False)


@lru_cache(maxsize=1)
def _known() -> tuple[frozenset[str], frozenset[str]]:
    """(head revisions, every revision) of this code's migrations; read once per process."""
    script = ScriptDirectory.from_config(alembic_config(""))
    return (frozenset(script.get_heads()),
            frozenset(revision.revision for revision in script.walk_revisions()))


def schema_problem(connection: Connection) -> Optional[str]:
    """Why this code cannot use the database's schema yet, or None when it is at head."""
    at = frozenset(MigrationContext.configure(connection).get_current_heads())
    heads, known = _known()
    if at == heads:
        return None
    if not at:
        return "The database is not set up: run `roadmap db upgrade` first."
    if at <= known:
        return "The database is behind this version of Roadmap: run `roadmap db upgrade` first."
    unknown = ", ".join(sorted(at - known))
    return (f"The database was upgraded by a newer version of Roadmap (revision {unknown}): "
            "run this command with that version.")

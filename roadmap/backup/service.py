"""Back up and restore: the steps, the refusals and the checks, for either kind of database."""
from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Callable, Optional

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from roadmap import migrate
from roadmap.backup import archive, postgres, sqlite
from roadmap.backup.manifest import (KIND_NAMES, BackupError, Manifest, State, differences,
                                     read_state)
from roadmap.db import make_engine, utcnow

Say = Callable[[str], None]


def kind_of(url: str) -> str:
    """The kind of database a URL names: sqlite or postgresql, the two Roadmap runs on."""
    kind = sa.engine.make_url(url).get_backend_name()
    if kind not in KIND_NAMES:
        raise BackupError(f"Roadmap backs up SQLite and PostgreSQL, not {kind}")
    return kind


def engine_for(url: str) -> sa.Engine:
    """An engine for checks: plain for an SQLite file (the app's pragmas would turn on WAL)."""
    if kind_of(url) == "sqlite":
        return sa.create_engine(url, poolclass=NullPool)
    return make_engine(url)


def state_of(url: str) -> State:
    """What a database holds now; a missing SQLite file holds nothing."""
    if kind_of(url) == "sqlite" and not sqlite.database_path(url).exists():
        return State(revision=None, tables={})
    engine = engine_for(url)
    try:
        with engine.connect() as connection, connection.begin():
            return read_state(connection)
    finally:
        engine.dispose()


def audit_problem(url: str) -> Optional[str]:
    """The first problem `roadmap audit verify` would report on a database, or None."""
    from roadmap.backup.verify import verify

    engine = engine_for(url)
    try:
        with Session(engine) as session:
            report = verify(session)
    finally:
        engine.dispose()
    return report.problem


def backup(url: str, out: Path, force: bool, attachments: Optional[Path], say: Say) -> Manifest:
    """Write one archive: a consistent dump, its manifest, and the attachment files if given."""
    if out.is_dir():
        raise BackupError(f"{out} is a folder; give the backup file's name")
    if out.exists() and not force:
        raise BackupError(f"{out} already exists; add --force to replace it")
    if not out.parent.is_dir():
        raise BackupError(f"there is no folder {out.parent} to write the backup in")
    kind = kind_of(url)
    files = archive.attachment_files(attachments)
    with tempfile.TemporaryDirectory(prefix=".roadmap-backup-", dir=out.parent) as work:
        if kind == "sqlite":
            source = sqlite.database_path(url)
            say(f"copying the SQLite database {source} with its online backup API")
            dump = Path(work) / "database.sqlite3"
            sqlite.copy_out(source, dump)
            state = state_of(f"sqlite:///{dump}")
            tools = {"sqlite": sqlite3.sqlite_version}
        else:
            say("dumping the PostgreSQL database with pg_dump --format=custom")
            dump = Path(work) / "database.pgdump"
            state, tools = postgres.dump(url, dump)
        say(f"counted {len(state.tables)} tables, {state.rows} rows, "
            f"{state.audit_events} audit events")
        manifest = Manifest.of(kind, state, dump.name, archive.sha256_of(dump),
                               dump.stat().st_size, attachments=len(files), tools=tools)
        if attachments is not None:
            say(f"adding {len(files)} attachment files from {attachments}")
        say(f"writing {out}")
        archive.write(out, manifest, dump, attachments, files)
    return manifest


def check_revision(url: str, revision: Optional[str]) -> str:
    """The code's head revision; refuses a backup made by newer code than this."""
    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    head = script.get_current_head() or ""
    if revision is None:
        raise BackupError("the backup's database was never migrated (it has no schema "
                          "revision); there is nothing to restore")
    known = {rev.revision for rev in script.walk_revisions()}
    if revision not in known:
        raise BackupError(f"the backup's database is at schema revision {revision}, which this "
                          f"version of Roadmap does not know (its newest is {head}): it was made "
                          "by newer code. Restore it with that version of Roadmap")
    return head


def _move_aside(folder: Path, say: Say) -> None:
    """Keep attachment files a --replace would otherwise lose, in a dated folder beside them."""
    if archive.attachment_files(folder):
        kept = folder.with_name(f"{folder.name}.before-restore-{utcnow():%Y%m%dT%H%M%SZ}")
        folder.rename(kept)
        say(f"moved the attachment files that were there to {kept}")
    elif folder.exists():
        shutil.rmtree(folder)


def _refuse_non_empty(url: str, manifest: Manifest, attachments: Optional[Path]) -> None:
    """Nothing is overwritten without --replace: the database, or attachment files."""
    state = state_of(url)
    if state.holds_data:
        busy = sum(1 for name, count in state.tables.items() if count and name != "alembic_version")
        raise BackupError(f"the configured database already holds data ({state.rows} rows in "
                          f"{busy} tables); restore will not overwrite it. Add --replace to "
                          "replace everything in it with the backup")
    if manifest.attachments and attachments is not None and archive.attachment_files(attachments):
        raise BackupError(f"the attachment folder {attachments} already holds files; add "
                          "--replace to move them aside and restore the backup's")


def restore(url: str, backup_file: Path, replace: bool, attachments: Optional[Path],
            say: Say) -> Manifest:
    """Put a backup into the configured database, then prove it holds what was backed up."""
    kind = kind_of(url)
    with archive.BackupArchive(backup_file) as opened:
        manifest = opened.manifest
        made_from = KIND_NAMES.get(manifest.database, repr(manifest.database))
        say(f"backup of {made_from} database made "
            f"{manifest.created_at} by Roadmap {manifest.app_version}: {len(manifest.tables)} "
            f"tables, {manifest.rows} rows, {manifest.attachments} attachment files")
        if manifest.database != kind:
            raise BackupError(f"this is a backup of {made_from} database, and the configured "
                              f"database is {KIND_NAMES[kind].split()[1]}; restore it into "
                              f"{made_from} database")
        head = check_revision(url, manifest.revision)
        if not replace:
            _refuse_non_empty(url, manifest, attachments)
        audited = False
        with tempfile.TemporaryDirectory(prefix="roadmap-restore-") as work:
            say("extracting the dump and checking it against the manifest's checksum")
            dump = opened.extract_dump(Path(work))
            if kind == "sqlite":
                audited = _restore_sqlite(url, dump, manifest, head, say)
            else:
                say("restoring with pg_restore and psql in one transaction")
                postgres.restore(url, dump, int(manifest.tools.get("pg_dump") or 0),
                                 manifest.tables, manifest.last_audit_hash)
        if manifest.attachments and attachments is not None:
            _move_aside(attachments, say)
            count = opened.extract_attachments(attachments)
            say(f"restored {count} attachment files into {attachments}")
    _check_restored(url, manifest, head, audited, say)
    return manifest


def _restore_sqlite(url: str, dump: Path, manifest: Manifest, head: str, say: Say) -> bool:
    """Check the extracted copy first, so a bad backup is refused before the target changes.

    Returns whether the audit log was verified on the copy: the backup API then writes the
    very same pages into the target, and verifying them again would only double the time.
    """
    sqlite.check_integrity(dump)
    copy_url = f"sqlite:///{dump}"
    at_head = manifest.revision == head
    say("checking the backup's row counts" + (
        "; verifying the audit chain, every signature and every signed item" if at_head else ""))
    problems = differences(manifest, state_of(copy_url))
    if not problems and at_head:
        problem = audit_problem(copy_url)
        problems = [f"audit verification failed: {problem}"] if problem else []
    if problems:
        raise BackupError("the backup does not hold what its manifest says, or was altered; "
                          "it was not restored and the database is unchanged:\n  "
                          + "\n  ".join(problems))
    target = sqlite.database_path(url)
    say(f"writing the database {target} with SQLite's backup API (one transaction)")
    sqlite.copy_in(dump, target)
    return at_head


def _check_restored(url: str, manifest: Manifest, head: str, audited: bool, say: Say) -> None:
    """Row counts as the manifest says, then the schema brought to head, then the audit log."""
    say("comparing row counts with the manifest")
    problems = differences(manifest, state_of(url))
    if problems:
        raise BackupError("the restored database does not match the backup's manifest:\n  "
                          + "\n  ".join(problems))
    if manifest.revision != head:
        say(f"the backup's schema is at revision {manifest.revision}; upgrading it to {head}")
        migrate.upgrade(url)
    if audited:
        say("the audit chain, every signature and every signed item were verified above")
        return
    say("verifying the audit chain, every signature and every signed item")
    problem = audit_problem(url)
    if problem:
        raise BackupError(f"the backup was restored, but the restored database fails audit "
                          f"verification: {problem}. Find out why before anyone uses it")

"""`roadmap backup` and `roadmap restore`: what comes back is what went in, and verifies."""
from __future__ import annotations

import json
import sqlite3
import threading
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterator

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Flask

from roadmap import create_app, migrate
from roadmap.audit import service as audit
from roadmap.backup import postgres, service
from tests.fixtures.databases import BACKEND, fresh_postgres_database, postgres_admin_url, run_mark
from tests.fixtures.demo import DemoSnapshot, put_demo
from tests.fixtures.shared import built_once

HERE = sa.text("SELECT count(*) FROM users WHERE email = 'already.here@example.nhs.uk'")


def _make_app(url: str, folder: Path, **extra: Any) -> Flask:
    """An application on a database of our own, as the conftest's `app` fixture builds it."""
    return create_app({"TESTING": True, "DATABASE_URL": url, "ARGON2_PROFILE": "fast",
                       "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test-secret-key-" + "x" * 32,
                       "MAIL_FOLDER": str(folder / "mail"), **extra})


def _invoke(url: str, folder: Path, *args: str, **extra: Any) -> Any:
    """Run a `roadmap` command against a database, as an operator would."""
    application = _make_app(url, folder, **extra)
    try:
        return application.test_cli_runner().invoke(args=list(args))
    finally:
        application.extensions["roadmap.db"].engine.dispose()


class Databases:
    """Blank databases of the run's kind beside the test's own; PostgreSQL ones dropped after."""

    def __init__(self, folder: Path, prefix: str) -> None:
        self.folder, self.prefix, self.made = folder, prefix, []

    def blank(self, name: str) -> str:
        """A database with no tables at all."""
        if BACKEND == "postgresql":
            database = f"roadmap_test_{run_mark()}_{self.prefix}_{name}"
            self.made.append(database)
            return fresh_postgres_database(database)
        return f"sqlite:///{self.folder / f'{self.prefix}-{name}.sqlite3'}"

    def drop(self) -> None:
        """Drop the PostgreSQL databases made."""
        if not self.made:
            return
        admin = sa.engine.make_url(postgres_admin_url()).set(drivername="postgresql+psycopg")
        engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            for database in self.made:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory,
              demo_snapshot: DemoSnapshot) -> Iterator[SimpleNamespace]:
    """The demo pilot (signed items, signatures, stage sign-offs, audit events) and its backup.

    The pilot is the run's one build of `roadmap demo` (tests/fixtures/demo.py): its rows as
    the command left them, its attachments in the store the commands below read. The backup is
    made once a run too: other xdist workers read its file where the first one wrote it.
    """
    sources: list[Databases] = []

    def build() -> SimpleNamespace:
        folder = tmp_path_factory.mktemp("portfolio")
        sources.append(Databases(folder, "source"))
        url = sources[0].blank("demo")
        migrate.upgrade(url)
        application = _make_app(url, folder)
        put_demo(application, demo_snapshot)
        application.extensions["roadmap.db"].engine.dispose()
        backup_file = folder / "portfolio.zip"
        made = _invoke(url, folder, "backup", "--out", str(backup_file))
        assert made.exit_code == 0, made.output
        verified = _invoke(url, folder, "audit", "verify")
        assert verified.exit_code == 0, verified.output
        return SimpleNamespace(file=backup_file, output=made.output,
                               state=service.state_of(url), verified=verified.output)

    yield built_once(tmp_path_factory, f"backup-portfolio-{BACKEND}", build)
    for databases in sources:
        databases.drop()


@pytest.fixture
def databases(tmp_path: Path) -> Iterator[Databases]:
    """Blank target databases for one test."""
    made = Databases(tmp_path, "target")
    yield made
    made.drop()


def _rewrite(source: Path, target: Path, changes: dict[str, Callable[[bytes], bytes]]) -> Path:
    """A copy of a backup with some of its entries changed, as someone with the file could."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            change = changes.get(info.filename)
            new.writestr(info.filename, change(data) if change else data)
    return target


def _manifest(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("manifest.json"))


def _edit_manifest(source: Path, target: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    def change(data: bytes) -> bytes:
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest).encode()

    return _rewrite(source, target, {"manifest.json": change})


def test_backup_prints_what_it_wrote(portfolio):
    manifest = _manifest(portfolio.file)
    assert manifest["database"] == BACKEND
    assert manifest["tables"] == portfolio.state.tables
    assert manifest["tables"]["signatures"] > 0 and manifest["tables"]["audit_events"] > 0
    assert manifest["last_audit_hash"] == portfolio.state.last_audit_hash
    assert manifest["revision"] == portfolio.state.revision
    rows = sum(portfolio.state.tables.values())
    assert f"{len(portfolio.state.tables)} tables, {rows} rows" in portfolio.output
    assert f"wrote {portfolio.file}" in portfolio.output


def test_restore_into_an_empty_database_gives_the_same_rows_and_verifies(portfolio, databases,
                                                                          tmp_path):
    target = databases.blank("empty")
    result = _invoke(target, tmp_path, "restore", str(portfolio.file))
    assert result.exit_code == 0, result.output
    assert "comparing row counts with the manifest" in result.output
    assert "verifying the audit chain" in result.output
    assert service.state_of(target).tables == portfolio.state.tables
    verified = _invoke(target, tmp_path, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert verified.output == portfolio.verified  # same events, same signatures


def test_restored_database_takes_new_writes_and_keeps_its_guards(portfolio, databases,
                                                                  tmp_path):
    """Sequences and the audit chain carry on after a restore; the log is still append-only."""
    target = databases.blank("writes")
    assert _invoke(target, tmp_path, "restore", str(portfolio.file)).exit_code == 0
    engine = service.engine_for(target)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE audit_events SET action = 'forged'"))
    engine.dispose()
    application = _make_app(target, tmp_path)
    session = application.extensions["roadmap.db"].sessions()
    try:
        audit.record(session, "test.after_restore")
        session.commit()
        assert audit.verify_chain(session).ok
    finally:
        session.close()
        application.extensions["roadmap.db"].engine.dispose()
    created = _invoke(target, tmp_path, "users", "create", "--email", "new@example.nhs.uk",
                      "--role", "candidate", "--name", "New Person")
    assert created.exit_code == 0, created.output


def test_restore_refuses_a_database_with_data_unless_replace(portfolio, session, make_user,
                                                             app_config, tmp_path):
    make_user("already.here@example.nhs.uk")
    audit.record(session, "test.already_here")  # the append-only log must not stop --replace
    session.commit()
    url = app_config["DATABASE_URL"]
    refused = _invoke(url, tmp_path, "restore", str(portfolio.file))
    assert refused.exit_code == 1
    assert "already holds data" in refused.output and "--replace" in refused.output
    assert session.scalar(HERE) == 1
    session.rollback()
    replaced = _invoke(url, tmp_path, "restore", "--replace", str(portfolio.file))
    assert replaced.exit_code == 0, replaced.output
    assert service.state_of(url).tables == portfolio.state.tables
    assert session.scalar(HERE) == 0


def test_backup_will_not_overwrite_a_file_without_force(app_config, tmp_path):
    url = app_config["DATABASE_URL"]
    out = tmp_path / "backup.zip"
    out.write_text("precious")
    refused = _invoke(url, tmp_path, "backup", "--out", str(out))
    assert refused.exit_code == 1 and "already exists" in refused.output
    assert out.read_text() == "precious"
    forced = _invoke(url, tmp_path, "backup", "--out", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert _manifest(out)["format"] == "roadmap-backup"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def _alter_dump(data: bytes, folder: Path) -> bytes:
    """Edit the dump as someone holding the file might: a signed item's title on SQLite."""
    if BACKEND == "sqlite":
        path = folder / "altered.sqlite3"
        path.write_bytes(data)
        connection = sqlite3.connect(path)
        connection.execute("UPDATE evidence SET title = 'Forged' WHERE status = 'signed'")
        connection.commit()
        connection.close()
        return path.read_bytes()
    middle = len(data) // 2  # pg_dump's custom format is compressed: change one byte
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]


def test_a_dump_changed_after_the_backup_is_refused(portfolio, databases, tmp_path):
    name = _manifest(portfolio.file)["dump_name"]
    altered = _rewrite(portfolio.file, tmp_path / "altered.zip",
                       {name: lambda data: _alter_dump(data, tmp_path)})
    target = databases.blank("altered")
    result = _invoke(target, tmp_path, "restore", str(altered))
    assert result.exit_code == 1
    assert "does not match the checksum" in result.output
    assert not service.state_of(target).holds_data


def test_a_row_edited_outside_the_application_is_reported(portfolio, databases, tmp_path):
    """Someone edits a signed item and makes a fresh, self-consistent backup of it."""
    edited = databases.blank("edited")
    assert _invoke(edited, tmp_path, "restore", str(portfolio.file)).exit_code == 0
    engine = service.engine_for(edited)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE evidence SET title = 'Forged' WHERE id = "
                                   "(SELECT min(id) FROM evidence WHERE status = 'signed')"))
    engine.dispose()
    forged = tmp_path / "forged.zip"
    assert _invoke(edited, tmp_path, "backup", "--out", str(forged)).exit_code == 0
    target = databases.blank("from-forged")
    result = _invoke(target, tmp_path, "restore", str(forged))
    assert result.exit_code == 1
    assert "audit verification" in result.output
    assert "changed after it was signed" in result.output


def test_a_manifest_that_does_not_match_the_dump_is_refused_and_nothing_changes(
        portfolio, databases, tmp_path):
    def one_signature_fewer(manifest: dict[str, Any]) -> None:
        manifest["tables"]["signatures"] -= 1

    altered = _edit_manifest(portfolio.file, tmp_path / "fewer.zip", one_signature_fewer)
    target = databases.blank("fewer")
    result = _invoke(target, tmp_path, "restore", str(altered))
    assert result.exit_code == 1
    expected = portfolio.state.tables["signatures"]
    assert f"table signatures: the manifest says {expected - 1} rows" in result.output
    assert "unchanged" in result.output
    assert not service.state_of(target).holds_data


def test_a_manifest_naming_another_last_audit_event_is_refused(portfolio, databases, tmp_path):
    altered = _edit_manifest(portfolio.file, tmp_path / "hash.zip",
                             lambda manifest: manifest.update(last_audit_hash="0" * 64))
    target = databases.blank("hash")
    result = _invoke(target, tmp_path, "restore", str(altered))
    assert result.exit_code == 1
    assert "last audit event's hash" in result.output and "unchanged" in result.output
    assert not service.state_of(target).holds_data


def test_a_backup_of_the_other_kind_of_database_is_refused(portfolio, databases, tmp_path):
    other = "sqlite" if BACKEND == "postgresql" else "postgresql"
    altered = _edit_manifest(portfolio.file, tmp_path / "other.zip",
                             lambda manifest: manifest.update(database=other))
    result = _invoke(databases.blank("other"), tmp_path, "restore", str(altered))
    assert result.exit_code == 1
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    assert (f"backup of {'an' if other == 'sqlite' else 'a'} {names[other]} database, and the "
            f"configured database is {names[BACKEND]}") in result.output


def test_a_backup_from_newer_code_is_refused(portfolio, databases, tmp_path):
    altered = _edit_manifest(portfolio.file, tmp_path / "newer.zip",
                             lambda manifest: manifest.update(revision="f00dfeedbeef"))
    target = databases.blank("newer")
    result = _invoke(target, tmp_path, "restore", str(altered))
    assert result.exit_code == 1
    assert "revision f00dfeedbeef, which this version of Roadmap does not know" in result.output
    assert not service.state_of(target).holds_data


def test_a_file_that_is_not_a_backup_is_refused(databases, tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip at all")
    result = _invoke(databases.blank("junk"), tmp_path, "restore", str(junk))
    assert result.exit_code == 1 and "is not a Roadmap backup" in result.output


def test_an_older_backup_is_restored_then_upgraded(databases, tmp_path):
    old = databases.blank("old")
    migrate.upgrade(old, "5c1e0a7d2b90")
    out = tmp_path / "old.zip"
    assert _invoke(old, tmp_path, "backup", "--out", str(out)).exit_code == 0
    target = databases.blank("upgraded")
    result = _invoke(target, tmp_path, "restore", str(out))
    assert result.exit_code == 0, result.output
    assert "upgrading it to" in result.output
    head = ScriptDirectory.from_config(migrate.alembic_config(target)).get_current_head()
    assert service.state_of(target).revision == head


def test_backup_while_another_connection_writes_is_consistent(app, databases, tmp_path):
    """A writer appends audit events throughout; the backup is one moment of the database."""
    url = app.config["DATABASE_URL"]
    written, stop = [0], threading.Event()

    def write() -> None:
        while not stop.is_set():
            session = app.extensions["roadmap.db"].sessions()
            try:
                audit.record(session, "test.busy", data={"n": written[0]})
                session.commit()
                written[0] += 1
            finally:
                session.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while written[0] < 20:
            stop.wait(0.01)
        before = written[0]
        out = tmp_path / "busy.zip"
        made = _invoke(url, tmp_path, "backup", "--out", str(out))
        during = written[0] - before
        while written[0] < before + during + 20:
            stop.wait(0.01)
    finally:
        stop.set()
        writer.join()
    assert made.exit_code == 0, made.output
    assert during > 0  # the writer really was writing while the backup ran
    events = _manifest(out)["tables"]["audit_events"]
    assert before <= events < written[0]
    target = databases.blank("busy")
    restored = _invoke(target, tmp_path, "restore", str(out))
    assert restored.exit_code == 0, restored.output
    assert service.state_of(target).tables["audit_events"] == events


def test_attachments_go_into_the_backup_only_when_asked(app_config, databases, tmp_path):
    url = app_config["DATABASE_URL"]
    files = {"ab/ab12": b"%PDF-1.7 first", "cd/cd34": b"\x89PNG\r\n\x1a\n second"}
    source = tmp_path / "files"
    for name, data in files.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(data)
    without = tmp_path / "without.zip"
    assert _invoke(url, tmp_path, "backup", "--out", str(without),
                   ATTACHMENT_DIR=str(source)).exit_code == 0
    assert _manifest(without)["attachments"] == 0
    full = tmp_path / "with.zip"
    made = _invoke(url, tmp_path, "backup", "--out", str(full), "--with-attachments",
                   ATTACHMENT_DIR=str(source))
    assert made.exit_code == 0, made.output
    assert "2 attachment files" in made.output
    restored_dir = tmp_path / "restored-files"
    result = _invoke(databases.blank("files"), tmp_path, "restore", str(full),
                     ATTACHMENT_DIR=str(restored_dir))
    assert result.exit_code == 0, result.output
    assert {p.relative_to(restored_dir).as_posix(): p.read_bytes()
            for p in restored_dir.rglob("*") if p.is_file()} == files


def test_missing_or_old_postgresql_client_tools_are_named(tmp_path, monkeypatch):
    fake = tmp_path / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 13.9'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(service.BackupError) as old:
        postgres.tool("pg_dump", 15)
    assert "pg_dump 13 is older than the PostgreSQL 15 server" in str(old.value)
    assert "postgresql-client-15" in str(old.value)
    assert postgres.tool("pg_dump", 13)[1] == 13
    with pytest.raises(service.BackupError) as missing:
        postgres.tool("pg_restore", 15)
    assert "pg_restore is not installed" in str(missing.value)


def test_attachments_in_object_storage_are_left_to_the_bucket(app_config, tmp_path):
    result = _invoke(app_config["DATABASE_URL"], tmp_path, "backup", "--out",
                     str(tmp_path / "s3.zip"), "--with-attachments", STORAGE="s3",
                     S3_BUCKET="roadmap-attachments")
    assert result.exit_code == 1
    assert "object storage" in result.output and "versioning" in result.output
    assert not (tmp_path / "s3.zip").exists()

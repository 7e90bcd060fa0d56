"""`roadmap backup --out FILE` and `roadmap restore FILE`."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from roadmap import storage
from roadmap.backup import service
from roadmap.backup.manifest import BackupError


def _in_object_storage() -> bool:
    """True when attachments live in a bucket (ROADMAP_STORAGE=s3), not in a local folder."""
    return current_app.config.get("STORAGE", "local") != "local"


def _attachment_folder(wanted: bool) -> Optional[Path]:
    """The local attachment folder (ATTACHMENT_DIR, or instance/attachments) when wanted."""
    if not wanted:
        return None
    if _in_object_storage():
        return None
    return storage.local_folder(current_app.config, current_app.instance_path)


def _progress(started: float) -> service.Say:
    """Progress lines with the seconds since the command started, so slow steps show."""
    def say(line: str) -> None:
        click.echo(f"[{time.monotonic() - started:6.1f} s] {line}")

    return say


def _size(count: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1024  # type: ignore[assignment]
    return str(count)


@click.command("backup")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="The backup file to write (a ZIP archive).")
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@click.option("--with-attachments", is_flag=True,
              help="Also copy the local attachment folder (ROADMAP_ATTACHMENT_DIR, or "
                   "instance/attachments). Attachments kept in object storage (S3) are not "
                   "copied: the bucket's own versioning backs them up.")
@with_appcontext
def backup_command(out: Path, force: bool, with_attachments: bool) -> None:
    """Back up the database to one file while the application keeps running.

    SQLite is copied with its online backup API; PostgreSQL with pg_dump --format=custom
    (pg_dump must be at least as new as the server). The file holds the dump and a manifest:
    schema revision, row counts per table and the last audit event's hash, which `roadmap
    restore` checks.
    """
    started = time.monotonic()
    if with_attachments and _in_object_storage():
        raise click.ClickException("attachments are kept in object storage (ROADMAP_STORAGE="
                                   f"{current_app.config['STORAGE']}), which this command does "
                                   "not copy: the bucket's own versioning backs them up. Leave "
                                   "out --with-attachments")
    try:
        manifest = service.backup(current_app.config["DATABASE_URL"], out, force,
                                  _attachment_folder(with_attachments),
                                  _progress(started))
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    except sa.exc.OperationalError as error:
        raise click.ClickException(f"the database could not be reached: {error.orig}") from None
    click.echo(f"wrote {out}: {len(manifest.tables)} tables, {manifest.rows} rows, "
               f"{manifest.audit_events} audit events, {manifest.attachments} attachment files, "
               f"{_size(out.stat().st_size)}, in {time.monotonic() - started:.1f} s")


@click.command("restore")
@click.argument("backup_file", metavar="FILE",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True,
              help="Replace a database that already holds data (and move aside attachment "
                   "files that are in the way).")
@with_appcontext
def restore_command(backup_file: Path, replace: bool) -> None:
    """Restore a backup made by `roadmap backup` into the configured database.

    Refuses a database that holds data unless --replace, a backup of the other kind of
    database, and a backup made by newer code. Afterwards the row counts must match the
    backup's manifest and `roadmap audit verify` must hold, or the command exits 1. Attachment
    files in the backup go back into the local attachment folder.
    """
    started = time.monotonic()
    try:
        manifest = service.restore(current_app.config["DATABASE_URL"], backup_file, replace,
                                   _attachment_folder(True), _progress(started))
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    except sa.exc.OperationalError as error:
        raise click.ClickException(f"the database could not be reached: {error.orig}") from None
    if manifest.attachments and _in_object_storage():
        click.echo(f"the backup's {manifest.attachments} attachment files were not restored: "
                   "attachments are kept in object storage here")
    click.echo(f"restored {backup_file}: {len(manifest.tables)} tables, {manifest.rows} rows "
               f"match the manifest; {manifest.audit_events} audit events and every signature "
               f"verified, in {time.monotonic() - started:.1f} s")

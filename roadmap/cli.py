"""The `roadmap` command's commands: db, framework, demo, and every feature's own.

Every command is listed here and registered on the group itself (`roadmap/__main__.py`), so
`roadmap --help` and every `--help` work on a machine with no settings: the application is built only when a command
runs. Commands that read or write Roadmap's tables first check that the schema is at this
code's head, so an un-migrated database gets one line saying what to run, not a traceback.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Iterator

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import ScriptInfo, with_appcontext

from roadmap import migrate
from roadmap.db import database, write_intent

# Commands that work whatever the schema: they make it, copy it or touch no table.
# `backup` belongs here because backing up comes before an upgrade.
WITHOUT_SCHEMA = frozenset({"db", "framework check", "backup", "restore", "serve",
                            "credential keygen", "credential verify",
                            "export check"})  # asks for the schema only when it uses the database


class SchemaNotReady(click.ClickException):
    """The database's schema is missing, behind or ahead: one line, exit code 2."""

    exit_code = 2


@click.group("db")
def db_cli() -> None:
    """Database schema migrations."""


@db_cli.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Bring the database up to REVISION (default: head)."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


@db_cli.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Take the database down to REVISION (e.g. -1, or base)."""
    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


@db_cli.command("current")
@with_appcontext
def db_current() -> None:
    """Show the database's revision."""
    migrate.current(current_app.config["DATABASE_URL"])


def check_schema(app: Flask) -> None:
    """Raise SchemaNotReady unless the app's database is reachable and at this code's head."""
    token = write_intent.set(False)  # a read: never queue for SQLite's write lock
    try:
        with database(app).engine.connect() as connection:
            problem = migrate.schema_problem(connection)
    except sa.exc.OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else "unknown"
        raise SchemaNotReady(f"the database could not be reached: {reason}") from None
    finally:
        write_intent.reset(token)
    if problem is not None:
        raise SchemaNotReady(problem)


def _schema_first(callback: Callable[..., Any]) -> Callable[..., Any]:
    """A command callback that checks the schema before it runs."""

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        app = current_app._get_current_object() if current_app else (
            click.get_current_context().ensure_object(ScriptInfo).load_app())
        check_schema(app)
        return callback(*args, **kwargs)

    return run


def _leaves(command: click.Command, path: str = "") -> Iterator[tuple[str, click.Command]]:
    """Every runnable command under `command`, with its path below `roadmap`."""
    name = f"{path} {command.name}".strip()
    if isinstance(command, click.Group):
        for child in command.commands.values():
            yield from _leaves(child, name)
    else:
        yield name, command


@functools.lru_cache(maxsize=1)
def commands() -> tuple[click.Command, ...]:
    """Every feature's commands; each needs the schema, unless it is in WITHOUT_SCHEMA."""
    from roadmap.accounts.cli import users_cli
    from roadmap.backup.verify import audit_cli
    from roadmap.backup.cli import backup_command, restore_command
    from roadmap.credentials.cli import credential_cli
    from roadmap.demo import demo_command
    from roadmap.exports.cli import export_cli
    from roadmap.feedback.reminders import feedback_cli
    from roadmap.framework.cli import framework_cli
    from roadmap.serve.command import serve
    from roadmap.supervision.notify import notify_cli

    found = (db_cli, framework_cli, users_cli, audit_cli, notify_cli, feedback_cli,
             demo_command, export_cli, backup_command, restore_command, serve, credential_cli)
    for command in found:  # once per process (cached), so no callback is wrapped twice
        for path, leaf in _leaves(command):
            if not any(path == free or path.startswith(f"{free} ") for free in WITHOUT_SCHEMA):
                assert leaf.callback is not None
                leaf.callback = _schema_first(leaf.callback)
    return found


def init_app(app: Flask) -> None:
    """Attach every command to the app's own CLI too (the test runner uses it)."""
    for command in commands():
        app.cli.add_command(command)

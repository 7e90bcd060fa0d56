"""The `roadmap` command: db, framework, demo (and Flask's own run, routes, shell).

Every command is registered here, on the group itself, so `roadmap --help` and every
`--help` work on a machine with no settings: the application is built only when a command
runs. Commands that read or write Roadmap's tables first check that the schema is at this
code's head, so an un-migrated database gets one line saying what to run, not a traceback.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Iterator

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import FlaskGroup, NoAppException, ScriptInfo, with_appcontext

from roadmap import migrate
from roadmap.db import database, write_intent

# Commands that work whatever the schema: they make it, copy it or touch no table.
# `backup` belongs here because backing up comes before an upgrade.
WITHOUT_SCHEMA = frozenset({"db", "framework check", "backup", "restore", "serve"})


class SchemaNotReady(click.ClickException):
    """The database's schema is missing, behind or ahead: one line, exit code 2."""

    exit_code = 2


def _create_app() -> Flask:
    """Build the app for a command; a settings problem is one clear line, not a traceback."""
    from roadmap.app import create_app
    from roadmap.config import ConfigError

    try:
        app = create_app()
    except ConfigError as error:
        raise NoAppException(f"Roadmap cannot start: {error}") from None
    command = click.get_current_context(silent=True)
    if command is not None:  # its pooled connections close with the command, not at exit
        command.find_root().call_on_close(database(app).engine.dispose)
    return app


class RoadmapGroup(FlaskGroup):
    """Flask's command group, but listing and finding commands never builds the application.

    FlaskGroup builds the app to list its commands, so `--help` failed without a secret key;
    ours are all registered on the group, and Flask's built-in ones need no app to be listed.
    """

    def _add_ours(self) -> None:
        for command in commands():
            if command.name not in self.commands:
                self.add_command(command)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        self._load_plugin_commands()
        self._add_ours()
        return click.Group.get_command(self, ctx, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands()
        self._add_ours()
        return sorted(click.Group.list_commands(self, ctx))


@click.group(cls=RoadmapGroup, create_app=_create_app, add_version_option=False,
             set_debug_flag=False, load_dotenv=False)
@click.pass_context
def main(ctx: click.Context) -> None:
    """Roadmap: portfolio, supervision and sign-off for the FCP Roadmap to Practice."""
    token = write_intent.set(True)  # commands write: take SQLite's write lock at BEGIN
    ctx.call_on_close(lambda: write_intent.reset(token))


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
    from roadmap.audit.verify import audit_cli
    from roadmap.backup.cli import backup_command, restore_command
    from roadmap.demo import demo_command
    from roadmap.exports.cli import export_cli
    from roadmap.feedback.reminders import feedback_cli
    from roadmap.framework.cli import framework_cli
    from roadmap.serve.command import serve
    from roadmap.supervision.notify import notify_cli

    found = (db_cli, framework_cli, users_cli, audit_cli, notify_cli, feedback_cli,
             demo_command, export_cli, backup_command, restore_command, serve)
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

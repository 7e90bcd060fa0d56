"""The `roadmap` command: db, framework, demo (and Flask's own run, routes, shell)."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, NoAppException, with_appcontext

from roadmap import migrate
from roadmap.db import write_intent


def _create_app() -> Flask:
    """Build the app for a command; a settings problem is one clear line, not a traceback."""
    from roadmap import create_app
    from roadmap.config import ConfigError

    try:
        return create_app()
    except ConfigError as error:
        raise NoAppException(f"Roadmap cannot start: {error}") from None


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False,
             set_debug_flag=False, load_dotenv=False)
def main() -> None:
    """Roadmap: portfolio, supervision and sign-off for the FCP Roadmap to Practice."""
    write_intent.set(True)  # commands write: take SQLite's write lock at BEGIN


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


def init_app(app: Flask) -> None:
    """Attach every feature's commands to the app's CLI."""
    from roadmap.accounts.cli import users_cli
    from roadmap.audit.verify import audit_cli
    from roadmap.backup.cli import backup_command, restore_command
    from roadmap.demo import demo_command
    from roadmap.exports.cli import export_cli
    from roadmap.feedback.reminders import feedback_cli
    from roadmap.framework.cli import framework_cli
    from roadmap.supervision.notify import notify_cli

    for command in (db_cli, framework_cli, users_cli, audit_cli, notify_cli, feedback_cli,
                    demo_command, export_cli, backup_command, restore_command):
        app.cli.add_command(command)

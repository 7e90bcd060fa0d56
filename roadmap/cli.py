"""The `roadmap` command: db, framework, demo (and Flask's own run, routes, shell)."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from roadmap import migrate
from roadmap.db import write_intent


def _create_app() -> Flask:
    from roadmap import create_app
    return create_app()


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
    app.cli.add_command(db_cli)
    try:
        from roadmap.framework.cli import framework_cli
    except ImportError:  # the framework commands are being written alongside
        framework_cli = None
    if framework_cli is not None:
        app.cli.add_command(framework_cli)
    from roadmap.demo import demo_command
    app.cli.add_command(demo_command)

"""The `roadmap` command (also `python -m roadmap`): the group, and the app built per command.

The group lists every command without building the application, so `--help` works on a
machine with no settings; the application is built only when a command runs.
"""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup, NoAppException

from roadmap.cli import commands
from roadmap.config import ConfigError
from roadmap.db import database, write_intent


def _create_app() -> Flask:
    """Build the app for a command; a settings problem is one clear line, not a traceback."""
    from roadmap.app import create_app  # here, so listing commands loads no feature

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




if __name__ == "__main__":
    main(prog_name="roadmap")

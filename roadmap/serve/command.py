"""`roadmap serve`: start gunicorn with Roadmap's production settings."""
from __future__ import annotations

import os
import sys

import click

from roadmap.config import ConfigError

CONFIG = "python:roadmap.serve.gunicorn_conf"
APP = "roadmap:create_app()"


@click.command("serve", context_settings={"ignore_unknown_options": True})
@click.argument("gunicorn_args", nargs=-1, type=click.UNPROCESSED)
def serve(gunicorn_args: tuple[str, ...]) -> None:
    """Serve the application with gunicorn (extra arguments go to gunicorn)."""
    from roadmap.serve import options

    try:
        values = options.settings()
    except ConfigError as error:
        raise click.ClickException(f"Roadmap cannot start: {error}") from None
    found = options.problems(values)
    if found:
        raise click.ClickException("Roadmap cannot start: " + " ".join(found))
    argv = [sys.executable, "-m", "gunicorn", "-c", CONFIG, *gunicorn_args, APP]
    click.echo(f"starting gunicorn on {values['BIND']} with {options.worker_count(values)} "
               f"workers of {values['THREADS']} threads", err=True)
    os.execv(sys.executable, argv)

"""`roadmap export`: a candidate's PDF or ZIP from the command line, and the job worker."""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import ScriptInfo, with_appcontext

from roadmap.db import database

log = logging.getLogger("roadmap.exports.worker")


@click.group("export")
def export_cli() -> None:
    """Portfolio exports: PDF, ZIP, and the background worker that makes them."""


def _enrolment(session: Any, email: str) -> Any:
    from roadmap.accounts.service import find_user
    from roadmap.cohorts.models import current_enrolment

    user = find_user(session, email)
    if user is None:
        raise click.ClickException(f"no account with the email {email}")
    enrolment = current_enrolment(session, user)
    if enrolment is None:
        raise click.ClickException(f"{email} is not enrolled on a roadmap")
    return enrolment


def _run(kind: str, email: str, out: Path, archival: bool = False) -> None:
    from roadmap.exports import archive, parallel, portfolio
    from roadmap.exports.archival import archival_pdf
    from roadmap.clock import today

    if not out.parent.is_dir():  # said before minutes of rendering, not as a traceback after
        raise click.ClickException(f"cannot write {out}: the folder {out.parent} does not exist")
    session = database().sessions()
    try:
        enrolment = _enrolment(session, email)
        # Progress is not the command's output: stdout carries only the closing line.
        with click.progressbar(length=100, label=f"Making the {kind.upper()}",
                               file=sys.stderr) as bar:
            def progress(percent: int, _message: str) -> None:
                bar.update(max(0, percent - bar.pos))

            if kind == "zip":
                archive.export_zip(session, enrolment, today(), out, progress)
            elif archival:  # one tagged pass: no progress to report until it is done
                out.write_bytes(archival_pdf(session, enrolment, today(),
                                             config=current_app.config))
                progress(100, "Ready")
            else:
                document = portfolio.export_pdf(session, enrolment, today(), True, progress)
                out.write_bytes(document)
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror or error}") from None
    finally:
        session.close()
        parallel.shutdown()
    click.echo(f"wrote {out} ({out.stat().st_size // 1024} KB)")


@export_cli.command("pdf")
@click.option("--email", required=True, help="The candidate's email address.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--archival", is_flag=True,
              help="The archival copy: one tagged PDF/A-3a pass with data.json and the signed "
                   "manifest inside (slower; `roadmap export check` reads it).")
@with_appcontext
def export_pdf(email: str, out: Path, archival: bool) -> None:
    """Write a candidate's portfolio PDF to OUT."""
    _run("pdf", email, out, archival)


@export_cli.command("zip")
@click.option("--email", required=True, help="The candidate's email address.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_zip(email: str, out: Path) -> None:
    """Write a candidate's ZIP (PDF, attachments, data.json and its schema) to OUT."""
    _run("zip", email, out)


def _trusted_keys(path: Path) -> dict[str, Any]:
    """Public keys from a JWK or JWK Set file, by kid (a bare JWK is trusted whatever it names)."""
    import json

    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise click.ClickException(f"cannot read the key file {path}: {error}") from None
    listed = found.get("keys", [found]) if isinstance(found, dict) else []
    return {str(k.get("kid")): k for k in listed if isinstance(k, dict)}


class _NotReady(click.ClickException):
    exit_code = 2


def _schema_ready() -> None:
    """The server's half of a check needs the schema at this code's head (the offline half
    does not: `export check` runs without a database, so it asks here, not before it starts)."""
    import sqlalchemy as sa

    from roadmap import migrate

    try:
        with database().engine.connect() as connection:
            problem = migrate.schema_problem(connection)
    except sa.exc.OperationalError:
        problem = "The database could not be reached."
    if problem is not None:
        raise _NotReady(f"{problem} To check the file without the service, add --offline.")


@export_cli.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", "key_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The service's published public key (a JWK or the JWK Set from "
                   "/.well-known/jwks.json) to trust the signature offline.")
@click.option("--offline", is_flag=True, help="Do not ask the database, even if there is one.")
@click.pass_context
def check(ctx: click.Context, file: Path, key_file: Path | None, offline: bool) -> None:
    """Check an archival portfolio PDF: intact or what changed, what it claims, and (with a
    database) whether the service agrees. Exit status 0 when intact and agreed, 1 otherwise."""
    from roadmap.exports import check as checker
    from roadmap.exports.pdffile import NotReadable

    content = file.read_bytes()
    trusted = _trusted_keys(key_file) if key_file else None
    try:
        if offline:
            report = checker.check(content, trusted)
        else:
            app = ctx.ensure_object(ScriptInfo).load_app()
            with app.app_context():
                _schema_ready()
                session = database().sessions()
                try:
                    report = (checker.check(content, trusted) if trusted is not None
                              else checker.check(content, checker.published_keys(
                                  session, app.config)))
                    from roadmap.exports import server_check
                    server_check.compare(session, report)
                finally:
                    session.close()
    except NotReadable as error:
        raise click.ClickException(str(error)) from None
    for line in report.lines():
        click.echo(line)
    ctx.exit(0 if report.intact and report.server_agrees is not False else 1)


def _warm_up(app: Flask) -> None:
    """Import WeasyPrint, load the fonts and their coverage, compile the print templates and
    start the render processes now, so the first person to click after the worker starts does
    not wait for them (seconds on a busy host)."""
    from roadmap.exports import fonts, parallel, portfolio, render

    setup_ = portfolio.setup(app)
    style = portfolio.styles(setup_)
    parallel.start(setup_.workers, style)
    render.warm_up(style)
    fonts.coverage(setup_.font_dir)
    for template in app.jinja_env.list_templates(filter_func=lambda n: n.startswith("exports/")):
        app.jinja_env.get_template(template)


@export_cli.command("worker")
@click.option("--refreshes", is_flag=True,
              help="Run the stored-PDF refreshes instead (a second worker, at a lower priority).")
@with_appcontext
def worker(refreshes: bool) -> None:
    """Run the export job worker (huey consumer) until stopped with Ctrl-C or SIGTERM."""
    from huey.consumer import Consumer

    from roadmap.exports.fresh import refresh_queue
    from roadmap.exports import liveness, quick
    from roadmap.exports.jobs import IDLE_POLL, queue, sweep
    from roadmap.exports.portfolio import setup

    class Announced(Consumer):  # type: ignore[misc]
        """huey's consumer, logging once it is ready: from then on SIGTERM is a clean stop."""

        def start(self) -> None:
            super().start()
            log.info("export worker ready: waiting for jobs")

    # Start and stop are worth a line in the log; the root logger stays at WARNING.
    log.setLevel(logging.INFO)
    app = current_app._get_current_object()
    if refreshes:  # background work: the clicks' jobs and the pages go first on the CPU
        os.nice(10)
        Announced(refresh_queue(app), workers=1, worker_type="thread").run()
        log.info("refresh worker stopped")
        return
    # From now until the process ends, the pages know a worker will take their queued jobs.
    liveness.keep_alive(setup(app).export_dir, liveness.timeout(app) / 4)
    sweep(app)  # jobs left "running" by a worker that died
    _warm_up(app)
    quick.task(app)  # the quick copies a change queues (exports.quick) run here too
    # One job at a time: each job already uses every core for its parts.
    Announced(queue(app), workers=1, worker_type="thread", initial_delay=IDLE_POLL,
              backoff=1.0, max_delay=IDLE_POLL).run()
    log.info("export worker stopped")

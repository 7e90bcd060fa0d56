"""`roadmap demo`: a hub, a cohort and people to try every role with."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from roadmap import mail
from roadmap.db import database
from roadmap.demo import build, people
from roadmap.framework import loader, service as frameworks
from roadmap.framework.models import FrameworkVersion

DEFAULT_PASSWORD = "fcp-roadmap-demo"


@click.command("demo")
@click.option("--password", default=DEFAULT_PASSWORD, show_default=True,
              help="Password for every demo account (at least 12 characters).")
@with_appcontext
def demo_command(password: str) -> None:
    """Create demo data (idempotent) and print the logins for every role."""
    if len(password) < 12:
        raise click.BadParameter("use at least 12 characters", param_hint="--password")
    session = database().sessions()
    try:
        version = _framework(session, current_app.config["FRAMEWORK_DIR"], "msk-fcp")
        hub, created = build.ensure_hub(session)
        accounts = build.upsert_people(session, password, current_app.config["ARGON2_PROFILE"], hub)
        if created:
            from roadmap.clock import today
            build.build_cohort(session, hub, version, accounts, today())
        session.info.pop(mail.OUTBOX, None)  # demo people are made up: nobody to email
        session.commit()
    finally:
        session.close()
    click.echo("Demo data is ready." if created else "Demo data was already there; "
               "passwords were reset to the one below.")
    click.echo(f"\nPassword for every account: {password}\n")
    click.echo(f"{'Email':<32} {'Role':<36} Authenticator secret (TOTP)")
    roles = {p.email: label for group, label in (
        (people.CANDIDATES, "candidate"), (people.SUPERVISORS[:1], "supervisor (GP)"),
        (people.SUPERVISORS[1:], "supervisor (AHP supervision fellow)"),
        ((people.HUB_LEAD,), "training hub lead"), ((people.ADMIN,), "admin")) for p in group}
    for email, label in roles.items():
        secret = accounts[email].totp_secret or "-"
        click.echo(f"{email:<32} {label:<36} {secret}")
    click.echo("\nAccounts with a secret sign in with a 6-digit code: add the secret to an "
               "authenticator app, or run: .venv/bin/python -c "
               "\"import pyotp; print(pyotp.TOTP('SECRET').now())\"")


def _framework(session: Session, folder: str, slug: str) -> FrameworkVersion:
    """The latest loaded version of a roadmap, loading the folder first if none is."""
    version = frameworks.latest_version(session, slug)
    if version is not None:
        return version
    result = loader.read_path(Path(folder))
    if not result.ok:
        raise click.ClickException("the framework files have problems; run "
                                   "`roadmap framework check`:\n" + "\n".join(result.problems))
    for loaded in result.frameworks:
        frameworks.load_into_db(session, loaded.document, loaded.source_path)
    version = frameworks.latest_version(session, slug)
    if version is None:
        raise click.ClickException(f"no roadmap with slug {slug!r} in {folder}")
    return version

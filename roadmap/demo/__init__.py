"""`roadmap demo`: seed 002's pilot as it would run today, built through the real services.

Three training hubs, an education provider and candidates at every point of the journey,
played as a story over the past months (roadmap.demo.story): every event in the audit log
happens when its item says it did. Run once on a new database; later runs reset the
passwords and print the logins again.
"""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from roadmap import clock, mail
from roadmap.db import database
from roadmap.demo import journey, logins, people, world
from roadmap.demo.story import Story

DEFAULT_PASSWORD = "fcp-roadmap-demo"


def build(session: Session, password: str) -> int:
    """Play the whole story into the session (uncommitted); how many steps it took."""
    config = current_app.config
    today = clock.today()
    start = world.story_start(today)
    last = world.last_event_at(session)
    if last is not None and last > start:
        raise world.DemoError(
            f"the audit log already has events up to {clock.in_words(last)}. The demo's story "
            f"starts on {clock.long_date(clock.day_of(start))} and its events must not come after "
            "later ones: run `roadmap demo` on a new database, right after `roadmap db "
            "upgrade` (it loads the roadmap itself).")
    story = Story(until=clock.now())
    w = world.World(session, story, today, password, config["ARGON2_PROFILE"],
                    config["FRAMEWORK_DIR"], tuple(config["ASSESSOR_EMAIL_DOMAINS"]))
    story.spawn(world.setup(w))
    for plan in people.PLANS:
        story.spawn(journey.journey(w, plan))
    return story.run()


@click.command("demo")
@click.option("--password", default=DEFAULT_PASSWORD, show_default=True,
              help="Password for every demo account (at least 12 characters).")
@with_appcontext
def demo_command(password: str) -> None:
    """Create the demo pilot (idempotent) and print the logins and verification codes."""
    if len(password) < 12:
        raise click.BadParameter("use at least 12 characters", param_hint="--password")
    session = database().sessions()
    try:
        created = world.existing(session) is None
        if created:
            build(session, password)
        else:
            world.reset_passwords(session, password, current_app.config["ARGON2_PROFILE"])
        session.info.pop(mail.OUTBOX, None)  # demo people are made up: nobody to email
        session.commit()
        rows, codes = logins.logins(session), logins.codes(session)
    except world.DemoError as problem:
        raise click.ClickException(str(problem)) from None
    finally:
        session.close()
    click.echo("Demo data is ready." if created else "Demo data was already there; "
               "passwords were reset to the one below.")
    click.echo(f"\nPassword for every account: {password}\n")
    for line in logins.table(rows):
        click.echo(line)
    click.echo("\nAccounts with a secret sign in with a 6-digit code: add the secret to an "
               "authenticator app, or run: .venv/bin/python -c "
               "\"import pyotp; print(pyotp.TOTP('SECRET').now())\"")
    if codes:
        click.echo("\nVerification codes of the signed-off stages (check one at /verify):")
        width = max(len(f"{c.candidate}, {c.stage}") for c in codes)
        for code in codes:
            click.echo(f"{code.code}  {f'{code.candidate}, {code.stage}':<{width}}  {code.url}")

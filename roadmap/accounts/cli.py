"""`roadmap users`: create and disable accounts from the command line, for operators."""
from __future__ import annotations

import datetime as dt
from typing import Optional

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from roadmap.accounts import onboarding, service
from roadmap.accounts.models import ROLE_VALUES, Role
from roadmap.cohorts.models import TrainingHub
from roadmap.db import database
from roadmap.links import external_link


@click.group("users")
def users_cli() -> None:
    """Accounts: create (with an emailed invitation) and disable."""


@users_cli.command("create")
@click.option("--email", required=True, help="Work email address; the person signs in with it.")
@click.option("--role", "roles", required=True, multiple=True, type=click.Choice(ROLE_VALUES),
              help="Role to grant; repeat for several.")
@click.option("--name", "full_name", help="Full name (default: taken from the email).")
@click.option("--hub", "hub_name", help="For a hub lead: the name of the hub they lead.")
@with_appcontext
def create(email: str, roles: tuple[str, ...], full_name: Optional[str],
           hub_name: Optional[str]) -> None:
    """Create an account and email an invitation link to set the password."""
    session = database().sessions()
    try:
        hub_id = None
        if Role.HUB_LEAD.value in roles:
            if not hub_name:
                raise click.UsageError("a hub lead needs --hub NAME")
            hub_id = session.scalar(sa.select(TrainingHub.id).where(TrainingHub.name == hub_name))
            if hub_id is None:
                raise click.UsageError(f"no training hub is called {hub_name!r}")
        name = full_name or email.split("@")[0].replace(".", " ").title()
        links: list[str] = []

        def link_for(endpoint: str, token: str) -> str:
            links.append(external_link(endpoint, token))
            return links[-1]

        try:
            user = onboarding.invite(
                session, email=email, full_name=name, roles=[Role(r) for r in roles],
                hub_id=hub_id, invited_by=None, link_for=link_for,
                lifetime=dt.timedelta(days=current_app.config["INVITATION_DAYS"]))
        except onboarding.InvitationError as error:
            raise click.ClickException(f"{email}: {error}") from None
        session.commit()
    finally:
        session.close()
    click.echo(f"created {user.email} ({', '.join(roles)}); invitation sent")
    click.echo(f"invitation link: {links[0]}")


@users_cli.command("disable")
@click.argument("email")
@with_appcontext
def disable(email: str) -> None:
    """Disable an account: it cannot sign in, and its sessions end at once."""
    session = database().sessions()
    try:
        user = service.find_user(session, email)
        if user is None:
            raise click.ClickException(f"no account has the email {email}")
        service.set_active(session, user, False, actor_id=None)
        session.commit()
    finally:
        session.close()
    click.echo(f"disabled {user.email}")

"""`roadmap audit verify`: the hash chain, every signature, every signed item and signed file,
every signed-off stage's rounds, and every education provider's approval or referral.

The audit log checks its own chain, supervision checks the signed records and the providers
their decisions; this runs them all, for the command and for backup and restore, which must
not copy a database that fails them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import click
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from roadmap import storage
from roadmap.audit.service import verify_chain
from roadmap.db import database
from roadmap.providers.verify import check_decisions
from roadmap.supervision.verify import check_signed


@dataclass
class Report:
    """What verification found: counts, and the first problem if any."""

    events: int = 0
    signatures: int = 0
    files: int = 0  # signed files whose stored bytes were hashed
    decisions: int = 0  # education providers' approvals and referrals
    problem: Optional[str] = None


def verify(session: Session, store: Optional[storage.Store] = None) -> Report:
    """Check the chain, every signature against what it signed and against the log, then
    every provider decision against its round and its event.

    With the attachment store, every signed file's bytes are hashed too.
    """
    chain = verify_chain(session)
    if chain.problem:
        return Report(events=chain.events, problem=chain.problem)
    signed = check_signed(session, store)
    if signed.problem:
        return Report(chain.events, signed.signatures, signed.files, problem=signed.problem)
    decided = check_decisions(session)
    return Report(chain.events, signed.signatures, signed.files, decided.decisions,
                  decided.problem)


@click.group("audit")
def audit_cli() -> None:
    """The audit log: verify that nothing signed or logged was altered."""


@audit_cli.command("verify")
@with_appcontext
def verify_command() -> None:
    """Exit 0 with the counts when everything holds; otherwise name the first problem."""
    session = database().sessions()
    try:
        report = verify(session, storage.current())
    finally:
        session.close()
    if report.problem:
        click.echo(f"FAILED: {report.problem}", err=True)
        raise SystemExit(1)
    click.echo(f"ok: {report.events} audit events and {report.signatures} signatures verified, "
               f"{report.files} signed files read back, {report.decisions} provider decisions "
               "checked")

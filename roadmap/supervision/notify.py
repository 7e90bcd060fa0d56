"""Reminders about items waiting on a supervisor: weekly, to the supervisor and then the hub."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from roadmap import mail
from roadmap.accounts.models import User
from roadmap.audit import service as audit
from roadmap.audit.models import AuditEvent
from roadmap.cohorts.models import Cohort, Enrolment, hub_leads
from roadmap.db import run_committed, utcnow
from roadmap.portfolio.models import Evidence

SUPERVISOR_AFTER = dt.timedelta(days=7)
HUB_AFTER = dt.timedelta(days=14)
QUIET = dt.timedelta(days=6)  # one reminder a week at most, however often the job runs


def _recently_reminded(session: Session, since: dt.datetime) -> set[int]:
    rows = session.execute(sa.select(AuditEvent.subject_id).where(
        AuditEvent.action == "reminder.sent", AuditEvent.occurred_at >= since)).all()
    return {row[0] for row in rows}


def _waiting(session: Session, older_than: dt.datetime) -> list[tuple[Evidence, str, int, int]]:
    """Submitted items older than a moment: the item, candidate name, supervisor id, hub id."""
    candidate = sa.orm.aliased(User)
    return session.execute(
        sa.select(Evidence, candidate.full_name, Evidence.submitted_to_id, Cohort.hub_id)
        .join(Enrolment, Enrolment.id == Evidence.enrolment_id)
        .join(candidate, candidate.id == Enrolment.candidate_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Evidence.status == "submitted", Evidence.submitted_at < older_than)
        .order_by(Evidence.submitted_at)).all()


def send_reminders(session: Session) -> int:
    """Email each supervisor their items waiting over 7 days, each hub lead those over 14."""
    now = utcnow()
    skip = _recently_reminded(session, now - QUIET)
    by_person: dict[int, list[str]] = defaultdict(list)
    for item, candidate, supervisor_id, hub_id in _waiting(session, now - SUPERVISOR_AFTER):
        days = (now - item.submitted_at).days
        line = f"- {candidate}: “{item.title}”, waiting {days} days"
        by_person[supervisor_id].append(line)
        if now - item.submitted_at > HUB_AFTER:
            for (lead_id,) in session.execute(hub_leads(hub_id)):
                by_person[lead_id].append(line)
    sent = 0
    for person_id, lines in by_person.items():
        person = session.get(User, person_id)
        if person is None or not person.is_active or person.id in skip:
            continue
        mail.queue(session, person.email, "Roadmap items waiting for assessment",
                   f"Dear {person.full_name},\n\nThese items are waiting for a supervisor:\n\n"
                   + "\n".join(lines) + "\n\nThe backup supervisor can assess any of them if "
                   "the primary supervisor is away.\n")
        audit.record(session, "reminder.sent", subject_type="user", subject_id=person.id,
                     data={"items": len(lines)})
        sent += 1
    return sent


@click.group("notify")
def notify_cli() -> None:
    """Emails that go out on a schedule."""


@notify_cli.command("reminders")
@with_appcontext
def reminders_command() -> None:
    """Send the weekly reminders (safe to run daily: nobody gets two in a week)."""
    sent = run_committed(send_reminders)
    click.echo(f"sent {sent} reminder(s)")

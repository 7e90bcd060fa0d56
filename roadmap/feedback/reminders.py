"""`roadmap feedback remind`: a fresh link to raters who have not answered yet, and the
expiry of on-device assessments never confirmed (run daily)."""
from __future__ import annotations

import datetime as dt

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.audit import service as audit
from roadmap.cohorts.models import Enrolment
from roadmap.db import run_committed, utcnow
from roadmap.feedback import links, notices, onspot
from roadmap.feedback.models import FeedbackRater, FeedbackRound
from roadmap.portfolio.models import Evidence

REMIND_AFTER = dt.timedelta(days=7)  # since the last email the rater was sent
MAX_REMINDERS = 2


def send_reminders(session: Session) -> int:
    """Remind every rater still to answer whose last email is a week old; returns how many."""
    now = utcnow()
    due = session.execute(
        sa.select(FeedbackRater, User.full_name, Evidence.enrolment_id)
        .join(Evidence, Evidence.id == FeedbackRater.evidence_id)
        .join(FeedbackRound, FeedbackRound.evidence_id == Evidence.id)
        .join(Enrolment, Enrolment.id == Evidence.enrolment_id)
        .join(User, User.id == Enrolment.candidate_id)
        .where(FeedbackRater.responded.is_(False), FeedbackRound.released_at.is_(None),
               FeedbackRater.reminders_sent < MAX_REMINDERS,
               FeedbackRater.last_sent_at <= now - REMIND_AFTER,
               FeedbackRater.expires_at > now)
        .order_by(FeedbackRater.id)).all()
    for rater, candidate_name, enrolment_id in due:
        # Only hashes are kept, so a reminder carries a new link; the previous one stops working.
        token = links.new_token()
        rater.token_hash, rater.last_sent_at = links.digest(token), now
        rater.expires_at = max(rater.expires_at, now + dt.timedelta(days=14))
        rater.reminders_sent += 1
        audit.record(session, "feedback.rater_reminded", subject_type="evidence",
                     subject_id=rater.evidence_id, enrolment_id=enrolment_id,
                     data={"rater_id": rater.id, "reminder": rater.reminders_sent})
        notices.invite_rater(session, rater, candidate_name, token, reminder=True)
    session.flush()
    return len(due)


@click.group("feedback")
def feedback_cli() -> None:
    """Multi-source feedback and patient questionnaires."""


@feedback_cli.command("remind")
@with_appcontext
def remind_command() -> None:
    """Email a reminder, with a fresh link, to raters who have not answered after a week."""
    sent = run_committed(send_reminders)
    click.echo(f"sent {sent} reminder(s)")
    expired, ended = run_committed(onspot.sweep)
    click.echo(f"{expired} on-device assessment(s) expired unconfirmed, {ended} ended")

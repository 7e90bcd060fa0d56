"""Reminders: raters who have not answered after a week get a fresh link, at most twice."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from roadmap.feedback.models import FeedbackRater
from tests.feedback.helpers import answer, invite, open_round


def test_reminders_go_to_raters_who_have_not_answered(app, client, session, team, make_item,
                                                      login, mailbox, runner):
    item = make_item("msf", status="draft")
    login(client, team.candidate)
    open_round(client, item.id)
    invite(client, item.id, 1, "clinical")
    invite(client, item.id, 2, "non_clinical")
    first = {m["To"]: mailbox.link(m) for m in mailbox.messages}
    assert answer(app, first["rater1@example.nhs.uk"], "clinical").status_code == 302
    result = runner.invoke(args=["feedback", "remind"])
    assert "sent 0 reminder(s)" in result.output  # nobody is a week late yet
    week_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=8)
    session.execute(sa.update(FeedbackRater).values(last_sent_at=week_ago))
    session.commit()
    before = len(mailbox.messages)
    result = runner.invoke(args=["feedback", "remind"])
    assert "sent 1 reminder(s)" in result.output, result.output
    (reminder,) = mailbox.messages[before:]
    assert reminder["To"] == "rater2@example.nhs.uk" and reminder["Subject"].startswith("Reminder")
    assert app.test_client().get(first["rater2@example.nhs.uk"]).status_code == 404
    assert answer(app, mailbox.link(reminder), "non_clinical").status_code == 302
    assert "sent 0 reminder(s)" in runner.invoke(args=["feedback", "remind"]).output

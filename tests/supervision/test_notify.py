"""Weekly reminders: supervisors after 7 days waiting, hub leads after 14, never twice a week."""
from __future__ import annotations

import datetime as dt

import pyotp

from roadmap.cohorts.models import Cohort


def _age(session, item, days):
    item.submitted_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)
    session.commit()


def test_reminders_go_to_the_supervisor_then_the_hub(runner, session, team, make_item, make_user,
                                                     mailbox):
    hub_id = session.get(Cohort, team.enrolment.cohort_id).hub_id
    make_user("lead@example.nhs.uk", roles=("hub_lead",), hub_id=hub_id,
              totp_secret=pyotp.random_base32())
    fresh, week, fortnight = make_item("cbd"), make_item("cot"), make_item("cbd")
    fresh.title, week.title, fortnight.title = "Fresh", "Week old", "Fortnight old"
    _age(session, fresh, 2)
    _age(session, week, 8)
    _age(session, fortnight, 15)
    result = runner.invoke(args=["notify", "reminders"])
    assert result.exit_code == 0 and "sent 2 reminder(s)" in result.output
    [to_supervisor] = mailbox.to("primary@example.nhs.uk")
    body = to_supervisor.get_content()
    assert "Week old" in body and "Fortnight old" in body and "Fresh" not in body
    [to_hub] = mailbox.to("lead@example.nhs.uk")
    assert "Fortnight old" in to_hub.get_content() and "Week old" not in to_hub.get_content()
    again = runner.invoke(args=["notify", "reminders"])
    assert "sent 0 reminder(s)" in again.output
    assert len(mailbox.messages) == 2

"""The self-assessment copied when a round opens passes the patient-identifier check (issue 22).

It is copied from an item that is still a draft, before the item's own check on submission,
and the copy is what the supervisor reads on the round's page and what the results and exports
set beside the raters' answers: so, over HTTP as the candidate, a self-assessment with an NHS
number is highlighted on the round's page with the box to confirm, and no round opens; ticking
the box opens it and audits the field and kind only. The copy is then exactly what was checked,
even if the draft is edited afterwards."""
from __future__ import annotations

import json
import re

import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.feedback.models import FeedbackRound
from roadmap.pid import scan
from roadmap.portfolio.models import Evidence

NAMED = "My team value that I called back the patient with NHS number 943 476 5919."


def test_the_self_assessment_is_checked_as_it_is_copied(client, login, session, team,
                                                        make_item):
    item = make_item("msf", status="draft")
    item.fields = {**item.fields, "self_highlights": NAMED}
    session.commit()
    login(client, team.candidate)
    url = f"/feedback/rounds/{item.id}/open"
    warned = client.post(url)
    page = warned.get_data(as_text=True)
    assert warned.status_code == 400
    assert re.search(r'id="self-self_highlights-error".*?This may identify a patient '
                     r'\(NHS number\)', page, re.S)
    assert re.search(r'<mark class="roadmap-pid">.*?943 476 5919</mark>', page)
    assert 'name="confirm_pid"' in page
    session.rollback()
    assert session.scalar(sa.select(FeedbackRound)) is None

    assert client.post(url, data={"confirm_pid": "y"}).status_code == 302
    session.rollback()
    record = session.scalar(sa.select(FeedbackRound))
    assert record.self_assessment["self_highlights"] == NAMED
    (event,) = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "feedback.self_assessment_pid_confirmed")).all()
    assert event.data == {"findings": [{"field": "self_highlights", "kind": "nhs_number"}]}
    assert "943" not in json.dumps(event.data)


def test_every_copy_is_clean_or_confirmed_whatever_the_draft_becomes(client, login, session,
                                                                     team, make_item):
    item = make_item("msf", status="draft")
    clean = {**item.fields, "self_highlights": "Colleagues value my clear explanations."}
    item.fields = clean
    session.commit()
    login(client, team.candidate)
    assert client.post(f"/feedback/rounds/{item.id}/open").status_code == 302
    # The draft is edited after the round opened: the copy stays as it was checked.
    session.rollback()
    draft = session.get(Evidence, item.id)
    draft.fields = {**clean, "self_highlights": NAMED}
    session.commit()
    record = session.scalar(sa.select(FeedbackRound))
    assert record.self_assessment["self_highlights"] == clean["self_highlights"]
    assert not any(scan(text) for text in record.self_assessment.values()
                   if isinstance(text, str))

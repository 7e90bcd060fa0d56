"""Nothing the candidate can reach ties a response to a rater: no order, no time, no link."""
from __future__ import annotations

import re

import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.feedback.models import FeedbackRater, FeedbackResponse
from tests.feedback.helpers import answer, invite, open_round

RATERS = [(n, "clinical" if n <= 5 else "non_clinical") for n in range(1, 11)]


def _released_round(app, client, session, team, make_item, login, mailbox):
    item = make_item("msf", status="draft")
    login(client, team.candidate)
    open_round(client, item.id)
    for number, group in RATERS:
        invite(client, item.id, number, group, name="Named Person")
    paths = {m["To"]: mailbox.link(m) for m in mailbox.messages}
    for number, group in RATERS:
        assert answer(app, paths[f"rater{number}@example.nhs.uk"], group,
                      f"Remark from rater number {number}").status_code == 302
    supervisor = app.test_client()
    login(supervisor, team.primary)
    assert supervisor.post(f"/feedback/rounds/{item.id}/release").status_code == 302
    return item


def _results_section(page: str) -> str:
    return page[page.index('id="results"'):]


def test_no_stored_link_between_raters_and_responses(app, client, session, team, make_item,
                                                     login, mailbox):
    assert set(FeedbackResponse.__table__.columns.keys()) == {
        "id", "evidence_id", "respondent_group", "answers", "submitted_on"}
    assert not any(c.name.endswith(("_at", "_on")) and "respon" in c.name
                   for c in FeedbackRater.__table__.columns)
    _released_round(app, client, session, team, make_item, login, mailbox)
    session.rollback()
    for response in session.scalars(sa.select(FeedbackResponse)):
        assert "Named Person" not in str(response.answers) and "@" not in str(response.answers)
    received = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "feedback.response_received")).all()
    assert len(received) == 10
    assert all(event.actor_id is None and event.data == {} for event in received)


def test_candidate_pages_and_csv_do_not_depend_on_the_order_of_responses(
        app, client, session, team, make_item, login, mailbox):
    item = _released_round(app, client, session, team, make_item, login, mailbox)
    page = _results_section(client.get(f"/feedback/rounds/{item.id}").get_data(as_text=True))
    csv = client.get(f"/feedback/rounds/{item.id}/results.csv").get_data(as_text=True)
    assert "Named Person" not in page and "Named Person" not in csv
    assert "@" not in page and "@" not in csv
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{1,2} [A-Z][a-z]+ \d{4}", page + csv)
    # Store the same responses again in the opposite order: nothing the candidate sees changes.
    session.rollback()
    rows = session.scalars(sa.select(FeedbackResponse).order_by(FeedbackResponse.id)).all()
    copies = [(r.evidence_id, r.respondent_group, dict(r.answers)) for r in reversed(rows)]
    session.execute(sa.delete(FeedbackResponse))
    session.add_all(FeedbackResponse(evidence_id=e, respondent_group=g, answers=a)
                    for e, g, a in copies)
    session.commit()
    again = _results_section(client.get(f"/feedback/rounds/{item.id}").get_data(as_text=True))
    assert again == page
    assert client.get(f"/feedback/rounds/{item.id}/results.csv").get_data(as_text=True) == csv
    # The item's own page shows the candidate's and supervisor's parts, never a response.
    item_page = client.get(f"/portfolio/evidence/{item.id}").get_data(as_text=True)
    assert "Remark from rater" not in item_page

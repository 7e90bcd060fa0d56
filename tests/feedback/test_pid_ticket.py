"""An external assessor's answers (by ticket, not signed in) go through the patient-identifier
check, over HTTP and in plain words: an NHS number is highlighted beside the answer and nothing
is kept or signed; ticking the box signs it and audits the fields and kinds, never the text;
answers that identify nobody reach the check page without a prompt."""
from __future__ import annotations

import html
import re

import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.feedback.models import AssessmentTicket
from roadmap.portfolio.models import Evidence
from roadmap.supervision.models import Signature
from tests.feedback.helpers import ask_assessor, assessor_form
from tests.fixtures.msk import assessor_answers

CLEAN = "Clear reasoning about the red flags; safety-netting was specific."
NAMED = "Good history; the patient (NHS number 943 476 5919) was safety-netted well."


def _link(client, team, item, mailbox, login) -> str:
    login(client, team.candidate)
    assert ask_assessor(client, item.id, "ext@example.nhs.uk").status_code == 302
    (message,) = mailbox.to("ext@example.nhs.uk")
    return mailbox.link(message)


def _form(make_item, item, reasoning, **identity):
    return assessor_form({**assessor_answers(make_item, "cbd"), "reasoning": reasoning},
                         item.lock_version, **identity)


def _shown(assessor, path, make_item, item, text):
    """The digest the page sends with the findings it shows (the first post is refused)."""
    page = assessor.post(path, data=_form(make_item, item, text)).get_data(as_text=True)
    return re.search(r'name="pid_shown" type="hidden" value="([0-9a-f]*)"', page).group(1)


def test_a_kept_tick_does_not_cover_an_identifier_added_after_change(
        app, client, session, team, make_item, login, mailbox):
    """Issue 22: check -> Change kept the box ticked, so an identifier added then was signed
    unseen. The tick covers only the findings shown with it."""
    item = make_item("cbd", status="draft", headings=("1",))
    path = _link(client, team, item, mailbox, login)
    assessor = app.test_client()
    shown = _shown(assessor, path, make_item, item, NAMED)
    assert assessor.post(path, data=_form(make_item, item, NAMED, confirm_pid="y",
                                          pid_shown=shown)).status_code == 302
    change = assessor.get(path).get_data(as_text=True)  # "Change" on the check page
    assert re.search(r'name="confirm_pid" type="checkbox" value="y" checked', change)
    kept = re.search(r'name="pid_shown" type="hidden" value="([0-9a-f]*)"', change).group(1)
    more = NAMED + " Seen at home, SW1A 1AA."
    again = assessor.post(path, data=_form(make_item, item, more, confirm_pid="y",
                                           pid_shown=kept))
    body = again.get_data(as_text=True)
    assert again.status_code == 400 and "possible postcode: </span>SW1A 1AA</mark>" in body
    assert not re.search(r'name="confirm_pid" type="checkbox" value="y" checked', body)
    assert "SW1A" not in assessor.get(path + "/check").get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 0


def _confirmations(session):
    session.rollback()
    session.expire_all()
    return session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "assessment.pid_confirmed")).all()


def test_an_nhs_number_is_highlighted_in_plain_words_and_nothing_is_kept(
        app, client, session, team, make_item, login, mailbox):
    item = make_item("cbd", status="draft", headings=("1",))
    path = _link(client, team, item, mailbox, login)
    assessor = app.test_client()
    refused = assessor.post(path, data=_form(make_item, item, NAMED))
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert re.search(r'<mark class="roadmap-pid">.*?943 476 5919</mark>', page)
    words = html.unescape(page)
    assert "This could show who a patient is: it seems to hold an NHS number" in words
    assert "nobody could tell from it who the patient is" in words  # the box, in plain words
    assert 'href="#answer_reasoning"' in page
    assert session.scalar(sa.select(AssessmentTicket.draft)) is None  # nothing kept
    assert assessor.get(path + "/check").status_code == 302  # nothing to sign
    assert session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 0
    assert _confirmations(session) == []


def test_ticking_the_box_signs_and_audits_fields_and_kinds(app, client, session, team,
                                                           make_item, login, mailbox):
    item = make_item("cbd", status="draft", headings=("1",))
    path = _link(client, team, item, mailbox, login)
    assessor = app.test_client()
    shown = _shown(assessor, path, make_item, item, NAMED)
    posted = assessor.post(path, data=_form(make_item, item, NAMED, confirm_pid="y",
                                            pid_shown=shown))
    assert posted.status_code == 302 and posted.headers["Location"].endswith(path + "/check")
    assert NAMED in html.unescape(assessor.get(path + "/check").get_data(as_text=True))
    assert _confirmations(session) == []  # not yet signed
    signed = assessor.post(path + "/check", data={"declaration": "y"})
    assert signed.status_code == 200 and "Assessment signed" in signed.get_data(as_text=True)
    [event] = _confirmations(session)
    assert event.actor_id is None and event.subject_id == item.id
    assert event.data["findings"] == [{"field": "reasoning", "kind": "nhs_number"}]
    assert "943" not in str(event.data)
    assert session.get(Evidence, item.id).fields["reasoning"] == NAMED


def test_answers_that_identify_nobody_go_to_the_check_page_without_a_prompt(
        app, client, session, team, make_item, login, mailbox):
    item = make_item("cbd", status="draft", headings=("1",))
    path = _link(client, team, item, mailbox, login)
    assessor = app.test_client()
    posted = assessor.post(path, data=_form(make_item, item, CLEAN))
    assert posted.status_code == 302
    page = assessor.get(path + "/check").get_data(as_text=True)
    assert "roadmap-pid" not in page
    assert assessor.post(path + "/check", data={"declaration": "y"}).status_code == 200
    assert _confirmations(session) == []
    assert session.get(Evidence, item.id).status == "signed"

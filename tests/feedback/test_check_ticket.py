"""Check your answers before an external assessor signs through a ticket: the assessment and
who they say they are read back, the declaration made there, one signature for two clicks."""
from __future__ import annotations

import html
import re

import sqlalchemy as sa

from roadmap.feedback.models import AssessmentTicket
from roadmap.portfolio.models import Evidence
from roadmap.supervision.models import Signature
from tests.feedback.helpers import ASSESSOR, ask_assessor, assessor_form
from tests.fixtures.msk import assessor_answers


def _link(client, team, item, mailbox, login) -> str:
    login(client, team.candidate)
    assert ask_assessor(client, item.id, "ext@example.nhs.uk").status_code == 302
    (message,) = mailbox.to("ext@example.nhs.uk")
    return mailbox.link(message)


def _text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ",
                                                    response.get_data(as_text=True))))


def _signatures(session) -> int:
    session.rollback()
    return session.scalar(sa.select(sa.func.count()).select_from(Signature))


def test_the_assessor_checks_declares_and_signs_once(app, client, session, team, make_item,
                                                     login, mailbox):
    item = make_item("cbd", status="draft", headings=("1", "3"))
    path = _link(client, team, item, mailbox, login)
    assessor = app.test_client()
    form = assessor_form(assessor_answers(make_item, "cbd"), item.lock_version)
    posted = assessor.post(path, data=form)
    assert posted.status_code == 302 and posted.headers["Location"].endswith(path + "/check")
    assert _signatures(session) == 0
    page = _text(assessor.get(path + "/check"))
    assert "Check your assessment before you sign" in page
    assert "1. Communication" in page and "3. History-taking" in page  # graded headings
    assert "Name Dr Ext Assessor" in page and "Registration number 7654321" in page
    assert "Capacity External assessor" in page
    undeclared = assessor.post(path + "/check", data={})
    assert undeclared.status_code == 400  # the declaration is made here, beside its box
    assert 'href="#declaration"' in undeclared.get_data(as_text=True)
    assert _signatures(session) == 0
    signed = assessor.post(path + "/check", data={"declaration": "y"})
    assert signed.status_code == 200 and "Assessment signed" in _text(signed)
    again = assessor.post(path + "/check", data={"declaration": "y"})
    assert again.status_code == 200 and "Assessment signed" in _text(again)
    assert _signatures(session) == 1
    session.expire_all()
    evidence = session.get(Evidence, item.id)
    assert evidence.status == "signed" and evidence.fields["heading_3"]
    assert session.scalar(sa.select(AssessmentTicket.draft)) is None


def test_change_brings_back_what_the_assessor_typed(app, client, session, team, make_item,
                                                    login, mailbox):
    item = make_item("cot", status="draft")
    path = _link(client, team, item, mailbox, login)
    assessor = app.test_client()
    form = assessor_form(assessor_answers(make_item, "cot"), item.lock_version,
                         role="Advanced practitioner physiotherapist")
    assert assessor.post(path, data=form).status_code == 302
    page = assessor.get(path).get_data(as_text=True)
    assert 'value="Advanced practitioner physiotherapist"' in page
    assert ASSESSOR["registration_number"] in page
    assert "Your answers are as you left them" in html.unescape(page)


def test_the_assessors_answer_over_5000_characters_is_refused_beside_its_box(
        app, client, session, team, make_item, login, mailbox):
    item = make_item("cbd", status="draft", headings=("1",))
    path = _link(client, team, item, mailbox, login)
    assessor = app.test_client()
    form = assessor_form({**assessor_answers(make_item, "cbd"), "development": "b" * 10_000},
                         item.lock_version)
    refused = assessor.post(path, data=form)
    assert refused.status_code == 400
    assert "What to develop must be 5,000 characters or fewer" in _text(refused)
    assert 'href="#answer_development"' in refused.get_data(as_text=True)
    assert _signatures(session) == 0

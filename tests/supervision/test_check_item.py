"""Check your answers before signing an item, over HTTP: what will be signed and by whom, the
answers kept through "Change", one signature for a double click, a wrong password flagged."""
from __future__ import annotations

import datetime as dt
import html
import re

import sqlalchemy as sa

from roadmap.accounts.models import UserSession
from roadmap.portfolio.models import DraftAutosave, Evidence
from roadmap.supervision.models import Signature
from tests.fixtures.apps import TEST_PASSWORD
from tests.fixtures.msk import assessor_answers

FEEDBACK = "Clear reasoning about the red flags; safety-netting was specific."


def _form(make_item, item, **changes):
    answers = {**assessor_answers(make_item, "cbd"), "reasoning": FEEDBACK, **changes}
    return {**{f"answer_{code}": value for code, value in answers.items() if value is not None},
            "lock_version": item.lock_version}


def _fresh(session):
    session.rollback()
    session.expire_all()


def _signatures(session) -> int:
    _fresh(session)
    return session.scalar(sa.select(sa.func.count()).select_from(Signature))


def _recheck_due(session):
    for record in session.scalars(sa.select(UserSession)):
        record.reauthenticated_at = record.reauthenticated_at - dt.timedelta(minutes=10)
    session.commit()


def _text(response) -> str:
    """The page's words, tags and spacing aside."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ",
                                                    response.get_data(as_text=True))))


def test_continue_reads_back_what_will_be_signed_and_by_whom(client, login, session, team,
                                                              make_item):
    item = make_item("cbd", headings=("1", "3"))
    login(client, team.primary)
    response = client.post(f"/supervision/items/{item.id}", data=_form(make_item, item))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/supervision/items/{item.id}/check")
    assert _signatures(session) == 0  # nothing is signed yet
    page = _text(client.get(f"/supervision/items/{item.id}/check"))
    assert "Check your assessment before you sign" in page
    assert item.title in page and "Jo Candidate" in page
    assert FEEDBACK in page
    assert "1. Communication" in page and "3. History-taking" in page  # the heading grades
    assert "Name Dr Primary" in page and "Capacity Primary supervisor" in page
    assert "Sign as Dr Primary" in page
    raw = client.get(f"/supervision/items/{item.id}/check").get_data(as_text=True)
    assert f'href="/supervision/items/{item.id}#answer_reasoning"' in raw  # "Change"
    assert f'href="/supervision/items/{item.id}#answer_heading_3"' in raw


def test_the_backup_is_named_in_their_own_capacity(client, login, team, make_item):
    item = make_item("cbd")
    login(client, team.backup)
    assert client.post(f"/supervision/items/{item.id}",
                       data=_form(make_item, item)).status_code == 302
    page = _text(client.get(f"/supervision/items/{item.id}/check"))
    assert "Name Bea Backup" in page and "Capacity Backup supervisor" in page


def test_change_returns_to_the_form_with_every_answer_in_place(client, login, session, team,
                                                               make_item):
    item = make_item("cbd", headings=("1", "3"))
    login(client, team.primary)
    client.post(f"/supervision/items/{item.id}",
                data=_form(make_item, item, heading_3="needs_further_development"))
    page = client.get(f"/supervision/items/{item.id}").get_data(as_text=True)
    assert FEEDBACK in html.unescape(page)
    assert re.search(r'value="needs_further_development"[^>]*checked', page.split(
        'name="answer_heading_3"', 1)[1]) or 'id="answer_heading_3-2" name="answer_heading_3" ' \
        'type="radio" value="needs_further_development" checked' in page
    assert "Your answers are as you left them" in page
    # Changed on the form, read back changed; still one kept copy, nothing signed.
    changed = "Reasoning was thorough; consider imaging criteria."
    client.post(f"/supervision/items/{item.id}", data=_form(make_item, item, reasoning=changed))
    assert changed in _text(client.get(f"/supervision/items/{item.id}/check"))
    _fresh(session)
    assert session.scalar(sa.select(sa.func.count()).select_from(DraftAutosave)) == 1
    assert _signatures(session) == 0


def test_confirm_signs_once_however_often_it_is_sent(client, login, session, team, make_item):
    item = make_item("cbd")
    login(client, team.primary)
    client.post(f"/supervision/items/{item.id}", data=_form(make_item, item))
    url = f"/supervision/items/{item.id}/check"
    first = client.post(url, data={})
    assert first.status_code == 302 and first.headers["Location"].endswith("/supervision")
    again = client.post(url, data={}, follow_redirects=True)
    assert again.status_code == 200
    assert re.search(f"You signed “{re.escape(item.title)}” on \\d+ \\w+ \\d{{4}} at \\d",
                     html.unescape(again.get_data(as_text=True)))
    assert _signatures(session) == 1
    assert session.get(Evidence, item.id).status == "signed"
    assert session.get(Evidence, item.id).fields["reasoning"] == FEEDBACK
    assert session.scalar(sa.select(sa.func.count()).select_from(DraftAutosave)) == 0


def test_a_wrong_password_is_flagged_beside_the_field_and_nothing_is_lost(client, login, session,
                                                                          team, make_item):
    item = make_item("cbd")
    login(client, team.primary)
    client.post(f"/supervision/items/{item.id}", data=_form(make_item, item))
    _recheck_due(session)
    url = f"/supervision/items/{item.id}/check"
    asked = client.get(url).get_data(as_text=True)
    assert 'name="identity"' in asked and "Confirm it is you, then sign" in asked
    wrong = client.post(url, data={"identity": "not my password"})
    assert wrong.status_code == 400
    page = wrong.get_data(as_text=True)
    assert 'href="#identity"' in page  # the summary leads to the field
    group = page.split('id="identity"', 1)[0].rsplit("nhsuk-form-group", 1)[1]
    assert "nhsuk-form-group--error" in "nhsuk-form-group" + group or "identity-error" in page
    assert re.search(r'id="identity-error"[^>]*>.*?(password|code)', page, re.S)
    assert FEEDBACK in html.unescape(page)  # the answers are still there to read
    assert _signatures(session) == 0
    assert client.post(url, data={"identity": TEST_PASSWORD}).status_code == 302
    assert _signatures(session) == 1


def test_answers_the_form_refuses_never_reach_the_check_page(client, login, session, team,
                                                            make_item):
    item = make_item("cbd", headings=("1", "3"))
    login(client, team.primary)
    data = _form(make_item, item)
    data.pop("answer_heading_3")
    refused = client.post(f"/supervision/items/{item.id}", data=data)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert 'href="#answer_heading_3"' in page
    nothing = client.get(f"/supervision/items/{item.id}/check")
    assert nothing.status_code == 302 and nothing.headers["Location"].endswith(
        f"/supervision/items/{item.id}")
    assert _signatures(session) == 0


def test_returning_the_item_forgets_the_answers_being_checked(client, login, session, team,
                                                             make_item):
    item = make_item("cbd")
    login(client, team.primary)
    client.post(f"/supervision/items/{item.id}", data=_form(make_item, item))
    client.post(f"/supervision/items/{item.id}/return",
                data={"comment": "Add the plan.", "lock_version": item.lock_version})
    _fresh(session)
    assert session.scalar(sa.select(sa.func.count()).select_from(DraftAutosave)) == 0
    assert session.get(Evidence, item.id).status == "returned"


def test_a_session_that_ends_mid_assessment_loses_nothing(client, login, session, team,
                                                          make_item):
    from roadmap.db import utcnow

    item = make_item("cbd")
    login(client, team.primary)
    url = f"/supervision/items/{item.id}"
    assert client.get(url).status_code == 200
    # The supervisor writes for longer than the idle limit; the session ends on the server.
    session.execute(sa.update(UserSession).values(last_seen_at=utcnow() - dt.timedelta(hours=2)))
    session.commit()
    response = client.post(url, data=_form(make_item, item))
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert _signatures(session) == 0
    client.get(response.headers["Location"])  # the sign-in page, told where to return
    signed_in = login(client, team.primary)
    assert signed_in.headers["Location"].endswith(url)
    page = client.get(url).get_data(as_text=True)
    assert FEEDBACK in html.unescape(page) and "Your answers are as you left them" in page


def test_an_assessors_answer_over_5000_characters_is_refused_beside_its_box(
        client, login, session, team, make_item):
    item = make_item("cbd", headings=("1",))
    login(client, team.primary)
    refused = client.post(f"/supervision/items/{item.id}",
                          data=_form(make_item, item, reasoning="a" * 10_000))
    assert refused.status_code == 400
    raw = refused.get_data(as_text=True)
    assert 'href="#answer_reasoning"' in raw  # in the error summary, linked to the box
    assert "The candidate's reasoning and judgement must be 5,000 characters or fewer" in _text(
        refused)
    assert _signatures(session) == 0
    # 5,000 characters exactly are fine: the limit is on the box, not on a long answer's words
    kept = client.post(f"/supervision/items/{item.id}",
                       data=_form(make_item, item, reasoning="a " * 2500))
    assert kept.status_code == 302

"""Assessor mode is a lock in the candidate's session: the assessor holding the phone cannot
walk back into the portfolio (Back, a typed address), and leaving needs the candidate's password.

Over HTTP: the candidate's signed-in client is the phone.
"""
from __future__ import annotations

import html

import sqlalchemy as sa

from roadmap.feedback.models import AssessmentTicket
from tests.fixtures.apps import TEST_PASSWORD
from tests.feedback.helpers import assessor_form
from tests.fixtures.msk import assessor_answers


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _assess(item) -> str:
    return f"/feedback/items/{item.id}/on-device/assess"


def _hand_back(item) -> str:
    return f"/feedback/items/{item.id}/on-device/signed"


def _tickets(session) -> int:
    session.rollback()
    return session.scalar(sa.select(sa.func.count()).select_from(AssessmentTicket))


def test_opening_the_assess_page_locks_the_session_to_the_assessors_pages(client, team, make_item,
                                                                           login):
    item = make_item("cot", status="draft")
    login(client, team.candidate)
    assert client.get(f"/feedback/items/{item.id}/on-device").status_code == 200
    assert client.get(_assess(item)).status_code == 200
    # Back to the candidate's page, the item, home, the account, the offline drafts: all go to
    # the hand-back page, which offers no way in but the candidate's password.
    for path in (f"/feedback/items/{item.id}/on-device", f"/portfolio/evidence/{item.id}",
                 "/home", "/account", "/portfolio/evidence", "/offline"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer.headers["Location"] == _hand_back(item), path
    page = _text(client.get(_hand_back(item)))
    assert "Hand the phone back to Jo Candidate" in page and "back to your item" not in page
    assert "/account/confirm?next=" in page
    # Still open: the assess page itself, the files and the worker, signing out.
    assert client.get(_assess(item)).status_code == 200
    assert client.get("/service-worker.js").status_code == 200
    assert client.get("/manifest.webmanifest").status_code == 200
    assert client.get("/account/confirm").status_code == 200


def test_leaving_assessor_mode_needs_the_candidates_password(client, team, make_item, login):
    item = make_item("cot", status="draft")
    login(client, team.candidate)
    client.get(_assess(item))
    leave = f"/account/confirm?next=/feedback/items/{item.id}/on-device"
    wrong = client.post(leave, data={"secret": "not-the-password"})
    assert wrong.status_code == 200 and "not your password" in _text(wrong)
    assert client.get("/home").headers["Location"] == _hand_back(item)
    right = client.post(leave, data={"secret": TEST_PASSWORD})
    assert right.status_code == 302 and right.headers["Location"].endswith(
        f"/feedback/items/{item.id}/on-device")
    assert client.get("/home").status_code == 200
    assert client.get(f"/portfolio/evidence/{item.id}").status_code == 200


def test_back_after_signing_shows_the_hand_back_page_and_makes_no_second_assessment(
        client, session, team, make_item, login):
    item = make_item("cot", status="draft")
    login(client, team.candidate)
    form = client.get(_assess(item))
    assert form.status_code == 200
    data = assessor_form(assessor_answers(make_item, "cot"), item.lock_version)
    signed = client.post(_assess(item), data=data)
    assert signed.status_code == 302 and signed.headers["Location"] == _hand_back(item)
    assert "Signed: now hand the phone back" in _text(client.get(_hand_back(item)))
    assert _tickets(session) == 1
    # Back: the browser asks for the assess page again; a fresh page key would make a second
    # pending assessment. It shows the hand-back page instead, and a resent form makes nothing.
    again = client.get(_assess(item))
    assert again.status_code == 302 and again.headers["Location"] == _hand_back(item)
    data.pop("client_key", None)
    resent = client.post(_assess(item), data=data)
    assert resent.status_code == 302 and resent.headers["Location"] == _hand_back(item)
    assert _tickets(session) == 1
    # To hand over again, the candidate leaves assessor mode first.
    client.post(f"/account/confirm?next={_assess(item)}", data={"secret": TEST_PASSWORD})
    assert client.get(f"/feedback/items/{item.id}/on-device").status_code == 200

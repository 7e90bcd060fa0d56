"""Check your decision before approving or referring back, over HTTP: the decision, its
reasons and who makes it read back; the password asked there; one decision for two clicks."""
from __future__ import annotations

import datetime as dt
import html
import re

import sqlalchemy as sa

from roadmap.accounts.models import UserSession
from roadmap.providers.models import ProviderDecision
from roadmap.supervision.models import StageSignOff
from tests.fixtures.apps import TEST_PASSWORD

REASON = "Heading 3 rests on one CBD: add two more varied pieces."


def _text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ",
                                                    response.get_data(as_text=True))))


def _decisions(session) -> list[ProviderDecision]:
    session.rollback()
    session.expire_all()
    return list(session.scalars(sa.select(ProviderDecision)))


def test_an_approval_is_read_back_then_made_once(client, login, session, waiting):
    login(client, waiting.first)
    kept = waiting.round
    posted = client.post(f"/provider/rounds/{kept.id}/approve", data={})
    check = f"/provider/rounds/{kept.id}/check"
    assert posted.status_code == 302 and posted.headers["Location"].endswith(check)
    assert _decisions(session) == []
    page = _text(client.get(check))
    assert "Check your decision before you make it" in page
    assert "Decision Approve" in page and "Jo Candidate" in page
    assert "Name Rhea Reviewer" in page
    assert "Capacity Reviewer for University of Example, first review" in page
    assert "Approve as Rhea Reviewer" in page
    assert client.post(check, data={}).status_code == 302
    again = client.post(check, data={}, follow_redirects=True)
    assert again.status_code == 200 and "already has your decision" in _text(again)
    [decision] = _decisions(session)
    assert decision.outcome == "approved"


def test_a_referral_keeps_its_reasons_through_change_and_a_wrong_password(client, login,
                                                                         session, waiting):
    login(client, waiting.first)
    kept = waiting.round
    posted = client.post(f"/provider/rounds/{kept.id}/refer",
                         data={"refer-reason": REASON, "heading-3": "Only CBDs so far"})
    assert posted.status_code == 302
    check = f"/provider/rounds/{kept.id}/check"
    page = _text(client.get(check))
    assert "Decision Refer back" in page and REASON in page and "Only CBDs so far" in page
    review = client.get(f"/provider/rounds/{kept.id}").get_data(as_text=True)
    assert REASON in html.unescape(review) and "Only CBDs so far" in html.unescape(review)
    session.rollback()  # a fresh read: the sign-in was committed by the app
    for record in session.scalars(sa.select(UserSession)):
        record.reauthenticated_at = record.reauthenticated_at - dt.timedelta(minutes=10)
    session.commit()
    wrong = client.post(check, data={"identity": "not my password"})
    assert wrong.status_code == 400, wrong.headers.get("Location")
    assert 'id="identity-error"' in wrong.get_data(as_text=True)
    assert REASON in _text(wrong) and _decisions(session) == []
    assert client.post(check, data={"identity": TEST_PASSWORD}).status_code == 302
    [decision] = _decisions(session)
    assert (decision.outcome, decision.reason, decision.heading_reasons) == (
        "referred", REASON, {"3": "Only CBDs so far"})
    assert session.scalar(sa.select(StageSignOff.status).where(
        StageSignOff.stage_code == "stage2")) == "referred"

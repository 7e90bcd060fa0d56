"""The identity re-check on the sign form: a code works once, and wrong ones count per account."""
from __future__ import annotations

import datetime as dt

import pyotp
import sqlalchemy as sa

from roadmap.accounts.models import UserSession
from roadmap.supervision.models import Signature
from tests.fixtures.apps import TEST_PASSWORD, through_check
from tests.fixtures.msk import assessor_answers


def _sign_form(make_item, item):
    answers = {f"answer_{code}": value
               for code, value in assessor_answers(make_item, "cbd").items() if value is not None}
    return {**answers, "lock_version": item.lock_version}


def _recheck_due(session):
    for record in session.scalars(sa.select(UserSession)):
        record.reauthenticated_at = record.reauthenticated_at - dt.timedelta(minutes=10)
    session.commit()


def test_the_code_that_signed_in_cannot_sign_an_item(client, session, team, make_item):
    item = make_item("cbd")
    client.post("/sign-in", data={"email": team.primary.email, "password": TEST_PASSWORD})
    code = pyotp.TOTP(team.secret).now()
    assert client.post("/sign-in/code", data={"code": code}).status_code == 302
    _recheck_due(session)
    refused = through_check(client, f"/supervision/items/{item.id}", _sign_form(make_item, item),
                            code)
    assert refused.status_code == 400
    # A code was typed, so the page says it was refused, not that the box was empty.
    assert b"Enter your password or a current code" not in refused.data
    assert session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 0


def test_wrong_codes_on_the_sign_form_count_even_though_it_answers_400(
        client, login, session, team, make_item):
    item = make_item("cbd")
    login(client, team.primary)
    _recheck_due(session)
    for guess in range(5):
        answer = through_check(client, f"/supervision/items/{item.id}",
                               _sign_form(make_item, item), f"{guess:06d}")
        assert answer.status_code == 400
    held = through_check(client, f"/supervision/items/{item.id}", _sign_form(make_item, item),
                         TEST_PASSWORD)
    assert b"Too many wrong codes. Wait 2 seconds" in held.data
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 0

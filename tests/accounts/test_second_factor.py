"""A security code works once; wrong codes count per account, wait longer, then lock until the
owner unlocks from an emailed link."""
from __future__ import annotations

import datetime as dt
import threading
import time

import pyotp
import pytest
import sqlalchemy as sa

from roadmap.accounts.models import User
from roadmap.audit.models import AuditEvent
from tests.fixtures.apps import TEST_PASSWORD

WRONG = "The security code is not correct or has expired"


@pytest.fixture
def secret():
    return pyotp.random_base32()


@pytest.fixture
def supervisor(make_user, secret):
    return make_user("sup@example.nhs.uk", roles=("supervisor",), full_name="Dr Sup",
                     totp_secret=secret)


@pytest.fixture
def route_limits_off(app):
    """The per-address route limit (tests/web/test_limits.py) would stop these long runs first."""
    app.extensions["roadmap.limiter"].enabled = False


def _password_step(client):
    response = client.post("/sign-in", data={"email": "sup@example.nhs.uk",
                                              "password": TEST_PASSWORD})
    assert response.headers["Location"].endswith("/sign-in/code")


def _code(client, code):
    return client.post("/sign-in/code", data={"code": code})


def _signed_in(client) -> bool:
    return client.get("/home").status_code == 200


def _wait_passes(session, user, seconds):
    """The clock moves on: the last wrong code was `seconds` earlier than recorded."""
    last = session.scalar(sa.select(User.last_wrong_code_at).where(User.id == user.id))
    session.execute(sa.update(User).where(User.id == user.id).values(
        last_wrong_code_at=last - dt.timedelta(seconds=seconds)))
    session.commit()


def test_a_code_signs_in_one_session_only(app, supervisor, secret):
    first, second = app.test_client(), app.test_client()
    _password_step(first)
    _password_step(second)
    code = pyotp.TOTP(secret).now()
    assert _code(first, code).status_code == 302
    replay = _code(second, code)
    assert WRONG.encode() in replay.data
    assert _signed_in(first) and not _signed_in(second)
    # The next code from the app works as ever.
    assert _code(second, pyotp.TOTP(secret).at(time.time() + 30)).status_code == 302


def test_two_sessions_racing_with_one_code_only_one_wins(app, supervisor, secret):
    clients = [app.test_client() for _ in range(4)]
    for client in clients:
        _password_step(client)
    code, start = pyotp.TOTP(secret).now(), threading.Barrier(len(clients))
    results: list[int] = []

    def race(client):
        start.wait()
        results.append(_code(client, code).status_code)

    threads = [threading.Thread(target=race, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == len(clients) and results.count(302) == 1
    assert sum(_signed_in(client) for client in clients) == 1


def test_the_code_used_to_sign_in_is_refused_at_reauthentication(client, supervisor, secret):
    _password_step(client)
    code = pyotp.TOTP(secret).now()
    assert _code(client, code).status_code == 302
    replay = client.post("/account/confirm", data={"secret": code})
    assert b"That is not your password or a current security code" in replay.data
    fresh = client.post("/account/confirm?next=/account",
                        data={"secret": pyotp.TOTP(secret).at(time.time() + 30)})
    assert fresh.headers["Location"] == "/account"


def test_the_code_that_set_up_the_app_cannot_sign_in_again(app, client, make_user, session):
    make_user("sup@example.nhs.uk", roles=("supervisor",))
    first = client.post("/sign-in", data={"email": "sup@example.nhs.uk", "password": TEST_PASSWORD})
    assert first.headers["Location"].endswith("/sign-in/set-up-app")  # no app yet
    client.get("/sign-in/set-up-app")
    with client.session_transaction() as cookie:
        secret = cookie["setup_secret"]
    code = pyotp.TOTP(secret).now()
    assert b"Save your recovery codes" in client.post("/sign-in/set-up-app", data={"code": code}).data
    other = app.test_client()
    _password_step(other)
    assert WRONG.encode() in _code(other, code).data
    assert not _signed_in(other)


def test_wrong_codes_count_per_account_across_sessions(app, supervisor, secret):
    laptop, phone = app.test_client(), app.test_client()
    _password_step(laptop)
    _password_step(phone)
    for client in (laptop, phone, laptop, phone, laptop):
        assert WRONG.encode() in _code(client, "000000").data
    held = _code(phone, pyotp.TOTP(secret).now())  # even the right code waits now
    assert held.status_code == 429
    assert b"Too many wrong codes. Wait 2 seconds, then try again" in held.data
    assert int(held.headers["Retry-After"]) >= 2
    assert not _signed_in(phone)


def test_wrong_codes_at_reauthentication_count_too(client, supervisor, secret, login):
    login(client, supervisor)
    for _ in range(5):
        answer = client.post("/account/confirm", data={"secret": "123456"})
        assert b"That is not your password" in answer.data
    held = client.post("/account/confirm", data={"secret": TEST_PASSWORD})
    assert held.status_code == 429 and b"Wait 2 seconds" in held.data


def test_24_wrong_codes_then_the_right_one_is_refused_and_the_email_unlocks(
        app, client, supervisor, secret, session, mailbox, route_limits_off):
    _password_step(client)
    answers = [_code(client, f"{n:06d}") for n in range(24)]  # as fast as a script can
    assert [a.status_code for a in answers[:5]] == [200] * 5
    assert {a.status_code for a in answers[5:]} == {429}  # each further try had to wait
    assert _code(client, pyotp.TOTP(secret).now()).status_code == 429
    assert not _signed_in(client)
    # A patient guesser waits out each delay: 2, 4, 8, 16 seconds, then the lock.
    for number, seconds in enumerate((2, 4, 8, 16, 32)):
        _wait_passes(session, supervisor, seconds)
        answer = _code(client, f"{100 + number:06d}")
        assert answer.status_code == (200 if number < 4 else 429)
    assert b"signing in with a code is locked" in answer.data
    _wait_passes(session, supervisor, 3600)
    locked = _code(client, pyotp.TOTP(secret).now())
    assert locked.status_code == 429 and b"emailed you a link to unlock it" in locked.data
    assert not _signed_in(client)

    [message] = mailbox.to("sup@example.nhs.uk")
    assert message["Subject"] == "Signing in to Roadmap is locked"
    assert "change your password" in message.get_content()
    link = mailbox.link(message)
    assert b"Unlock" in client.get(link).data  # opening the link changes nothing
    assert _code(client, pyotp.TOTP(secret).now()).status_code == 429
    done = client.post(link, follow_redirects=True)
    assert b"Signing in with a security code is unlocked" in done.data
    assert client.post(link).status_code == 410  # once only
    _password_step(client)
    assert _code(client, pyotp.TOTP(secret).now()).status_code == 302
    actions = set(session.scalars(sa.select(AuditEvent.action)))
    assert {"two_factor.failed", "two_factor.locked", "two_factor.unlocked"} <= actions


def test_a_locked_account_gets_a_new_link_once_the_last_expired(
        client, supervisor, session, mailbox, route_limits_off):
    session.execute(sa.update(User).where(User.id == supervisor.id).values(
        two_factor_locked_at=dt.datetime.now(dt.timezone.utc), wrong_codes=10))
    session.commit()
    _password_step(client)
    page = client.get("/sign-in/code")
    assert b"emailed you a link to unlock it" in page.data
    _password_step(client)  # the link sent a moment ago is still live: no second email
    assert len(mailbox.to("sup@example.nhs.uk")) == 1

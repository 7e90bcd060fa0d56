"""Signing in and out, with a second factor for the roles that need one."""
from __future__ import annotations

import pyotp
import pytest

from tests.fixtures.apps import TEST_PASSWORD


def sign_in(client, email, password=TEST_PASSWORD, **kwargs):
    return client.post("/sign-in", data={"email": email, "password": password}, **kwargs)


def test_sign_in_page_renders(client):
    response = client.get("/sign-in")
    assert response.status_code == 200
    assert b"Sign in to Roadmap" in response.data


def test_candidate_signs_in_and_sees_their_home(client, make_user):
    make_user("cand@example.nhs.uk", full_name="Jo Candidate")
    response = sign_in(client, "CAND@example.nhs.uk ", follow_redirects=True)
    assert response.status_code == 200
    assert b"Hello, Jo Candidate" in response.data
    assert b"Your Roadmap portfolio" in response.data


@pytest.mark.parametrize("email, password", [
    ("cand@example.nhs.uk", "wrong password entirely"),
    ("nobody@example.nhs.uk", TEST_PASSWORD),
])
def test_wrong_details_get_the_same_message(client, make_user, email, password):
    make_user("cand@example.nhs.uk")
    response = sign_in(client, email, password)
    assert response.status_code == 200
    assert b"Enter a correct email address and password" in response.data
    assert b"There is a problem" in response.data
    assert client.get("/home").status_code == 302


def test_disabled_account_cannot_sign_in(client, make_user, session):
    user = make_user("gone@example.nhs.uk")
    user.is_active = False
    session.commit()
    assert b"Enter a correct email address" in sign_in(client, "gone@example.nhs.uk").data


def test_supervisor_needs_the_code_from_their_app(client, make_user):
    secret = pyotp.random_base32()
    make_user("sup@example.nhs.uk", roles=("supervisor",), full_name="Dr Sup", totp_secret=secret)
    response = sign_in(client, "sup@example.nhs.uk")
    assert response.headers["Location"].endswith("/sign-in/code")
    assert client.get("/home").status_code == 302  # not signed in yet
    bad = client.post("/sign-in/code", data={"code": "000000"})
    assert b"The security code is not correct" in bad.data
    good = client.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now()},
                       follow_redirects=True)
    assert b"Candidates you supervise" in good.data


def test_code_step_without_password_step_goes_back(client):
    response = client.get("/sign-in/code")
    assert response.headers["Location"].endswith("/sign-in")


def test_sign_out_ends_the_session_on_the_server(client, make_user):
    make_user("cand@example.nhs.uk")
    sign_in(client, "cand@example.nhs.uk")
    with client.session_transaction() as cookie:
        stolen = dict(cookie)
    client.post("/sign-out")
    assert client.get("/home").status_code == 302
    with client.session_transaction() as cookie:  # replay the old cookie
        cookie.update(stolen)
    assert client.get("/home").status_code == 302


def test_sign_in_gives_a_fresh_session(client, make_user):
    make_user("cand@example.nhs.uk")
    with client.session_transaction() as cookie:
        cookie["planted"] = "by an attacker"
    sign_in(client, "cand@example.nhs.uk")
    with client.session_transaction() as cookie:
        assert "planted" not in cookie and cookie["sid"]


@pytest.mark.parametrize("target, expected", [
    ("/home", "/home"),
    ("//evil.example", "/home"),
    ("/\\evil.example", "/home"),
    ("https://evil.example/", "/home"),
    ("javascript:alert(1)", "/home"),
])
def test_next_only_goes_to_our_own_pages(client, make_user, target, expected):
    make_user("cand@example.nhs.uk")
    client.get("/sign-in", query_string={"next": target})
    response = sign_in(client, "cand@example.nhs.uk")
    assert response.headers["Location"] == expected


def test_home_requires_sign_in(client):
    response = client.get("/home")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_the_sign_in_notice_is_shown_once_however_often_it_was_asked_for(client):
    """An outsider signed out while the export page's script polled: the script's refused ask
    and the page's own each flashed "Sign in to continue.", and the sign-in page showed both
    (two banners, two landmarks of one name)."""
    for _ in range(3):
        assert client.get("/exports/some-job.json").status_code == 302
    assert client.get("/exports/some-job").status_code == 302
    page = client.get("/sign-in").get_data(as_text=True)
    assert page.count("Sign in to continue.") == 1

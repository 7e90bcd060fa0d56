"""Failed sign-ins cannot lock the owner out: device cookies (OWASP), and limits per address and
account with a much higher ceiling per address (a hospital's staff share one address)."""
from __future__ import annotations

import pytest

from roadmap.accounts import throttle
from tests.fixtures.apps import TEST_PASSWORD

OWNER = "owner@example.nhs.uk"
HOSPITAL = {"REMOTE_ADDR": "198.51.100.20"}  # one NAT address for a whole hospital
ELSEWHERE = {"REMOTE_ADDR": "203.0.113.66"}


def _try(client, email, password, address=HOSPITAL):
    return client.post("/sign-in", data={"email": email, "password": password},
                       environ_base=address)


def _owner_browser(app, make_user):
    """The owner's own browser: it has signed in before, then signed out."""
    make_user(OWNER, full_name="Olu Owner")
    browser = app.test_client()
    assert _try(browser, OWNER, TEST_PASSWORD).status_code == 302
    browser.post("/sign-out")
    return browser


@pytest.fixture
def route_limits_off(app):
    """The per-address route limit (tests/web/test_limits.py) would stop these long runs first."""
    app.extensions["roadmap.limiter"].enabled = False


def test_an_attackers_failures_do_not_lock_the_owners_browser_out(app, make_user):
    browser = _owner_browser(app, make_user)
    attacker = app.test_client()
    for address in (HOSPITAL, ELSEWHERE):  # both the account's limits are spent
        for _ in range(5):
            _try(attacker, OWNER, "a wrong guess entirely", address)
    assert _try(attacker, OWNER, TEST_PASSWORD, ELSEWHERE).status_code == 429
    assert _try(app.test_client(), OWNER, TEST_PASSWORD, {"REMOTE_ADDR": "192.0.2.1"}
                ).status_code == 429  # any browser the account never used is held back
    signed_in = _try(browser, OWNER, TEST_PASSWORD)  # from the attacker's own address, even
    assert signed_in.status_code == 302
    assert browser.get("/home").status_code == 200


def test_five_wrong_passwords_from_elsewhere_leave_the_owner_free(app, make_user):
    make_user(OWNER)
    attacker = app.test_client()
    for _ in range(5):
        _try(attacker, OWNER, "a wrong guess entirely", ELSEWHERE)
    assert _try(attacker, OWNER, TEST_PASSWORD, ELSEWHERE).status_code == 429
    assert _try(app.test_client(), OWNER, TEST_PASSWORD).status_code == 302


def test_the_owners_browser_has_an_allowance_of_its_own(app, make_user):
    browser = _owner_browser(app, make_user)
    for _ in range(throttle.PER_DEVICE):
        assert _try(browser, OWNER, "my old password, typed").status_code == 200
    held = _try(browser, OWNER, TEST_PASSWORD)
    assert held.status_code == 429 and b"Too many failed attempts" in held.data
    # Only that browser is held back: the account's other limits were never touched.
    assert _try(app.test_client(), OWNER, TEST_PASSWORD, ELSEWHERE).status_code == 302


def test_a_device_cookie_counts_only_for_its_own_account(app, make_user):
    browser = _owner_browser(app, make_user)
    make_user("colleague@example.nhs.uk")
    for _ in range(5):
        _try(browser, "colleague@example.nhs.uk", "a wrong guess entirely")
    held = _try(browser, "colleague@example.nhs.uk", TEST_PASSWORD)
    assert held.status_code == 429


def test_a_forged_device_cookie_is_worth_nothing(app, make_user):
    browser = _owner_browser(app, make_user)
    cookie = browser.get_cookie("roadmap-device")
    attacker = app.test_client()
    # Change a character well inside the signature: its last character carries unused bits,
    # so changing only the end can decode to the same signature now and then.
    at = len(cookie.value) - 10
    forged = cookie.value[:at] + ("A" if cookie.value[at] != "A" else "B") + cookie.value[at + 1:]
    attacker.set_cookie("roadmap-device", forged)
    for _ in range(5):
        _try(attacker, OWNER, "a wrong guess entirely")
    assert _try(attacker, OWNER, TEST_PASSWORD).status_code == 429


def test_twenty_failures_at_one_address_do_not_lock_out_a_colleague_there(app, make_user):
    for number in range(20):
        make_user(f"staff{number}@example.nhs.uk")
    make_user("colleague@example.nhs.uk")
    nat = app.test_client()
    for number in range(20):
        assert _try(nat, f"staff{number}@example.nhs.uk", "typo typo typo").status_code == 200
    colleague = app.test_client()
    assert _try(colleague, "colleague@example.nhs.uk", TEST_PASSWORD).status_code == 302


def test_one_address_and_one_account_are_limited_together(app, make_user):
    make_user(OWNER)
    for _ in range(throttle.PER_ADDRESS_AND_ACCOUNT):
        _try(app.test_client(), OWNER, "a wrong guess entirely")
    assert _try(app.test_client(), OWNER, TEST_PASSWORD).status_code == 429
    assert _try(app.test_client(), OWNER, TEST_PASSWORD, ELSEWHERE).status_code == 302


def test_the_address_wide_ceiling_applies(app, make_user, monkeypatch, route_limits_off):
    monkeypatch.setattr(throttle, "PER_ADDRESS", 25)  # 300 in production; the rule is the same
    make_user("colleague@example.nhs.uk")
    sprayer = app.test_client()
    for number in range(25):  # one password tried over many accounts
        assert _try(sprayer, f"guess{number}@example.nhs.uk", "Summer2026!").status_code == 200
    held = _try(app.test_client(), "colleague@example.nhs.uk", TEST_PASSWORD)
    assert held.status_code == 429
    assert _try(app.test_client(), "colleague@example.nhs.uk", TEST_PASSWORD,
                ELSEWHERE).status_code == 302


def test_ipv6_addresses_count_by_their_64_block(app, make_user):
    make_user(OWNER)
    for host in range(1, 6):
        _try(app.test_client(), OWNER, "a wrong guess entirely",
             {"REMOTE_ADDR": f"2001:db8:1:2::{host}"})
    assert _try(app.test_client(), OWNER, TEST_PASSWORD,
                {"REMOTE_ADDR": "2001:db8:1:2::99"}).status_code == 429


def test_the_device_cookie_is_long_lived_and_out_of_reach_of_scripts(app, make_user):
    browser = app.test_client()
    make_user(OWNER)
    answer = _try(browser, OWNER, TEST_PASSWORD)
    [device] = [h for h in answer.headers.getlist("Set-Cookie") if h.startswith("roadmap-device=")]
    assert "HttpOnly" in device and "SameSite=Lax" in device and "Path=/" in device
    assert "Max-Age=31536000" in device


def test_a_password_reset_lifts_every_hold_on_the_account(app, make_user, mailbox):
    browser = _owner_browser(app, make_user)
    for _ in range(throttle.PER_DEVICE):
        _try(browser, OWNER, "my old password, typed")
    for address in (HOSPITAL, ELSEWHERE):
        for _ in range(5):
            _try(app.test_client(), OWNER, "a wrong guess entirely", address)
    assert _try(browser, OWNER, TEST_PASSWORD).status_code == 429
    browser.post("/forgot-password", data={"email": OWNER})
    new = "a brand new passphrase now"
    link = mailbox.link(mailbox.to(OWNER)[0])
    assert browser.post(link, data={"password": new, "confirm": new}).status_code == 302
    assert _try(browser, OWNER, new).status_code == 302
    assert _try(app.test_client(), OWNER, new, ELSEWHERE).status_code == 302

"""Invitations and password resets by email, through a real SMTP server on localhost."""
from __future__ import annotations

import datetime as dt

import pyotp
import pytest
import sqlalchemy as sa

from roadmap.accounts.models import AccountToken, User
from roadmap.audit.models import AuditEvent
from tests.fixtures.apps import TEST_PASSWORD

NEW_PASSWORD = "plaster cast on a wednesday"


@pytest.fixture
def admin(make_user):
    return make_user("admin@example.nhs.uk", roles=("admin",), full_name="Ada Admin",
                     totp_secret=pyotp.random_base32())


def invite_candidate(client, login, admin, email="new@example.nhs.uk"):
    login(client, admin)
    return client.post("/people/invite", data={
        "full_name": "Nia New", "email": email, "role": "candidate",
        "profession": "Physiotherapist", "registration_body": "HCPC",
        "registration_number": "PH999999", "hub_id": "0"}, follow_redirects=True)


def test_invited_candidate_sets_a_password_and_signs_in(app, client, login, admin, mailbox, session):
    response = invite_candidate(client, login, admin)
    assert b"Invitation sent to new@example.nhs.uk" in response.data
    [message] = mailbox.to("new@example.nhs.uk")
    assert message["Subject"] == "You have been invited to Roadmap"
    assert "Ada Admin has invited you" in message.get_content()
    link = mailbox.link(message)
    client.post("/sign-out")

    page = client.get(link)
    assert b"Welcome to Roadmap, Nia New" in page.data
    weak = client.post(link, data={"password": "password1234", "confirm": "password1234"})
    assert b"harder to guess" in weak.data
    short = client.post(link, data={"password": "short", "confirm": "short"})
    assert b"at least 12 characters" in short.data
    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
                       follow_redirects=True)
    assert b"Hello, Nia New" in done.data
    user = session.scalar(sa.select(User).where(User.email == "new@example.nhs.uk"))
    assert user.registration_body == "HCPC" and user.registration_number == "PH999999"
    # The link works once.
    client.post("/sign-out")
    again = client.get(link)
    assert again.status_code == 410
    assert b"already been used" in again.data
    actions = set(session.scalars(sa.select(AuditEvent.action)))
    assert {"invitation.sent", "invitation.accepted", "signin"} <= actions


def test_invited_supervisor_must_set_up_the_app(client, login, admin, mailbox, session):
    login(client, admin)
    client.post("/people/invite", data={"full_name": "Dr New", "email": "gp@example.nhs.uk",
                                        "role": "supervisor", "registration_body": "",
                                        "hub_id": "0"})
    link = mailbox.link(mailbox.to("gp@example.nhs.uk")[0])
    client.post("/sign-out")
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.headers["Location"].endswith("/sign-in/set-up-app")
    page = client.get("/sign-in/set-up-app")
    assert b"<svg" in page.data  # the QR code
    with client.session_transaction() as cookie:
        secret = cookie["setup_secret"]
    assert client.get("/home").status_code == 302  # no session before the app is proved
    codes_page = client.post("/sign-in/set-up-app", data={"code": pyotp.TOTP(secret).now()})
    assert b"Save your recovery codes" in codes_page.data
    assert client.get("/home").status_code == 200
    user = session.scalar(sa.select(User).where(User.email == "gp@example.nhs.uk"))
    assert user.totp_confirmed_at is not None


def test_recovery_code_signs_in_once(client, make_user, login, session):
    from roadmap.accounts.twofactor import new_recovery_codes
    user = make_user("sup@example.nhs.uk", roles=("supervisor",), totp_secret=pyotp.random_base32())
    codes = new_recovery_codes(session, user)
    session.commit()
    client.post("/sign-in", data={"email": user.email, "password": TEST_PASSWORD})
    assert client.post("/sign-in/code", data={"code": codes[0]}).status_code == 302
    client.post("/sign-out")
    client.post("/sign-in", data={"email": user.email, "password": TEST_PASSWORD})
    reused = client.post("/sign-in/code", data={"code": codes[0]})
    assert b"not correct" in reused.data


def test_invitation_link_expires(app, client, login, admin, mailbox, session):
    invite_candidate(client, login, admin)
    link = mailbox.link(mailbox.to("new@example.nhs.uk")[0])
    session.execute(sa.update(AccountToken).values(
        expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)))
    session.commit()
    response = client.get(link)
    assert response.status_code == 410 and b"expired" in response.data


def test_inviting_an_existing_account_is_refused_beside_the_field(client, login, admin, mailbox):
    response = invite_candidate(client, login, admin, email="admin@example.nhs.uk")
    assert b"This person already has an account" in response.data
    assert mailbox.to("admin@example.nhs.uk") == []


def test_hub_lead_cannot_invite_an_admin(client, login, make_user, session):
    from roadmap.cohorts.models import TrainingHub
    hub = TrainingHub(name="North Hub")
    session.add(hub)
    session.commit()
    lead = make_user("lead@example.nhs.uk", roles=("hub_lead",), hub_id=hub.id,
                     totp_secret=pyotp.random_base32())
    login(client, lead)
    response = client.post("/people/invite", data={"full_name": "Evil", "email": "e@example.nhs.uk",
                                                   "role": "admin", "hub_id": "0"})
    assert b"Not a valid choice" in response.data
    assert session.scalar(sa.select(User).where(User.email == "e@example.nhs.uk")) is None


def test_password_reset_by_email_ends_every_session(app, client, make_user, mailbox, session, login):
    user = make_user("cand@example.nhs.uk", full_name="Cal Candidate")
    other_device = app.test_client()
    login(other_device, user)
    page = client.post("/forgot-password", data={"email": "cand@example.nhs.uk"})
    assert b"Check your email" in page.data
    unknown = client.post("/forgot-password", data={"email": "nobody@example.nhs.uk"})
    assert b"Check your email" in unknown.data  # the same answer: no hint who has an account
    [message] = mailbox.messages
    link = mailbox.link(message)
    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
                       follow_redirects=True)
    assert b"Your password has been changed" in done.data
    assert other_device.get("/home").status_code == 302  # signed out everywhere
    assert any(m["Subject"] == "Your Roadmap password was changed" for m in mailbox.messages)
    assert client.post("/sign-in", data={"email": user.email, "password": TEST_PASSWORD}).status_code == 200
    assert client.post("/sign-in", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302


def test_a_newer_reset_link_replaces_the_older(client, make_user, mailbox):
    make_user("cand@example.nhs.uk")
    client.post("/forgot-password", data={"email": "cand@example.nhs.uk"})
    client.post("/forgot-password", data={"email": "cand@example.nhs.uk"})
    first, second = (mailbox.link(m) for m in mailbox.messages)
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_failed_email_does_not_lose_the_invitation(app, client, login, admin, session):
    app.config["MAIL_URL"] = "smtp://127.0.0.1:9"  # nothing listens there
    response = invite_candidate(client, login, admin)
    assert response.status_code == 200
    assert b"Invitation sent" in response.data
    user = session.scalar(sa.select(User).where(User.email == "new@example.nhs.uk"))
    assert user is not None  # the account and its link are kept; the link can be re-sent


def test_users_cli_creates_with_an_invitation_and_disables(runner, session, mailbox, app, client, login):
    result = runner.invoke(args=["users", "create", "--email", "Op@Example.nhs.uk",
                                 "--role", "candidate", "--name", "Op Erator"])
    assert result.exit_code == 0, result.output
    assert "invitation link: http://roadmap.test/invitation/" in result.output
    assert mailbox.to("op@example.nhs.uk")
    user = session.scalar(sa.select(User).where(User.email == "op@example.nhs.uk"))
    assert user.full_name == "Op Erator" and user.has_role("candidate")
    bad = runner.invoke(args=["users", "create", "--email", "x@example.nhs.uk", "--role", "hub_lead"])
    assert bad.exit_code != 0 and "--hub" in bad.output
    missing = runner.invoke(args=["users", "disable", "ghost@example.nhs.uk"])
    assert missing.exit_code != 0 and "no account" in missing.output
    other = session.scalar(sa.select(User).where(User.email == "op@example.nhs.uk"))
    assert other.is_active
    assert runner.invoke(args=["users", "disable", "op@example.nhs.uk"]).exit_code == 0
    session.rollback()  # end the read snapshot, see what the command committed
    assert not session.get(User, user.id).is_active

"""`roadmap demo`: the pilot's shape, every login working, idempotent."""
from __future__ import annotations

import pyotp
import sqlalchemy as sa

from roadmap.models import (Enrolment, Evidence, Signature, SupervisorAssignment, User)
from roadmap.audit.service import verify_chain

EMAILS = ([f"candidate{n}@example.nhs.uk" for n in range(1, 11)] +
          ["supervisor1@example.nhs.uk", "fellow1@example.nhs.uk", "fellow2@example.nhs.uk",
           "hub@example.nhs.uk", "admin@example.nhs.uk"])


def _counts(session):
    return {model.__name__: session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (User, Enrolment, Evidence, SupervisorAssignment, Signature)}


def test_demo_creates_the_pilot_and_prints_every_login(runner, session):
    result = runner.invoke(args=["demo", "--password", "a-long-demo-password"])
    assert result.exit_code == 0, result.output
    for email in EMAILS:
        assert email in result.output
    assert "a-long-demo-password" in result.output
    users = {u.email: u for u in session.scalars(sa.select(User))}
    assert set(EMAILS) <= set(users)
    for email in ("supervisor1@example.nhs.uk", "hub@example.nhs.uk", "admin@example.nhs.uk"):
        assert users[email].totp_secret in result.output
    enrolments = session.scalars(sa.select(Enrolment)).all()
    assert len(enrolments) == 10
    assert len({e.employer_id for e in enrolments}) == 2
    kinds = session.execute(sa.select(SupervisorAssignment.enrolment_id,
                                      SupervisorAssignment.kind)).all()
    primaries = {e for e, k in kinds if k == "primary"}
    backups = {e for e, k in kinds if k == "backup"}
    assert len(primaries) == 10 and 5 <= len(backups) < 10
    statuses = set(session.scalars(sa.select(Evidence.status).distinct()))
    assert statuses == {"draft", "submitted", "returned", "signed", "changed_since_signed"}
    assert verify_chain(session).ok


def test_demo_is_idempotent(runner, session):
    assert runner.invoke(args=["demo"]).exit_code == 0
    before = _counts(session)
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    session.rollback()  # end the read snapshot, see what the command committed
    assert _counts(session) == before


def test_demo_refuses_a_short_password(runner, session):
    result = runner.invoke(args=["demo", "--password", "short"])
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
    assert _counts(session)["User"] == 0


def test_demo_logins_work(runner, client, session):
    runner.invoke(args=["demo", "--password", "a-long-demo-password"])
    response = client.post("/sign-in", data={"email": "candidate1@example.nhs.uk",
                                             "password": "a-long-demo-password"},
                           follow_redirects=True)
    assert b"Hello, Jamie Patel" in response.data
    assert b"Dr Priya Shah" in response.data  # primary supervisor on the home page
    client.post("/sign-out")
    hub = session.scalar(sa.select(User).where(User.email == "hub@example.nhs.uk"))
    client.post("/sign-in", data={"email": "hub@example.nhs.uk",
                                  "password": "a-long-demo-password"})
    response = client.post("/sign-in/code", data={"code": pyotp.TOTP(hub.totp_secret).now()},
                           follow_redirects=True)
    assert b"FCP Roadmap cohort, spring 2026" in response.data
    assert b"10 candidates" in response.data

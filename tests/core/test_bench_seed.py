"""bench/seed.py's generator at a tiny scale: the data holds together the way the app's own does."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pyotp
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from bench import seed
from bench.common import framework
from bench.national import generate
from bench.world import counts, totp_secret
from roadmap.accounts.passwords import hash_password
from roadmap.audit.models import AuditEvent
from roadmap.backup.verify import verify
from roadmap.cohorts.models import Enrolment
from roadmap.portfolio.models import Evidence
from roadmap.supervision.models import SupervisorAssignment

SCALE = 0.002  # 20 candidates, 6 supervisors, one hub
PASSWORD = "bench password for the test"


def _seed(app: Flask, session: Session) -> tuple[dict[str, int], Any]:
    version_id = framework(session).id
    session.commit()
    engine = app.extensions["roadmap.db"].engine
    with engine.begin() as connection:
        return generate(connection, version_id, SCALE, dt.date.today(),
                        hash_password(PASSWORD, "fast"), "test-key")


def test_seeded_data_verifies_and_every_candidate_has_a_team(app: Flask, session: Session) -> None:
    written, world = _seed(app, session)
    size = counts(SCALE)
    assert written["enrolments"] == size["candidates"] == 20
    assert written["supervisor_profiles"] == size["supervisors"] == 6
    assert written["users"] == 1 + size["hubs"] + 6 + 20  # admin, hub leads, supervisors, candidates
    report = verify(session)
    assert report.problem is None
    assert report.events == session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    assert report.events >= written["audit_events"] > written["evidence"] > 0
    assert report.signatures == written["signatures"] > 0
    primaries = dict(session.execute(
        sa.select(SupervisorAssignment.enrolment_id, sa.func.count())
        .where(SupervisorAssignment.kind == "primary").group_by(SupervisorAssignment.enrolment_id)).all())
    enrolments = session.scalars(sa.select(Enrolment.id)).all()
    assert all(primaries.get(e) == 1 for e in enrolments)
    statuses = set(session.scalars(sa.select(Evidence.status).distinct()))
    assert {"draft", "submitted", "signed", "changed_since_signed"} <= statuses


def test_seeded_candidate_signs_in_and_sees_their_portfolio(app: Flask, session: Session,
                                                             client: FlaskClient) -> None:
    _written, world = _seed(app, session)
    candidate = next(c for c in world.candidates if c.status == "active" and c.stage1_on)
    email = candidate.person.email
    answer = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    assert answer.status_code == 302 and "/sign-in/code" in answer.headers["Location"]
    code = pyotp.TOTP(totp_secret("test-key", email)).now()
    assert client.post("/sign-in/code", data={"code": code}).status_code == 302
    page = client.get("/portfolio/evidence")
    titles = session.scalars(sa.select(Evidence.title).where(
        Evidence.enrolment_id == candidate.enrolment_id)).all()
    assert page.status_code == 200 and titles
    assert all(title in page.get_data(as_text=True) for title in titles[:5])


def test_seed_refuses_a_database_that_holds_people(app: Flask, session: Session,
                                                   database_url: str, capsys: Any) -> None:
    _seed(app, session)
    before = session.scalar(sa.select(sa.func.count()).select_from(Evidence))
    assert seed.main(["--scale", "1", "--database-url", database_url]) == 2
    assert "already holds people" in capsys.readouterr().err
    assert session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == before


def test_counts_follow_the_scale() -> None:
    assert counts(1.0) == {"candidates": 10_000, "supervisors": 3_000, "hubs": 42}
    assert counts(0.1) == {"candidates": 1_000, "supervisors": 300, "hubs": 4}
    assert counts(0.01) == {"candidates": 100, "supervisors": 30, "hubs": 1}

"""A busy or unusable database: reads still show, writes wait their turn, failures get a page."""
from __future__ import annotations

import datetime as dt
import threading
import time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import UserSession
from roadmap.cohorts.models import TrainingHub
from roadmap.db import Database, utcnow
from tests.fixtures.databases import BACKEND


def test_a_read_that_turns_into_a_write_waits_for_its_turn(app):
    """On SQLite a deferred read cannot become a writer once someone else has committed."""
    engine = app.extensions["roadmap.db"].engine
    with Session(engine) as reader, Session(engine) as other:
        assert reader.scalar(sa.select(sa.func.count()).select_from(TrainingHub)) == 0
        other.add(TrainingHub(name="Written meanwhile"))
        other.commit()
        reader.add(TrainingHub(name="Written after reading"))
        reader.commit()  # was "database is locked" at once
    with Session(engine) as check:
        assert check.scalar(sa.select(sa.func.count()).select_from(TrainingHub)) == 2


def _hold_the_session_rows(engine: sa.Engine, held: threading.Event, seconds: float) -> None:
    """Another writer holds the lock a session touch needs, for longer than SQLite waits."""
    with engine.connect() as connection:
        # SQLite: the write lock on the whole file; PostgreSQL: the rows' locks.
        connection.execute(sa.update(UserSession).values(ip_address=UserSession.ip_address))
        held.set()
        time.sleep(seconds)
        connection.rollback()


def test_a_page_still_shows_when_its_session_touch_cannot_get_the_lock(
        app, client, login, make_user, session):
    login(client, make_user("cand@example.nhs.uk"))
    session.execute(sa.update(UserSession).values(last_seen_at=utcnow() - dt.timedelta(minutes=5)))
    session.commit()
    held = threading.Event()
    holder = threading.Thread(target=_hold_the_session_rows,
                              args=(app.extensions["roadmap.db"].engine, held, 7))
    holder.start()
    try:
        assert held.wait(10)
        started = time.monotonic()
        response = client.get("/home")
        waited = time.monotonic() - started
    finally:
        holder.join(15)
    assert response.status_code == 200
    assert waited < 6  # the touch was skipped after a short wait, not queued behind the lock
    # Once the lock is free, the next page touches the session as before.
    assert client.get("/home").status_code == 200
    session.expire_all()
    seen = session.scalar(sa.select(UserSession.last_seen_at))
    assert utcnow() - seen < dt.timedelta(minutes=1)


def test_an_unreachable_database_gets_the_service_page_not_a_bare_error(
        app, client, login, make_user, monkeypatch, tmp_path):
    login(client, make_user("cand@example.nhs.uk"))
    dead = (f"sqlite:///{tmp_path}/no-such-folder/roadmap.sqlite3" if BACKEND == "sqlite"
            else "postgresql://postgres@127.0.0.1:1/none")
    monkeypatch.setitem(app.extensions, "roadmap.db", Database(dead))
    for method, path in (("GET", "/home"), ("POST", "/portfolio/autosave")):
        response = client.open(path, method=method, data={"path": "/portfolio/x"})
        page = response.get_data(as_text=True)
        assert response.status_code == 503, (path, page[:500])
        assert response.headers["Retry-After"] == "5"
        assert "Sorry, the service is unavailable" in page and "nhsuk-header" in page

"""The export button after a change (issue 18): it waits a few seconds for the quick export
and downloads it at once; a longer export goes to its progress page, and the wait holds no
database lock. The last test runs `roadmap export worker` in a process of its own."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from roadmap.exports import jobs, portfolio
from roadmap.readers.models import ContentAccessEvent
from tests.exports.conftest import no_worker



@pytest.fixture
def app_config(app_config, tmp_path):
    app_config.update(EXPORT_DIR=str(tmp_path / "exports"), EXPORT_WORKERS=1,
                      ATTACHMENT_DIR=str(tmp_path / "attachments"), EXPORT_WAIT_SECONDS=4)
    return app_config


def _opened(app, supervisor_id: int) -> int:
    """Exports the supervisor is recorded as having opened, read in a session of its own."""
    from roadmap.db import database

    with database(app).sessions() as other:
        return other.scalar(sa.select(sa.func.count()).select_from(ContentAccessEvent).where(
            ContentAccessEvent.reader_id == supervisor_id, ContentAccessEvent.what == "export"))


def test_a_quick_export_downloads_from_the_button_with_no_progress_page(
        app, client, login, team, make_item):
    make_item("cbd", status="submitted")
    login(client, team.primary)
    response = client.post(f"/exports/enrolment/{team.enrolment.id}/pdf")
    body = response.get_data()
    response.close()
    assert response.status_code == 200, response.headers.get("Location")
    assert body.startswith(b"%PDF") and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    assert _opened(app, team.primary.id) == 1  # the opening is recorded, and committed


@pytest.fixture
def never_runs(monkeypatch):
    """Jobs are queued but no worker takes them (a worker busy with someone else's export)."""
    no_worker(monkeypatch)


def test_a_longer_export_goes_to_its_progress_page_and_the_wait_holds_no_lock(
        app, client, login, team, make_item, never_runs, monkeypatch):
    """While the button waits, someone else saves their work: on SQLite a request that still
    held its write lock would keep them waiting 30 s and then fail."""
    from roadmap.db import database
    from roadmap.audit import service as audit

    app.config["EXPORT_WAIT_SECONDS"] = 1
    make_item("cbd", status="submitted")
    wait, saved = jobs.wait, []

    def someone_saves_meanwhile(*args, **kwargs):
        with database(app).sessions() as other:
            other.connection(execution_options={})  # begins; writes below take the lock
            audit.record(other, "enrolment.target_changed", subject_type="enrolment",
                         subject_id=team.enrolment.id, enrolment_id=team.enrolment.id, data={})
            started = time.monotonic()
            other.commit()
            saved.append(time.monotonic() - started)
        return wait(*args, **kwargs)

    monkeypatch.setattr(jobs, "wait", someone_saves_meanwhile)
    login(client, team.primary)
    started = time.monotonic()
    response = client.post(f"/exports/enrolment/{team.enrolment.id}/pdf")
    assert response.status_code == 302
    assert time.monotonic() - started >= 1  # it waited the whole second for the job
    assert saved and saved[0] < 5  # the other save went through without waiting on this one
    page = client.get(response.headers["Location"])
    assert "Putting your PDF together" in page.get_data(as_text=True)
    assert _opened(app, team.primary.id) == 1


def test_an_export_that_fails_within_the_wait_shows_its_message_and_try_again(
        app, client, login, team, make_item, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("the renderer ran out of memory")

    monkeypatch.setattr(portfolio, "export_pdf", broken)
    login(client, team.candidate)
    response = client.post(f"/exports/enrolment/{team.enrolment.id}/pdf")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The export could not be finished" in page and "Try again" in page
    assert "out of memory" not in page  # the cause is in the job's log, not on the page


def test_the_button_downloads_what_a_real_worker_made_within_the_wait(
        app_config, session, team, make_item, login, tmp_path):
    """End to end: the web app queues on huey's SQLite queue as in production without Redis,
    `roadmap export worker` in its own process takes the job, and the button's own response
    is the PDF."""
    from roadmap import create_app

    make_item("cbd", status="submitted")
    session.commit()
    settings = {"DATABASE_URL": app_config["DATABASE_URL"], "EXPORT_DIR": str(tmp_path / "exports"),
                "ATTACHMENT_DIR": str(tmp_path / "attachments"),
                "MAIL_FOLDER": str(tmp_path / "mail"), "EXPORT_WORKERS": "1"}
    server = create_app({"ENV": "development", "ARGON2_PROFILE": "fast", **settings,
                         "EXPORT_WORKERS": 1, "EXPORT_KEEP_FRESH": False,
                         "EXPORT_WAIT_SECONDS": 120, "WTF_CSRF_ENABLED": False})
    root = Path(__file__).resolve().parents[2]
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("ROADMAP_")},
           "PYTHONPATH": str(root), "ROADMAP_ENV": "development",
           **{f"ROADMAP_{key}": value for key, value in settings.items()}}
    log, started = tmp_path / "export-worker.log", time.time()
    with log.open("w") as sink:
        worker = subprocess.Popen([sys.executable, "-m", "roadmap", "export", "worker"], env=env,
                                  cwd=tmp_path, stdout=sink, stderr=subprocess.STDOUT)
    try:
        client = server.test_client()
        login(client, team.candidate)
        response = client.post(f"/exports/enrolment/{team.enrolment.id}/pdf")
        body = response.get_data()
        response.close()
        assert response.status_code == 200, (response.headers.get("Location"), log.read_text())
        assert body.startswith(b"%PDF")
        alive = tmp_path / "exports" / "worker.alive"  # pages know a worker will take their jobs
        assert alive.exists() and alive.stat().st_mtime >= started - 1
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    finally:
        worker.kill()
        worker.wait()
        server.extensions["roadmap.db"].engine.dispose()
    assert worker.returncode == 0, log.read_text()
    assert "export finished" in "".join(
        p.read_text() for p in (tmp_path / "exports" / "jobs").glob("*/log.txt"))


def _jobs(app) -> list[dict]:
    import json

    return [json.loads(p.read_text()) for p in
            (Path(app.config["EXPORT_DIR"]) / "jobs").glob("*/status.json")]


def test_the_export_page_makes_the_pdf_before_the_button_is_pressed(
        app, client, login, team, make_item, session):
    """Ready before the click: opening the page starts the reader's quick export (run inline
    here); the button then downloads that file, with no second export, and only the button's
    download is recorded as an opening. An edit in between makes the page start a new one."""
    app.config["EXPORT_PREPARE"] = True
    item = make_item("reflection", status="draft")
    session.commit()
    login(client, team.candidate)
    page = client.get(f"/exports/enrolment/{team.enrolment.id}")
    assert page.status_code == 200
    made = _jobs(app)
    assert [j["state"] for j in made] == ["done"] and made[0]["drafts"] is True
    client.get(f"/exports/enrolment/{team.enrolment.id}")  # looked at again: nothing new to make
    assert len(_jobs(app)) == 1

    started = time.monotonic()
    response = client.post(f"/exports/enrolment/{team.enrolment.id}/pdf")
    body = response.get_data()
    response.close()
    assert response.status_code == 200 and body.startswith(b"%PDF")
    assert time.monotonic() - started < 2  # the file was already made: no render on the click
    assert len(_jobs(app)) == 1

    edited = client.post(f"/portfolio/evidence/{item.id}/edit", data={
        "title": "Fixed the typo", "occurred_on": item.occurred_on.isoformat(),
        "lock_version": item.lock_version, **item.fields, "action": "save"})
    assert edited.status_code in (200, 302), edited.data[:300]
    client.get(f"/exports/enrolment/{team.enrolment.id}")
    assert sorted(j["state"] for j in _jobs(app)) == ["done", "done"]
    response = client.post(f"/exports/enrolment/{team.enrolment.id}/pdf")
    body = response.get_data()
    response.close()
    assert response.status_code == 200 and b"Fixed the typo" in _text(body)
    assert len(_jobs(app)) == 2


def test_looking_at_the_export_page_is_not_opening_the_portfolio(
        app, client, login, team, make_item, session):
    """A supervisor's quick export is made as they look, without drafts and without recording
    that they opened the portfolio: only the button's download is recorded."""
    app.config["EXPORT_PREPARE"] = True
    make_item("cbd", status="submitted")
    session.commit()
    login(client, team.primary)
    assert client.get(f"/exports/enrolment/{team.enrolment.id}").status_code == 200
    assert [j["drafts"] for j in _jobs(app)] == [False] and _opened(app, team.primary.id) == 0
    response = client.post(f"/exports/enrolment/{team.enrolment.id}/pdf")
    response.close()
    assert response.status_code == 200 and len(_jobs(app)) == 1
    assert _opened(app, team.primary.id) == 1


def _text(pdf: bytes) -> bytes:
    import io

    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).encode()


def test_the_export_page_starts_nothing_when_preparing_is_off(app, client, login, team, make_item):
    app.config["EXPORT_PREPARE"] = False
    make_item("cbd", status="submitted")
    login(client, team.candidate)
    assert client.get(f"/exports/enrolment/{team.enrolment.id}").status_code == 200
    assert _jobs(app) == []

"""A job no worker will take says so (instead of "Waiting to start" for ever), and a repeated
ask (double click, a second tab) waits on the job already coming instead of queueing another.
The worker's side (`roadmap export worker` touches worker.alive) is checked end to end in
test_quick_click.py."""
from __future__ import annotations

import datetime as dt
import os
import re
import time

import pytest

from roadmap.exports import jobs, liveness, pruning
from tests.exports.conftest import no_worker



@pytest.fixture
def app_config(app_config, tmp_path):
    app_config.update(EXPORT_DIR=str(tmp_path / "exports"), EXPORT_WORKERS=1,
                      ATTACHMENT_DIR=str(tmp_path / "attachments"))
    return app_config


def _start(client, enrolment_id, kind="pdf"):
    response = client.post(f"/exports/enrolment/{enrolment_id}/{kind}")
    assert response.status_code == 302, response.data[:500]
    return response.headers["Location"]


def _asked_ago(app, job_id, seconds):
    jobs.update(app, job_id, created_at=(dt.datetime.now(dt.timezone.utc)
                                         - dt.timedelta(seconds=seconds)).isoformat())


def _worker_heard(app, seconds_ago):
    alive = jobs.folder(app, "x").parent.parent / liveness.WORKER_FILE
    alive.touch()
    then = time.time() - seconds_ago
    os.utime(alive, (then, then))


def _job_folders(app):
    return sorted(p.name for p in jobs.folder(app, "x").parent.iterdir())


def test_a_queued_job_with_no_worker_running_fails_and_offers_to_try_again(
        app, client, login, team, make_item, monkeypatch):
    make_item("cbd", status="submitted")
    timeout = app.config["EXPORT_HEARTBEAT_SECONDS"]
    with monkeypatch.context() as patched:
        no_worker(patched)
        login(client, team.candidate)
        job_page = _start(client, team.enrolment.id)
        job_id = job_page.rsplit("/", 1)[1]
        just_asked = client.get(job_page)  # no worker yet, but only just asked: it may start
        assert b"Waiting to start" in just_asked.data
        assert "Waiting to start" in just_asked.get_data(as_text=True)
        _asked_ago(app, job_id, timeout + 1)
        page = client.get(job_page)
    assert page.status_code == 200 and b"Waiting to start" not in page.data
    html = page.get_data(as_text=True)
    assert "The export could not start: the program that makes exports is not running" in html
    assert f"quoting reference {job_id[:8]}" in html
    form = re.search(r'<form method="post" action="([^"]+)">\s*<input type="hidden" '
                     r'name="csrf_token" value="[^"]*">\s*<button[^>]*>Try again</button>', html)
    assert form and form[1] == f"/exports/enrolment/{team.enrolment.id}/pdf"
    again = client.post(form[1])  # a worker runs it now (inline): a new job, made
    assert again.status_code == 302 and again.headers["Location"] != job_page
    assert b"Your download is ready" in client.get(again.headers["Location"]).data
    # The worker, back with its backlog, does not make the export the page said had failed.
    jobs.run(app, job_id)
    assert b"could not start" in client.get(job_page).data
    assert not (jobs.folder(app, job_id) / "portfolio.pdf").exists()


def test_a_queued_job_waits_its_turn_while_a_worker_is_alive(app, client, login, team,
                                                              monkeypatch):
    timeout = app.config["EXPORT_HEARTBEAT_SECONDS"]
    no_worker(monkeypatch)
    login(client, team.candidate)
    job_page = _start(client, team.enrolment.id)
    _asked_ago(app, job_page.rsplit("/", 1)[1], 10 * timeout)  # behind other people's jobs
    _worker_heard(app, timeout / 4)  # a worker, busy with them, touched the file lately
    page = client.get(job_page)
    assert "Waiting to start" in page.get_data(as_text=True)
    _worker_heard(app, timeout + 1)  # then the worker stopped
    page = client.get(job_page)
    assert b"Waiting to start" not in page.data and b"could not start" in page.data


def test_a_repeated_ask_waits_on_the_job_already_coming(app, client, login, team, monkeypatch):
    no_worker(monkeypatch)
    login(client, team.candidate)
    first = _start(client, team.enrolment.id)
    assert _start(client, team.enrolment.id) == first  # a double click
    assert _start(client, team.enrolment.id) == first  # and a second tab
    assert len(_job_folders(app)) == 1
    job_id = first.rsplit("/", 1)[1]
    jobs.update(app, job_id, state="running", percent=40, message="Laid out 4 of 10 parts")
    assert _start(client, team.enrolment.id) == first  # still making it
    zip_page = _start(client, team.enrolment.id, "zip")  # another kind is another export
    assert zip_page != first and len(_job_folders(app)) == 2
    jobs.update(app, job_id, state="done", percent=100, message="Ready")
    jobs.output(app, job_id).write_bytes(b"%PDF-1.7 made from the portfolio as it is now")
    assert _start(client, team.enrolment.id) == first  # done today, nothing changed: that file
    assert len(_job_folders(app)) == 2
    yesterday = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)).isoformat()
    jobs.update(app, job_id, created_at=yesterday)  # its pages say yesterday's date
    after = _start(client, team.enrolment.id)
    assert after != first and len(_job_folders(app)) == 3
    jobs.update(app, after.rsplit("/", 1)[1], state="failed", message="It broke")
    assert _start(client, team.enrolment.id) not in (first, after)  # a failed job is not reused
    assert len(_job_folders(app)) == 4
    assert _start(client, team.enrolment.id, "zip") == zip_page  # a ZIP still to come is reused
    zip_id = zip_page.rsplit("/", 1)[1]
    jobs.update(app, zip_id, state="done", percent=100, message="Ready")
    jobs.output(app, zip_id).write_bytes(b"PK made with the quick copy of the PDF")
    assert _start(client, team.enrolment.id, "zip") != zip_page  # a finished one is made again:
    assert len(_job_folders(app)) == 5  # its PDF may since have become the archival copy
    index = jobs.folder(app, "x").parent.parent / "jobs-by" / f"{team.candidate.id}-" \
        f"{team.enrolment.id}-pdf"
    os.utime(index, (time.time() - 2 * 86400,) * 2)  # its jobs are deleted after 24 hours
    pruning.prune(app)
    assert not index.exists()


def test_someone_elses_ask_is_their_own_job(app, client, login, team, monkeypatch):
    no_worker(monkeypatch)
    login(client, team.candidate)
    candidates = _start(client, team.enrolment.id)
    supervisor = app.test_client()
    login(supervisor, team.primary)
    supervisors = _start(supervisor, team.enrolment.id)
    assert supervisors != candidates
    assert supervisor.get(supervisors).status_code == 200
    assert client.get(supervisors).status_code == 404  # each sees only their own


def test_an_edit_between_two_clicks_makes_a_new_export(app, client, login, team, make_item,
                                                       monkeypatch):
    """A candidate clicks, goes back while it runs, fixes a typo, clicks again: the job still
    running was made from the portfolio before the fix, so the second click makes a new one."""
    no_worker(monkeypatch)
    item = make_item("reflection", status="draft")
    login(client, team.candidate)
    first = _start(client, team.enrolment.id)
    jobs.update(app, first.rsplit("/", 1)[1], state="running", percent=40, message="Laid out")
    edited = client.post(f"/portfolio/evidence/{item.id}/edit", data={
        "title": "Fixed the typo", "occurred_on": item.occurred_on.isoformat(),
        "lock_version": item.lock_version, **item.fields, "action": "save"})
    assert edited.status_code in (200, 302), edited.data[:300]
    from roadmap.exports import stored
    from roadmap.db import database

    with database(app).sessions() as other:
        assert stored.latest(other, team.enrolment.id)[0] != jobs.read(
            app, first.rsplit("/", 1)[1], team.candidate.id)["position"], "the edit was not saved"
    second = _start(client, team.enrolment.id)
    assert second != first and len(_job_folders(app)) == 2


def test_the_export_page_says_when_no_worker_is_running_and_starts_nothing(
        app, client, login, team, make_item, monkeypatch):
    """An outsider killed the export worker and the page still promised a PDF "within seconds":
    with no worker alive it says exports are not being made, and starts no job that would only
    fail; once a worker shows it is alive, the page starts the reader's PDF again."""
    no_worker(monkeypatch)
    app.config["EXPORT_PREPARE"] = True
    make_item("cbd", status="submitted")
    login(client, team.candidate)
    page = client.get(f"/exports/enrolment/{team.enrolment.id}").get_data(as_text=True)
    assert "Exports are not being made at the moment" in page
    assert "The program that makes PDFs and ZIP files has stopped." in page
    assert "Nothing in your portfolio is affected." in page
    assert not jobs.folder(app, "x").parent.exists() or _job_folders(app) == []
    alive = jobs.folder(app, "x").parent.parent / liveness.WORKER_FILE
    alive.parent.mkdir(parents=True, exist_ok=True)
    alive.touch()  # a worker has started
    page = client.get(f"/exports/enrolment/{team.enrolment.id}").get_data(as_text=True)
    assert "Exports are not being made" not in page and len(_job_folders(app)) == 1

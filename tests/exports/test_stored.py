"""The stored portfolio PDF kept current in the background, through HTTP (huey immediate mode:
a delayed refresh waits in huey's schedule until the test runs it, as the worker would)."""
from __future__ import annotations

import datetime as dt
import io
import json
import logging

import pikepdf
import pytest
import sqlalchemy as sa

from roadmap.exports import fresh, jobs, stored
from roadmap.supervision import assignments
from roadmap.supervision.models import SupervisorAssignment



@pytest.fixture
def app_config(app_config, tmp_path):
    app_config.update(EXPORT_DIR=str(tmp_path / "exports"), EXPORT_WORKERS=1,
                      ATTACHMENT_DIR=str(tmp_path / "attachments"), EXPORT_KEEP_FRESH=True,
                      EXPORT_REFRESH_SECONDS=60)
    return app_config


def stand_in(session, enrolment, on, drafts) -> bytes:
    """A one-page PDF carrying the data the archival copy embeds (data.json, drafts as the form
    has them), made in milliseconds. These tests are about when and whether a stored PDF is
    re-made, not about the document (tests/exports/test_archival.py); the real render runs
    end to end in the refresh worker's test at the end of this file."""
    from roadmap.exports.archival import data_bytes

    with pikepdf.new() as doc:
        doc.add_blank_page()
        doc.attachments["data.json"] = pikepdf.AttachedFileSpec(
            doc, data_bytes(session, enrolment, on, drafts))
        out = io.BytesIO()
        doc.save(out, static_id=True)  # the same data, the same bytes
    return out.getvalue()


def embedded(pdf: bytes) -> dict:
    """The data a stored PDF was made from."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return json.loads(doc.attachments["data.json"].get_file().read_bytes())


@pytest.fixture(autouse=True)
def renders(monkeypatch):
    """Every layout of a stored PDF, by whether it had the drafts (laid out by `stand_in`)."""
    made = []

    def counted(session, enrolment, on, drafts):
        made.append(drafts)
        return stand_in(session, enrolment, on, drafts)

    monkeypatch.setattr(stored, "render_stored", counted)
    return made


def _queued(app):
    """The refreshes waiting in the queue's schedule: (enrolment id, attempt)."""
    return [t.args for t in fresh.refresh_queue(app).scheduled() if t.name == "roadmap.export.refresh"]


def _run_queued(app):
    """Run every queued refresh now, as the worker does once their delay has passed."""
    huey = fresh.refresh_queue(app)
    later = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) + dt.timedelta(days=1)
    for task in huey.read_schedule(later):
        huey.execute(task, later)


def _return(client, item, comment="Please add more detail."):
    response = client.post(f"/supervision/items/{item.id}/return",
                           data={"comment": comment, "lock_version": item.lock_version})
    assert response.status_code == 302, response.data[:300]


def _page(client, enrolment_id):
    response = client.get(f"/exports/enrolment/{enrolment_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _ask(client, enrolment_id):
    response = client.post(f"/exports/enrolment/{enrolment_id}/pdf")
    data = response.get_data()
    response.close()
    return response, data


def _jobs(app):
    return list((jobs.setup(app).export_dir / "jobs").glob("*/status.json"))


def test_changes_close_together_make_one_refresh_then_the_button_downloads_at_once(
        app, client, login, team, make_item, renders):
    first, second = make_item("cbd"), make_item("cbd", headings=("2",))
    login(client, team.primary)
    _return(client, first)
    _return(client, second, "And here, please.")
    assert _queued(app) == [(team.enrolment.id, 0)]  # two changes, one refresh
    assert "Being updated" in _page(client, team.enrolment.id)
    _run_queued(app)
    assert renders == [False]  # no drafts: both forms are one layout
    assert _queued(app) == []

    page = _page(client, team.enrolment.id)
    assert "Up to date" in page and "Download the PDF" in page
    response, data = _ask(client, team.enrolment.id)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert data.startswith(b"%PDF") and data == stored.pdf_path(app, team.enrolment.id,
                                                                "shared").read_bytes()
    assert "Jo-Candidate-portfolio-" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    assert _jobs(app) == []  # no job was made

    mine = app.test_client()
    login(mine, team.candidate)
    page = _page(mine, team.enrolment.id)
    assert "Up to date" in page and "Everything you own" in page
    response, data = _ask(mine, team.enrolment.id)
    assert response.status_code == 200
    assert data == stored.pdf_path(app, team.enrolment.id, "own").read_bytes()


def test_the_candidates_stored_pdf_has_their_drafts_the_supervisors_has_not(
        app, client, login, team, make_item, renders):
    make_item("reflection", status="draft", headings=("2",)).title = "Private thoughts"
    item = make_item("cbd")
    mine = app.test_client()
    login(mine, team.candidate)
    _page(mine, team.enrolment.id)  # the candidate looked: their own form is kept too
    _run_queued(app)
    renders.clear()
    login(client, team.primary)
    _return(client, item)
    _run_queued(app)
    assert renders == [False, True]
    _, shared = _ask(client, team.enrolment.id)
    _, own = _ask(mine, team.enrolment.id)
    assert shared == stored.pdf_path(app, team.enrolment.id, "shared").read_bytes()
    assert own == stored.pdf_path(app, team.enrolment.id, "own").read_bytes()
    titles = {form: [e["title"] for e in embedded(pdf)["evidence"]]
              for form, pdf in (("own", own), ("shared", shared))}
    assert "Private thoughts" in titles["own"] and "Private thoughts" not in titles["shared"]


def test_with_drafts_the_candidates_own_form_waits_until_they_look(
        app, client, login, team, make_item, renders):
    make_item("reflection", status="draft", headings=("2",))
    item = make_item("cbd")
    login(client, team.primary)
    _return(client, item)
    _run_queued(app)
    assert renders == [False]  # only the supervisors' form: nobody waits for the other
    assert _ask(client, team.enrolment.id)[0].status_code == 200
    mine = app.test_client()
    login(mine, team.candidate)
    page = _page(mine, team.enrolment.id)
    assert "Being updated" in page and "Made now, its PDF is the quick copy." in page
    response, _ = _ask(mine, team.enrolment.id)
    assert response.status_code == 302  # their click makes it, with the drafts
    _run_queued(app)  # their visit queued their own form
    assert renders == [False, True]
    page = _page(mine, team.enrolment.id)  # the ZIP now carries their own stored form
    assert "Up to date" in page and "Its PDF is the archival copy" in page


def _changed_after_the_refresh(app, client, login, team, make_item) -> None:
    """The primary returns one item, the refresh runs, then they return another: the stored
    PDF is one change behind."""
    first, second = make_item("cbd"), make_item("cbd", headings=("2",))
    login(client, team.primary)
    _return(client, first)
    _run_queued(app)
    _return(client, second)


def test_a_change_after_the_refresh_says_so_and_the_click_takes_the_job_path(
        app, client, login, team, make_item, renders):
    _changed_after_the_refresh(app, client, login, team, make_item)
    page = _page(client, team.enrolment.id)
    assert "Being updated" in page and "The last change, at " in page
    assert "is not in the stored PDF yet" in page and "Make the PDF" in page
    assert "A PDF made now is the quick copy: it is not tagged for screen readers, carries no " \
        "embedded data and cannot be checked" in page
    assert "The archival copy, which has all three, will be ready in a few minutes." in page
    response, _ = _ask(client, team.enrolment.id)
    assert response.status_code == 302 and "/exports/" in response.headers["Location"]
    download = client.get(response.headers["Location"] + "/download")
    assert download.status_code == 200 and download.get_data().startswith(b"%PDF")
    download.close()
    assert len(_jobs(app)) == 1
    _run_queued(app)
    assert "Up to date" in _page(client, team.enrolment.id)


def test_with_preparing_on_the_page_says_the_pdf_with_the_change_is_being_made(
        app, client, login, team, make_item, renders):
    """The export page starts the reader's quick export as it opens (EXPORT_PREPARE) and
    says so; the button then downloads it from the job it started, with no second job."""
    app.config["EXPORT_PREPARE"] = True
    _changed_after_the_refresh(app, client, login, team, make_item)
    page = _page(client, team.enrolment.id)
    assert "is not in the stored PDF yet. A PDF with it is being made now, usually ready " \
        "within seconds." in page
    assert len(_jobs(app)) == 1  # started by the page, run inline here
    response, _ = _ask(client, team.enrolment.id)
    assert response.status_code == 302 and len(_jobs(app)) == 1  # the button found it


def test_a_refresh_that_fails_midway_keeps_the_previous_file_and_is_tried_again(
        app, client, login, team, make_item, monkeypatch, caplog, renders):
    first, second = make_item("cbd"), make_item("cbd", headings=("2",))
    login(client, team.primary)
    _return(client, first)
    _run_queued(app)
    path = stored.pdf_path(app, team.enrolment.id, "shared")
    before, note = path.read_bytes(), stored.note(app, team.enrolment.id, "shared")

    def killed(session, enrolment, on, drafts):
        (path.parent / f"{path.name}.999.part").write_bytes(b"%PDF-1.7 half a file")
        raise MemoryError("the worker ran out of memory midway")

    working = stored.render_stored
    monkeypatch.setattr(stored, "render_stored", killed)
    _return(client, second)
    with caplog.at_level(logging.ERROR, logger="roadmap.exports.fresh"):
        _run_queued(app)
    assert "refresh failed" in caplog.text and "midway" in caplog.text
    assert path.read_bytes() == before
    assert stored.note(app, team.enrolment.id, "shared") == note
    assert _queued(app) == [(team.enrolment.id, 1)]  # tried again later
    assert "Being updated" in _page(client, team.enrolment.id)
    response, _ = _ask(client, team.enrolment.id)
    assert response.status_code == 302  # never the out-of-date file

    monkeypatch.setattr(stored, "render_stored", working)
    _run_queued(app)  # the retry works: the half-written file is gone
    assert renders == [False, False]
    assert not list(path.parent.glob("*.part"))
    assert path.read_bytes() != before
    assert "Up to date" in _page(client, team.enrolment.id)


def test_a_refresh_of_an_enrolment_being_refreshed_waits_its_turn(app, team, renders):
    from roadmap.exports import fresh

    base = stored.folder(app, team.enrolment.id)
    base.mkdir(parents=True)
    with stored._locked(base) as mine:
        assert mine
        assert fresh.run(app, team.enrolment.id) is None
        assert renders == []
    assert _queued(app) == [(team.enrolment.id, 0)]
    _run_queued(app)
    assert renders == [False]


def test_a_former_supervisor_and_strangers_never_get_the_stored_pdf(
        app, client, login, session, make_user, team, make_item):
    item = make_item("cbd")
    login(client, team.primary)
    _return(client, item)
    _run_queued(app)
    assert _ask(client, team.enrolment.id)[0].status_code == 200
    held = session.scalar(sa.select(SupervisorAssignment).where(
        SupervisorAssignment.supervisor_id == team.primary.id))
    assignments.end_assignment(session, held, None)
    session.commit()
    _run_queued(app)
    assert client.get(f"/exports/enrolment/{team.enrolment.id}").status_code == 404
    assert _ask(client, team.enrolment.id)[0].status_code == 404
    other = app.test_client()
    login(other, team.stranger)
    assert _ask(other, team.enrolment.id)[0].status_code == 404
    candidate = make_user("other.candidate@example.nhs.uk", full_name="Al Other")
    login(other, candidate)
    assert _ask(other, team.enrolment.id)[0].status_code == 404


def test_the_export_page_reads_the_audit_log_once(app, client, login, team, make_item):
    item = make_item("cbd")
    login(client, team.primary)
    _return(client, item)
    _run_queued(app)
    seen = []
    engine = app.extensions["roadmap.db"].engine

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert "Up to date" in _page(client, team.enrolment.id)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert sum("audit_events" in s for s in seen) == 1


def test_the_refresh_worker_makes_the_stored_pdf_shortly_after_a_committed_change(
        app_config, session, team, make_item, tmp_path):
    """End to end: a change commits in one process, `roadmap export worker --refreshes` (its
    own process, huey on SQLite as in production without Redis) re-makes the stored PDF."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from roadmap import create_app
    from roadmap.audit import service as audit
    from roadmap.db import database

    make_item("cbd")
    settings = {"DATABASE_URL": app_config["DATABASE_URL"], "EXPORT_DIR": str(tmp_path / "exports"),
                "ATTACHMENT_DIR": str(tmp_path / "attachments"), "MAIL_FOLDER": str(tmp_path / "mail"),
                "EXPORT_REFRESH_SECONDS": "1", "EXPORT_WORKERS": "1"}
    server = create_app({"ENV": "development", "ARGON2_PROFILE": "fast", **settings,
                         "EXPORT_REFRESH_SECONDS": 1, "EXPORT_WORKERS": 1})
    writer = database(server).sessions()
    audit.record(writer, "enrolment.target_changed", subject_type="enrolment",
                 subject_id=team.enrolment.id, enrolment_id=team.enrolment.id, data={})
    writer.commit()
    writer.close()
    server.extensions["roadmap.db"].engine.dispose()
    root = Path(__file__).resolve().parents[2]
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("ROADMAP_")},
           "PYTHONPATH": str(root), "ROADMAP_ENV": "development",
           **{f"ROADMAP_{key}": value for key, value in settings.items()}}
    errors = tmp_path / "refresh-worker.log"
    with errors.open("w") as sink:
        worker = subprocess.Popen([sys.executable, "-m", "roadmap", "export", "worker",
                                   "--refreshes"], env=env, cwd=tmp_path, stdout=sink,
                                  stderr=subprocess.STDOUT)
    try:
        made = tmp_path / "exports" / "stored" / str(team.enrolment.id) / "own.json"  # the last
        deadline = time.monotonic() + 180
        while not made.exists():
            assert worker.poll() is None and time.monotonic() < deadline, errors.read_text()
            time.sleep(0.3)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    finally:
        worker.kill()
        worker.wait()
    assert worker.returncode == 0, errors.read_text()
    assert made.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    with pikepdf.open(made.with_suffix(".pdf")) as doc:  # the archival copy, not a stand-in
        assert "/StructTreeRoot" in doc.Root
        assert sorted(doc.attachments) == ["data.json", "signatures.json"]
    assert (made.parent / "shared.pdf").read_bytes() == made.with_suffix(".pdf").read_bytes()
    assert not (made.parent / "pending").exists()  # no drafts: one layout, both forms


def test_a_draft_changed_leaves_the_supervisors_pdf_up_to_date_and_says_nothing_of_it(
        app, client, login, team, make_item, session, renders):
    """Only the candidate's own form shows drafts: a draft saved after the supervisors' PDF
    was made is no change to it, and its time is not theirs to see; the candidate's own form
    is behind, and says so."""
    from roadmap.clock import today
    from roadmap.portfolio import service

    draft = make_item("cbd", status="draft", headings=("2",))
    login(client, team.primary)
    _return(client, make_item("cbd"))
    _run_queued(app)
    assert "Up to date" in _page(client, team.enrolment.id)
    service.update_evidence(session, draft, team.candidate, draft.lock_version,
                            "Private thoughts, again", draft.occurred_on, {},
                            service.current_links(session, draft))
    session.commit()
    page = _page(client, team.enrolment.id)
    assert "Up to date" in page and "Being updated" not in page and "last change" not in page
    response, data = _ask(client, team.enrolment.id)
    assert response.status_code == 200
    assert data == stored.pdf_path(app, team.enrolment.id, "shared").read_bytes()
    mine = app.test_client()
    login(mine, team.candidate)
    assert "Being updated" in _page(mine, team.enrolment.id)
    # Once the draft is sent to the supervisor, its change is one their form shows.
    session.refresh(draft)
    service.submit(session, draft, team.candidate, team.primary.id, draft.lock_version,
                   today(), True, "")
    session.commit()
    assert "Being updated" in _page(client, team.enrolment.id)

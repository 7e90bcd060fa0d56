"""The quick copy made as a change commits (exports.quick): the export button downloads the PDF
with the change at once, with no progress page and no export of its own, while the archival
copy is still to be re-made. Jobs run inline here (huey's immediate mode), so the copy is made
within the request that commits the change; the archival refresh waits in huey's schedule."""
from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from roadmap.db import database
from roadmap.exports import fresh, quick, stored
from roadmap.readers.models import ContentAccessEvent


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config.update(EXPORT_DIR=str(tmp_path / "exports"), EXPORT_WORKERS=1,
                      ATTACHMENT_DIR=str(tmp_path / "attachments"), EXPORT_KEEP_FRESH=True,
                      EXPORT_REFRESH_SECONDS=60, EXPORT_QUICK_COPY=True)
    return app_config


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _jobs(app):
    return list((stored.setup(app).export_dir / "jobs").glob("*/status.json"))


def _ask(client, enrolment_id):
    response = client.post(f"/exports/enrolment/{enrolment_id}/pdf")
    data = response.get_data()
    response.close()
    return response, data


def _opened(app, reader_id: int) -> int:
    with database(app).sessions() as other:
        return other.scalar(sa.select(sa.func.count()).select_from(ContentAccessEvent).where(
            ContentAccessEvent.reader_id == reader_id, ContentAccessEvent.what == "export"))


def _return(client, item, comment):
    response = client.post(f"/supervision/items/{item.id}/return",
                           data={"comment": comment, "lock_version": item.lock_version})
    assert response.status_code == 302, response.data[:300]


def test_after_a_change_the_button_downloads_the_pdf_with_it_at_once(
        app, client, login, team, make_item):
    """The supervisor's export page was open before they returned an item; the button then
    downloads a PDF with the return in it, straight from the button: no progress page, no
    export job, the archival copy not re-made yet. Only the download is an opening."""
    item = make_item("cbd", status="submitted")
    login(client, team.primary)
    assert client.get(f"/exports/enrolment/{team.enrolment.id}").status_code == 200
    assert _opened(app, team.primary.id) == 0
    _return(client, item, "Please add what the MDT decided.")
    assert [t.args for t in fresh.refresh_queue(app).scheduled()] == [(team.enrolment.id, 0)]
    with database(app).sessions() as other:  # the archival copy is still to come
        assert not stored.freshness(app, other, team.enrolment.id, "shared").current

    response, data = _ask(client, team.enrolment.id)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "Please add what the MDT decided." in _text(data)
    assert data == quick.pdf_path(app, team.enrolment.id, "shared").read_bytes()
    assert "Jo-Candidate-portfolio-" in response.headers["Content-Disposition"]
    assert _jobs(app) == []  # nobody's export was made for it
    assert _opened(app, team.primary.id) == 1

    page = client.get(f"/exports/enrolment/{team.enrolment.id}").get_data(as_text=True)
    assert "A PDF with it is ready and downloads straight away." in page
    assert "Download the PDF" in page and _jobs(app) == []  # the page starts nothing either


def test_a_supervisor_never_gets_the_candidates_drafts_from_the_quick_copy(
        app, client, login, team, make_item):
    """With the candidate looking at their export, a change makes both forms: theirs with their
    private draft, the supervisors' without it, each served to its own reader only."""
    draft = make_item("reflection", status="draft", headings=("2",))
    draft.title = "Private thoughts"
    item = make_item("cbd", status="submitted")
    mine = app.test_client()
    login(mine, team.candidate)
    assert mine.get(f"/exports/enrolment/{team.enrolment.id}").status_code == 200  # looked
    login(client, team.primary)
    _return(client, item, "Say more about the follow-up.")

    response, shared = _ask(client, team.enrolment.id)
    assert response.status_code == 200
    assert "Say more about the follow-up." in _text(shared)
    assert "Private thoughts" not in _text(shared)
    response, own = _ask(mine, team.enrolment.id)
    assert response.status_code == 200
    assert "Private thoughts" in _text(own) and "Say more about the follow-up." in _text(own)
    assert own == quick.pdf_path(app, team.enrolment.id, "own").read_bytes()
    assert _jobs(app) == []


def test_a_quick_copy_made_yesterday_or_before_a_later_change_is_not_served(
        app, client, login, team, make_item, monkeypatch):
    first, second = make_item("cbd", status="submitted"), make_item("cbd", headings=("2",))
    login(client, team.primary)
    _return(client, first, "First comment.")
    copy = quick.pdf_path(app, team.enrolment.id, "shared")
    note = quick.note(app, team.enrolment.id, "shared")
    yesterday = (dt.date.fromisoformat(note["day"]) - dt.timedelta(days=1)).isoformat()
    (copy.parent / "quick-shared.json").write_text(
        f'{{"position": {note["position"]}, "day": "{yesterday}"}}')
    response, _ = _ask(client, team.enrolment.id)
    assert response.status_code == 302  # the cover would say yesterday: made afresh

    monkeypatch.setattr(quick, "schedule", lambda app, enrolment_id, form: False)  # lost
    _return(client, second, "Second comment.")
    response, _ = _ask(client, team.enrolment.id)
    assert response.status_code == 302  # one change behind: never served


def _only_queued(monkeypatch):
    """The change queues its quick copy, but no worker takes it until the test says so."""
    queued = []

    def only_queue(app_, enrolment_id, form):
        marker = quick.pdf_path(app_, enrolment_id, form).with_suffix(".queued")
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
        queued.append((enrolment_id, form))
        return True

    monkeypatch.setattr(quick, "schedule", only_queue)
    return queued


def test_a_click_while_the_quick_copy_is_being_made_waits_for_it(
        app, client, login, team, make_item, monkeypatch):
    """The button pressed a moment after the change, the copy still being made by the worker:
    the button waits for it (up to EXPORT_WAIT_SECONDS) and downloads it, with no job."""
    import threading

    app.config["EXPORT_WAIT_SECONDS"] = 30
    item = make_item("cbd", status="submitted")
    queued = _only_queued(monkeypatch)
    login(client, team.primary)
    _return(client, item, "A comment made just now.")
    assert queued == [(team.enrolment.id, "shared")]
    assert quick.note(app, team.enrolment.id, "shared") is None
    worker = threading.Timer(0.5, quick.run, (app, team.enrolment.id, "shared"))
    worker.start()
    try:
        response, data = _ask(client, team.enrolment.id)
    finally:
        worker.join()
    assert response.status_code == 200 and "A comment made just now." in _text(data)
    assert _jobs(app) == []


def test_a_quick_copy_that_never_comes_costs_the_click_no_more_than_its_wait(
        app, client, login, team, make_item, monkeypatch):
    """The worker is busy elsewhere: the click waits for the copy, then asks for its own export
    with what is left of EXPORT_WAIT_SECONDS (none here), so it goes to the progress page."""
    app.config["EXPORT_WAIT_SECONDS"] = 1
    item = make_item("cbd", status="submitted")
    _only_queued(monkeypatch)
    login(client, team.primary)
    _return(client, item, "Nobody has made this yet.")
    response, _ = _ask(client, team.enrolment.id)
    assert response.status_code == 302 and "/exports/" in response.headers["Location"]
    assert len(_jobs(app)) == 1


def test_the_copy_of_whoever_made_the_change_is_made_first(
        app, client, login, team, make_item, monkeypatch):
    """The candidate looking at their export edits their draft: their own copy is made first;
    their supervisor returns an item: the supervisors' copy first."""
    draft = make_item("reflection", status="draft", headings=("2",))
    item = make_item("cbd", status="submitted")
    queued = _only_queued(monkeypatch)
    mine = app.test_client()
    login(mine, team.candidate)
    assert mine.get(f"/exports/enrolment/{team.enrolment.id}").status_code == 200
    edited = mine.post(f"/portfolio/evidence/{draft.id}/edit", data={
        "title": "Fixed the typo", "occurred_on": draft.occurred_on.isoformat(),
        "lock_version": draft.lock_version, **draft.fields, "action": "save"})
    assert edited.status_code in (200, 302), edited.data[:300]
    assert queued == [(team.enrolment.id, "own"), (team.enrolment.id, "shared")]
    queued.clear()
    for form in ("own", "shared"):  # taken by the worker meanwhile
        quick.pdf_path(app, team.enrolment.id, form).with_suffix(".queued").unlink()
    login(client, team.primary)
    _return(client, item, "Please say more.")
    assert queued == [(team.enrolment.id, "shared"), (team.enrolment.id, "own")]

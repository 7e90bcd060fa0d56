"""Export jobs through HTTP (huey in immediate mode), the ZIP and its data, and the CLI."""
from __future__ import annotations

import io
import json
import os
import re
import time
import zipfile

import pytest

from roadmap.audit import service as audit
from roadmap.clock import today
from roadmap.exports import check, jobs, portfolio, stored
from roadmap.exports.pdffile import NotReadable
from roadmap.exports.render import RenderFailed
from roadmap.portfolio import attachments
from tests.exports.conftest import no_worker

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
       b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")



@pytest.fixture
def app_config(app_config, tmp_path, archival_key):
    app_config.update(EXPORT_DIR=str(tmp_path / "exports"), EXPORT_WORKERS=1,
                      ATTACHMENT_DIR=str(tmp_path / "attachments"),
                      CREDENTIAL_KEY_FILE=str(archival_key))  # the archival copy is signed
    return app_config


@pytest.fixture
def portfolio_with_image(app, session, team, make_item):
    """Two items, one signed with an image attached."""
    make_item("reflection", status="draft", headings=("2",))
    item = make_item("cbd", status="submitted", headings=("1", "3"))
    with app.test_request_context():
        attachments.add(session, item, team.candidate, "knee.png", PNG)
    session.commit()
    return item


def _download(client, job_page):
    """The download, read and closed (it is sent from a file)."""
    response = client.get(job_page + "/download")
    response.get_data()
    response.close()
    return response


def _start(client, enrolment_id, kind="pdf"):
    response = client.post(f"/exports/enrolment/{enrolment_id}/{kind}")
    assert response.status_code == 302, response.data[:500]
    return response.headers["Location"]


def test_candidate_exports_the_pdf_with_images_and_downloads_it(client, login, team,
                                                                portfolio_with_image):
    login(client, team.candidate)
    assert client.get(f"/exports/enrolment/{team.enrolment.id}").status_code == 200
    job_page = _start(client, team.enrolment.id)
    page = client.get(job_page)
    assert page.status_code == 200 and b"ready" in page.data
    assert "Refresh" not in page.headers
    download = _download(client, job_page)
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert b"/Image" in download.data
    name = f"Jo-Candidate-portfolio-{today().isoformat()}.pdf"
    assert download.headers["Content-Disposition"] == (
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}")


def test_a_job_is_its_owners_alone(app, client, login, make_user, team, portfolio_with_image):
    login(client, team.candidate)
    job_page = _start(client, team.enrolment.id)
    other = app.test_client()
    login(other, team.primary)
    assert other.get(job_page).status_code == 404
    assert other.get(job_page + "/download").status_code == 404


def test_supervisor_may_export_the_pdf_but_not_the_zip(client, login, team, portfolio_with_image):
    login(client, team.primary)
    assert b"ZIP" not in client.get(f"/exports/enrolment/{team.enrolment.id}").data
    assert client.post(f"/exports/enrolment/{team.enrolment.id}/zip").status_code == 404
    job_page = _start(client, team.enrolment.id)
    assert _download(client, job_page).status_code == 200


def test_a_stranger_supervisor_cannot_export(client, login, team, portfolio_with_image):
    login(client, team.stranger)
    assert client.get(f"/exports/enrolment/{team.enrolment.id}").status_code == 404
    assert client.post(f"/exports/enrolment/{team.enrolment.id}/pdf").status_code == 404


def test_a_failed_export_shows_a_clear_message_and_keeps_the_log(app, client, login, team,
                                                                 portfolio_with_image,
                                                                 monkeypatch):
    def broken(*args, **kwargs):
        raise RenderFailed("refused 'http://example.com/x.png': only files in the asset folder")

    monkeypatch.setattr(portfolio, "export_pdf", broken)
    login(client, team.candidate)
    job_page = _start(client, team.enrolment.id)
    page = client.get(job_page)
    assert page.status_code == 200
    assert b"could not be finished" in page.data
    assert client.get(job_page + "/download").status_code == 404
    job_id = job_page.rsplit("/", 1)[1]
    log = (jobs.folder(app, job_id) / "log.txt").read_text()
    assert "refused 'http://example.com/x.png'" in log


def test_the_zip_holds_the_pdf_every_attachment_and_the_data(client, login, team,
                                                             portfolio_with_image):
    login(client, team.candidate)
    job_page = _start(client, team.enrolment.id, "zip")
    download = _download(client, job_page)
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    names = archive.namelist()
    assert "portfolio.pdf" in names and "data.json" in names and "schema.json" in names
    data = json.loads(archive.read("data.json"))
    schema = json.loads(archive.read("schema.json"))
    assert set(schema["required"]) <= set(data)
    assert data["candidate"]["name"] == "Jo Candidate"
    assert len(data["evidence"]) == 2
    files = [a for e in data["evidence"] for a in e["attachments"]]
    assert len(files) == 1 and archive.read(files[0]["path"]) == PNG
    for item in data["evidence"]:
        assert set(schema["properties"]["evidence"]["items"]["required"]) <= set(item)
    assert data["audit_events"] and all(len(e["hash"]) == 64 for e in data["audit_events"])


def test_cli_writes_the_pdf_and_the_zip(runner, team, portfolio_with_image, tmp_path):
    pdf, archive = tmp_path / "p.pdf", tmp_path / "p.zip"
    result = runner.invoke(args=["export", "pdf", "--email", team.candidate.email,
                                 "--out", str(pdf)])
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF-")
    result = runner.invoke(args=["export", "zip", "--email", team.candidate.email,
                                 "--out", str(archive)])
    assert result.exit_code == 0, result.output
    assert "portfolio.pdf" in zipfile.ZipFile(archive).namelist()
    unknown = runner.invoke(args=["export", "pdf", "--email", "nobody@example.nhs.uk",
                                  "--out", str(pdf)])
    assert unknown.exit_code != 0 and "no account" in unknown.output


def test_a_hub_leads_copy_carries_no_reflective_text(app, session, team, make_item):
    from pypdf import PdfReader

    from roadmap.clock import today

    item = make_item("reflection", status="submitted", headings=("2",),
                     fields={"trigger": "event", "description": "A very private reflection."})

    def text(content: bool) -> str:
        with app.app_context():
            pdf = portfolio.export_pdf(session, team.enrolment, today(), content=content)
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)

    assert "private reflection" in text(True)
    hub_copy = text(False)
    assert item.title in hub_copy
    assert "private reflection" not in hub_copy


def test_a_running_job_shows_its_progress_and_never_reloads_itself(app, client, login, team,
                                                                   monkeypatch):
    no_worker(monkeypatch)
    login(client, team.candidate)
    job_page = _start(client, team.enrolment.id)
    job_id = job_page.rsplit("/", 1)[1]
    jobs.update(app, job_id, state="running", percent=40, message="Laid out 4 of 10 parts")
    page = client.get(job_page)
    assert page.status_code == 200 and "Refresh" not in page.headers  # WCAG 2.2.1 (F41)
    html = page.get_data(as_text=True)
    assert '<progress id="export-progress" max="100" value="40">' in html
    assert "Laid out 4 of 10 parts" in html
    assert "<meta http-equiv" not in html.lower()
    assert ("This page does not update by itself without JavaScript: <a href=\"" + job_page
            + "\">refresh the page</a> to see the progress.") in html
    assert re.search(r'<script type="module" src="/static/build/job\.[0-9a-f]{12}\.js">', html)
    assert client.get(job_page + "/download").status_code == 404


def test_job_ids_are_unguessable_and_checked(app, client, login, team):
    login(client, team.candidate)
    for job_id in ("../../etc", "short", "A" * 32):
        assert client.get(f"/exports/{job_id}").status_code == 404


def _silence(app, job_id, seconds):
    """Nothing has touched the job for this long: no progress, no heartbeat."""
    then = time.time() - seconds
    for name in ("status.json", "heartbeat"):
        path = jobs.folder(app, job_id) / name
        if path.exists():
            os.utime(path, (then, then))


def test_a_job_whose_worker_died_fails_and_offers_to_start_again(app, client, login, team,
                                                                 portfolio_with_image,
                                                                 monkeypatch):
    with monkeypatch.context() as patched:
        no_worker(patched)
        login(client, team.candidate)
        job_page = _start(client, team.enrolment.id)
    job_id = job_page.rsplit("/", 1)[1]
    jobs.update(app, job_id, state="running", percent=40, message="Laid out 4 of 10 parts")
    timeout = app.config["EXPORT_HEARTBEAT_SECONDS"]
    _silence(app, job_id, timeout - 5)  # slow, but heard of recently enough
    assert b"Laid out 4 of 10 parts" in client.get(job_page).data  # still running
    _silence(app, job_id, timeout + 1)  # the worker was killed
    page = client.get(job_page)
    assert page.status_code == 200 and "Refresh" not in page.headers
    html = page.get_data(as_text=True)
    assert "The export could not be finished" in html and "stopped before it was finished" in html
    form = re.search(r'<form method="post" action="([^"]+)">\s*<input type="hidden" '
                     r'name="csrf_token" value="[^"]*">\s*<button[^>]*>Try again</button>', html)
    assert form and form[1] == f"/exports/enrolment/{team.enrolment.id}/pdf"
    again = client.post(form[1])
    assert again.status_code == 302 and again.headers["Location"] != job_page
    assert b"Your download is ready" in client.get(again.headers["Location"]).data
    assert _download(client, again.headers["Location"]).data.startswith(b"%PDF-")
    assert b"could not be finished" in client.get(job_page).data  # the old job stays failed


def test_the_worker_sweeps_up_jobs_a_dead_worker_left_running(app, client, login, team,
                                                              monkeypatch):
    with monkeypatch.context() as patched:
        no_worker(patched)
        login(client, team.candidate)
        job_ids = [_start(client, team.enrolment.id, kind).rsplit("/", 1)[1]
                   for kind in ("pdf", "zip")]  # two jobs (the same ask twice is one)
    for job_id in job_ids:
        jobs.update(app, job_id, state="running")
    _silence(app, job_ids[0], app.config["EXPORT_HEARTBEAT_SECONDS"] + 1)
    assert jobs.sweep(app) == 1
    states = [json.loads((jobs.folder(app, j) / "status.json").read_text())["state"]
              for j in job_ids]
    assert states == ["failed", "running"]


def test_a_running_job_beats_while_a_long_step_reports_no_progress(app, client, login, team,
                                                                   monkeypatch):
    app.config["EXPORT_HEARTBEAT_SECONDS"] = 4  # a beat a second
    beats = []

    def slow(session, enrolment, today, content, progress, **_options):
        started = time.time()
        time.sleep(2.5)
        heartbeat = next((portfolio.setup(app).export_dir / "jobs").glob("*/heartbeat"))
        beats.append(heartbeat.stat().st_mtime - started)
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr(portfolio, "export_pdf", slow)
    login(client, team.candidate)
    job_page = _start(client, team.enrolment.id)
    assert b"Your download is ready" in client.get(job_page).data
    assert beats and beats[0] >= 1.0  # touched during the step, not only before it


def test_a_supervisor_whose_assignment_ends_loses_the_export_they_asked_for(
        app, client, login, session, team, portfolio_with_image):
    """An outsider asked as a supervisor, was taken off the candidate, then downloaded the job's
    file for the 24 hours it is kept: the job page and the download ask the reach again."""
    import sqlalchemy as sa

    from roadmap.supervision import assignments
    from roadmap.supervision.models import SupervisorAssignment

    login(client, team.primary)
    job_page = _start(client, team.enrolment.id)
    assert client.get(job_page).status_code == 200
    assert _download(client, job_page).status_code == 200
    held = session.scalar(sa.select(SupervisorAssignment).where(
        SupervisorAssignment.supervisor_id == team.primary.id))
    assignments.end_assignment(session, held, None)
    session.commit()
    assert client.get(job_page).status_code == 404
    assert _download(client, job_page).status_code == 404


def test_the_zip_carries_the_archival_pdf_while_it_is_current_else_a_quick_copy(
        app, session, client, login, team, make_item):
    """The candidate's stored PDF of their own form, when it holds every change, is the one
    that can be checked at /verify: the ZIP carries it then, and only then."""
    make_item("cbd", status="submitted", headings=("1",))  # no draft: one layout for both forms
    session.commit()
    stored.want_own(app, team.enrolment.id)
    stored.refresh(app, team.enrolment.id)
    kept = stored.pdf_path(app, team.enrolment.id, stored.variant(True)).read_bytes()
    login(client, team.candidate)

    def zipped_pdf() -> bytes:
        download = _download(client, _start(client, team.enrolment.id, "zip"))
        assert download.status_code == 200
        return zipfile.ZipFile(io.BytesIO(download.data)).read("portfolio.pdf")

    archival = zipped_pdf()
    assert archival == kept
    with app.app_context():
        report = check.check(archival, check.published_keys(session, app.config))
    assert report.intact and report.problems == []

    audit.record(session, "enrolment.target_changed", subject_type="enrolment",
                 subject_id=team.enrolment.id, enrolment_id=team.enrolment.id, data={})
    session.commit()  # a change the stored copy does not have yet: the ZIP's PDF is made now
    quick = zipped_pdf()
    assert quick.startswith(b"%PDF") and quick != kept
    with pytest.raises(NotReadable, match="download it again once the archival copy is ready"):
        check.check(quick)

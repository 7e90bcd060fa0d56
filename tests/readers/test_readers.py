"""Who can read a portfolio: told to the candidate, ended at once, drafts private, openings recorded.

Each test is a hole found by attacking the app as an outsider would, tried again over HTTP.
"""
from __future__ import annotations

import datetime as dt
import io

import pyotp
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from roadmap import clock
from roadmap.audit import service as audit
from roadmap.cohorts.models import Cohort
from roadmap.exports import parallel
from roadmap.feedback.models import FeedbackRound
from roadmap.portfolio import attachments
from roadmap.readers.models import ContentAccessEvent
from roadmap.supervision import assignments, review
from tests.fixtures.msk import assessor_answers

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
       b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config.update(EXPORT_DIR=str(tmp_path / "exports"), EXPORT_WORKERS=1,
                      ATTACHMENT_DIR=str(tmp_path / "attachments"))
    return app_config


@pytest.fixture(scope="module", autouse=True)
def _stop_workers():
    yield
    parallel.shutdown()


@pytest.fixture
def supervisor(make_user, team):
    """Another supervisor account, signing in with the team's authenticator secret."""
    def make(email, name):
        return make_user(email, roles=("supervisor",), full_name=name, totp_secret=team.secret)
    return make


def _attach(app, session, item, who, name="scan.png"):
    with app.test_request_context():
        attached = attachments.add(session, item, who, name, PNG)
    session.commit()
    return attached


def _status(client, path) -> int:
    """The status of a GET, its body read and closed (a download is sent from a file)."""
    response = client.get(path)
    response.get_data()
    response.close()
    return response.status_code


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_a_backup_the_hub_assigns_is_told_to_the_candidate_by_email_timeline_and_page(
        client, login, session, team, make_user, supervisor, mailbox):
    hub_id = session.get(Cohort, team.enrolment.cohort_id).hub_id
    lead = make_user("lead@example.nhs.uk", roles=("hub_lead",), hub_id=hub_id,
                     full_name="Hal Lead", totp_secret=pyotp.random_base32())
    watcher = supervisor("watcher@example.org", "Sly Watcher")  # an address the lead holds
    login(client, lead)
    done = client.post(f"/enrolments/{team.enrolment.id}/supervisors", data={
        "kind": "backup", "supervisor_id": str(watcher.id),
        "starts_on": clock.today().strftime("%d/%m/%Y"), "fte": "", "handover_note": ""})
    assert done.status_code == 302
    [told] = mailbox.to(team.candidate.email)
    body = told.get_content()
    assert told["Subject"] == "Sly Watcher is now your backup supervisor"
    assert "Hal Lead" in body and "watcher@example.org" in body
    assert "Bea Backup's access as your backup supervisor ended" in body

    candidate = client.application.test_client()
    login(candidate, team.candidate)
    timeline = _text(candidate.get(f"/timeline/{team.enrolment.id}"))
    assert "Hal Lead. Assigned a supervisor: Sly Watcher as backup supervisor" in timeline
    assert "Ended a supervisor&#39;s access: Bea Backup, backup supervisor, until " in timeline
    page = _text(candidate.get("/portfolio/readers"))
    now, before = page.split('id="before"')
    assert "Sly Watcher" in now and "watcher@example.org" in now and "Assigned by Hal Lead" in now
    assert "Bea Backup" in before and "Only the items they signed themselves" in before
    assert "Hal Lead" in page.split('id="progress"')[1]  # the lead: progress, never reflections


def test_a_replaced_backup_reads_only_what_they_signed_as_they_signed_it(
        client, login, session, team, make_item, supervisor):
    signed = make_item("cbd", status="submitted", to=team.backup)
    review.sign_evidence(session, signed.id, team.backup, assessor_answers(make_item, "cbd"),
                         signed.lock_version, clock.today())
    session.commit()
    assignments.assign(session, team.enrolment, supervisor("new@example.nhs.uk", "New Backup"),
                       "backup", clock.today(), None)  # replaced this morning
    session.commit()
    later = make_item("reflection", status="submitted")  # written after their assignment ended
    signed.title, signed.status = "Rewritten after the signature", "changed_since_signed"
    session.commit()

    login(client, team.backup)
    for path in (f"/portfolio/evidence/{later.id}", f"/supervision/items/{later.id}",
                 f"/timeline/{team.enrolment.id}", f"/supervision/candidates/{team.enrolment.id}",
                 f"/exports/enrolment/{team.enrolment.id}"):
        assert client.get(path).status_code == 404, path
    page = _text(client.get(f"/portfolio/evidence/{signed.id}"))
    assert "Case-based discussion (CBD) item" in page and "as you signed it" in page
    assert "Rewritten after the signature" not in page
    assert client.get(f"/supervision/items/{signed.id}").status_code == 302  # to that page


def test_a_supervisor_replaced_today_loses_export_and_release_at_once(
        client, login, session, team, make_item, supervisor):
    first = supervisor("first@example.nhs.uk", "Fran First")
    assignments.assign(session, team.enrolment, first, "backup", clock.today(), None)
    psq = make_item("psq", status="draft")
    session.add(FeedbackRound(evidence_id=psq.id, kind="psq", self_assessment={},
                              opened_by_id=team.candidate.id))
    session.commit()
    login(client, first)
    assert client.get(f"/exports/enrolment/{team.enrolment.id}").status_code == 200
    assignments.assign(session, team.enrolment, supervisor("second@example.nhs.uk", "Sid Second"),
                       "backup", clock.today(), None)  # replaced the same day
    session.commit()
    assert client.get(f"/exports/enrolment/{team.enrolment.id}").status_code == 404
    assert client.post(f"/exports/enrolment/{team.enrolment.id}/pdf").status_code == 404
    assert client.post(f"/feedback/rounds/{psq.id}/release").status_code == 404
    assert client.get(f"/feedback/rounds/{psq.id}").status_code == 404
    assert client.get(f"/supervision/candidates/{team.enrolment.id}").status_code == 404
    assert "Jo Candidate" not in _text(client.get("/supervision"))


def test_a_draft_is_private_to_the_candidate_until_submitted(
        app, client, login, session, team, make_item):
    draft = make_item("reflection", status="draft")
    draft.title = "Private worry about my knee cases"
    audit.record(session, "evidence.created", actor_id=team.candidate.id, subject_type="evidence",
                 subject_id=draft.id, enrolment_id=team.enrolment.id)
    session.commit()
    file = _attach(app, session, draft, team.candidate)
    make_item("cbd", status="submitted")

    login(client, team.primary)
    for path in (f"/portfolio/evidence/{draft.id}", f"/supervision/items/{draft.id}",
                 f"/portfolio/attachments/{file.id}"):
        assert _status(client, path) == 404, path
    assert draft.title not in _text(client.get(f"/supervision/candidates/{team.enrolment.id}"))
    timeline = _text(client.get(f"/timeline/{team.enrolment.id}"))
    assert "Started an item" in timeline and draft.title not in timeline
    job = client.post(f"/exports/enrolment/{team.enrolment.id}/pdf").headers["Location"]
    pdf = client.get(job + "/download")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.get_data())).pages)
    pdf.close()
    assert "Case-based discussion (CBD) item" in text and "knee cases" not in text

    owner = app.test_client()
    login(owner, team.candidate)
    assert draft.title in _text(owner.get(f"/portfolio/evidence/{draft.id}"))


def test_the_candidate_sees_who_opened_their_files_and_their_own_opens_are_not_recorded(
        app, client, login, session, team, make_item):
    item = make_item("cbd", status="submitted")
    file = _attach(app, session, item, team.candidate, "knee-scan.png")
    login(client, team.primary)
    assert _status(client, f"/portfolio/attachments/{file.id}") == 200
    assert _status(client, f"/portfolio/attachments/{file.id}") == 200  # again: shown once
    assert client.get(f"/supervision/items/{item.id}").status_code == 200

    owner = app.test_client()
    login(owner, team.candidate)
    assert _status(owner, f"/portfolio/attachments/{file.id}") == 200
    assert owner.get(f"/portfolio/evidence/{item.id}").status_code == 200
    page = _text(owner.get("/portfolio/readers/opened"))
    assert "Dr Primary" in page and "Downloaded the file" in page and "knee-scan.png" in page
    assert "primary supervisor" in page and "Opened the item" in page
    _text(owner.get("/portfolio/readers"))
    assert owner.get("/portfolio/readers/opened?page=100000000000000000000000").status_code == 404
    session.rollback()
    rows = session.scalars(sa.select(ContentAccessEvent)).all()
    assert sorted((r.reader_id, r.what) for r in rows) == [
        (team.primary.id, "attachment"), (team.primary.id, "item")]


def test_an_assignment_ended_today_is_over_now_not_at_midnight(session, team, supervisor):
    replaced = assignments.assign(session, team.enrolment, supervisor("n@example.nhs.uk", "Nat"),
                                  "primary", clock.today(), None).ended
    assert replaced is not None and replaced.ended_at <= clock.now()
    assert not replaced.is_current(clock.today()) and replaced.ends_on == clock.today()
    later = clock.today() + dt.timedelta(days=3)
    planned = assignments.assign(session, team.enrolment, supervisor("m@example.nhs.uk", "Max"),
                                 "primary", later, None).ended
    assert planned.ended_at == clock.start_of_day(later) and planned.is_current(clock.today())
    assert not planned.is_current(later)

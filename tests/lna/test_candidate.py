"""The candidate's learning needs analysis over HTTP: begin, save, keep, upload, send."""
from __future__ import annotations

import datetime as dt
import html
import io

import sqlalchemy as sa

from roadmap.accounts.models import UserSession
from roadmap.audit.models import AuditEvent
from roadmap.db import utcnow
from roadmap.lna.models import LearningNeedsAnalysis
from roadmap.portfolio.models import Attachment, Evidence
from tests.fixtures.lna import ANSWERS, PAGE, png


def _analysis(session) -> LearningNeedsAnalysis:
    session.rollback()  # a fresh read: the app committed since
    return session.scalar(sa.select(LearningNeedsAnalysis))


def _events(session, action: str) -> int:
    session.rollback()
    return session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action == action))


def test_the_analysis_is_a_task_on_the_home_page_until_it_is_sent(lna, client_as, session):
    client = client_as(lna.candidate)
    home = client.get("/home").get_data(as_text=True)
    assert "Start your learning needs analysis" in home

    page = client.get(PAGE).get_data(as_text=True)
    assert "What earlier study do you bring?" in page and "An FCP taught module" in page
    analysis = _analysis(session)
    assert analysis.status == "draft" and _events(session, "lna.started") == 1
    assert "Continue your learning needs analysis" in client.get("/home").get_data(as_text=True)

    response = client.post(PAGE, data={**ANSWERS, "lock_version": analysis.lock_version,
                                       "action": "draft"})
    assert response.status_code == 302
    analysis = _analysis(session)
    assert analysis.status == "draft"
    assert analysis.answers == {"prior_study": ["fcp_module", "masters_stage1"],
                                "details": ANSWERS["answer_details"]}
    assert "University of Leeds" in client.get(PAGE).get_data(as_text=True)

    response = client.post(PAGE, data={**ANSWERS, "lock_version": analysis.lock_version,
                                       "action": "send"})
    assert response.status_code == 302
    assert _analysis(session).status == "submitted"
    home = client.get("/home").get_data(as_text=True)
    assert "learning needs analysis</a>" not in home
    sent = client.get(PAGE).get_data(as_text=True)
    assert "You sent your analysis" in sent and "Your education provider" in sent
    assert "Save draft" not in sent


def test_sending_needs_every_required_answer_shown_beside_the_question(lna, client_as, session):
    client = client_as(lna.candidate)
    client.get(PAGE)
    response = client.post(PAGE, data={"answer_details": "", "lock_version": 1,
                                       "action": "send"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="answer_details-error"' in page and "Enter details of your earlier study" in page
    assert _analysis(session).status == "draft"


def test_a_draft_may_be_incomplete(lna, client_as, session):
    client = client_as(lna.candidate)
    client.get(PAGE)
    response = client.post(PAGE, data={"answer_details": "Some of it", "lock_version": 1,
                                       "action": "draft"})
    assert response.status_code == 302
    assert _analysis(session).answers["details"] == "Some of it"


def test_a_second_send_sends_once(lna, client_as, session):
    client = client_as(lna.candidate)
    client.get(PAGE)
    data = {**ANSWERS, "lock_version": 1, "action": "send"}
    assert client.post(PAGE, data=data).status_code == 302
    again = client.post(PAGE, data=data, follow_redirects=True)
    assert again.status_code == 200 and "Your analysis was already sent." in again.get_data(
        as_text=True)
    assert _events(session, "lna.sent") == 1


def test_a_stale_form_keeps_the_answers_and_says_so(lna, client_as, session):
    client = client_as(lna.candidate)
    client.get(PAGE)
    assert client.post(PAGE, data={**ANSWERS, "lock_version": 1,
                                   "action": "draft"}).status_code == 302
    response = client.post(PAGE, data={**ANSWERS, "answer_details": "Typed in another window",
                                       "lock_version": 1, "action": "draft"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "saved in another window" in page and "Typed in another window" in page


def test_autosaved_answers_come_back_on_the_next_visit(lna, client_as, session):
    client = client_as(lna.candidate)
    client.get(PAGE)
    kept = client.post("/portfolio/autosave", data={"path": PAGE, "lock_version": 1,
                                                    "answer_details": "Half a sentence"})
    assert kept.status_code == 200
    page = client.get(PAGE).get_data(as_text=True)
    assert "We kept the answers you were typing automatically on " in page
    assert "automatically, at" not in page  # issue 17 #14: not "…, at 7 December 2026 at 3.24am"
    assert "Half a sentence" in page


def test_answers_posted_after_the_session_ended_are_kept(lna, client_as, session):
    client = client_as(lna.candidate)
    client.get(PAGE)
    # The candidate types for longer than the idle limit; the session ends on the server.
    session.execute(sa.update(UserSession).values(last_seen_at=utcnow() - dt.timedelta(hours=2)))
    session.commit()
    response = client.post(PAGE, data={**ANSWERS, "lock_version": 1, "action": "draft"})
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    session.rollback()
    again = client_as(lna.candidate)
    page = html.unescape(again.get(PAGE).get_data(as_text=True))
    assert "when your session ended" in page and "University of Leeds" in page


def test_a_possible_patient_identifier_needs_a_confirmation(lna, client_as, session):
    client = client_as(lna.candidate)
    client.get(PAGE)
    data = {**ANSWERS, "answer_details": "Module case study: NHS number 943 476 5919.",
            "lock_version": 1, "action": "send"}
    response = client.post(PAGE, data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This may identify a patient" in page and 'id="confirm_pid-error"' in page
    assert client.post(PAGE, data={**data, "confirm_pid": "y"}).status_code == 302
    assert _analysis(session).status == "submitted"


def test_files_are_kept_on_one_portfolio_item_and_stay_once_sent(lna, client_as, session):
    client = client_as(lna.candidate)
    client.get(PAGE)
    for name in ("msc.png", "module.png"):
        response = client.post(f"{PAGE}/files", data={"file": (io.BytesIO(png()), name)},
                               content_type="multipart/form-data")
        assert response.status_code == 302
    analysis = _analysis(session)
    item = session.get(Evidence, analysis.files_evidence_id)
    assert item.title == "Learning needs analysis: certificates and transcripts"
    files = session.scalars(sa.select(Attachment).where(Attachment.evidence_id == item.id)).all()
    assert sorted(f.filename for f in files) == ["module.png", "msc.png"]
    assert "module.png" in client.get(PAGE).get_data(as_text=True)

    refused = client.post(f"{PAGE}/files", data={"file": (io.BytesIO(b"not a file"), "x.exe")},
                          content_type="multipart/form-data")
    assert refused.status_code == 400
    assert 'id="file-error"' in refused.get_data(as_text=True)

    assert client.post(PAGE, data={**ANSWERS, "lock_version": analysis.lock_version,
                                   "action": "send"}).status_code == 302
    late = client.post(f"{PAGE}/files", data={"file": (io.BytesIO(png()), "late.png")},
                       content_type="multipart/form-data")
    assert late.status_code == 400 and "can no longer change" in late.get_data(as_text=True)
    removal = client.post(f"/portfolio/attachments/{files[0].id}/remove")
    assert removal.status_code == 409
    assert "learning needs analysis you sent" in removal.get_data(as_text=True)
    via_item = client.post(f"/portfolio/evidence/{item.id}/attachments",
                           data={"file": (io.BytesIO(png()), "late.png")},
                           content_type="multipart/form-data")
    assert via_item.status_code == 400


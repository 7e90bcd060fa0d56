"""Confirming a learning needs analysis over HTTP: who may, what it credits, what it seeds."""
from __future__ import annotations

import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.cohorts.models import Enrolment
from roadmap.lna.credits import frozen_credits
from roadmap.lna.models import LearningNeedsAnalysis, LnaCredit
from roadmap.portfolio.models import Attachment, Evidence
from roadmap.supervision import checklist
from tests.fixtures.lna import SHARED_DECISIONS


def _url(analysis) -> str:
    return f"/learning-needs-analyses/{analysis.id}"


def _file(session, analysis) -> Attachment:
    return session.scalar(sa.select(Attachment)
                          .where(Attachment.evidence_id == analysis.files_evidence_id))


def _credit_data(session, analysis, **extra) -> dict:
    """Route taught; the first requirement (shared decision making) credited with the file."""
    return {"route": "taught", "lock_version": analysis.lock_version, "credit_0": "y",
            "evidence_0": f"attachment:{_file(session, analysis).id}",
            "note_0": "Covered by the MSc module on shared decisions (2023).", **extra}


def _fresh(session, model, key):
    session.rollback()  # a fresh read: the app committed since
    return session.get(model, key)


def test_another_providers_reviewer_and_the_supervisors_get_404(lna, sent, client_as, session):
    attachment = _file(session, sent)
    for person in (lna.stranger, lna.primary, lna.backup):
        client = client_as(person)
        assert client.get(_url(sent)).status_code == 404, person.full_name
        assert client.post(_url(sent), data=_credit_data(session, sent)).status_code == 404
        assert client.get(f"{_url(sent)}/files/{attachment.id}").status_code == 404
        assert "Lena Learner" not in client.get("/learning-needs-analyses").get_data(as_text=True)
    assert _fresh(session, LearningNeedsAnalysis, sent.id).status == "submitted"


def test_a_draft_is_nobody_elses(lna, client_as, session):
    client_as(lna.candidate).get("/portfolio/learning-needs-analysis")
    draft = session.scalar(sa.select(LearningNeedsAnalysis))
    assert client_as(lna.reviewer).get(_url(draft)).status_code == 404


def test_the_reviewer_reads_the_analysis_and_its_files(lna, sent, client_as, session):
    client = client_as(lna.reviewer)
    waiting = client.get("/learning-needs-analyses").get_data(as_text=True)
    assert "Lena Learner" in waiting and "Provider A" in waiting
    assert "1 learning needs analysis waits for you" in client.get("/home").get_data(as_text=True)
    page = client.get(_url(sent)).get_data(as_text=True)
    assert "University of Leeds" in page and "An FCP taught module" in page
    assert "Certificate: Shared decision making" in page and "File: msc.png" in page
    with client.get(f"{_url(sent)}/files/{_file(session, sent).id}") as download:
        assert download.status_code == 200 and download.data.startswith(b"\x89PNG")


def test_the_reviewer_credits_a_stage_1_requirement_and_the_checklist_shows_it(
        lna, sent, client_as, session):
    client = client_as(lna.reviewer)
    response = client.post(_url(sent), data=_credit_data(session, sent))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    analysis = _fresh(session, LearningNeedsAnalysis, sent.id)
    assert (analysis.status, analysis.route, analysis.confirmed_capacity) == (
        "confirmed", "taught", "provider_reviewer")
    assert analysis.provider_id == lna.provider.id
    assert session.get(Enrolment, lna.enrolment.id).route == "taught"
    credit = session.scalar(sa.select(LnaCredit))
    assert (credit.check_code, credit.given_by_id) == (SHARED_DECISIONS, lna.reviewer.id)
    assert credit.attachment_id == _file(session, sent).id and credit.evidence_id is None
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "lna.confirmed"))
    assert event.actor_id == lna.reviewer.id
    assert event.data["credits"][0]["code"] == SHARED_DECISIONS

    stage = client_as(lna.candidate).get(f"/stages/{lna.enrolment.id}/stage1")
    page = stage.get_data(as_text=True)
    assert "Credited by the learning needs analysis, confirmed by Rita Reviewer on" in page
    checks = {c.code: c for c in checklist.compute(session, lna.enrolment, "stage1").checks}
    assert checks[SHARED_DECISIONS].met
    assert not checks["elearning:pci_social_prescribing"].met
    assert "Credited" not in " ".join(
        c.detail for c in checklist.compute(session, lna.enrolment, "stage2").checks)

    frozen = frozen_credits(session, lna.enrolment, "stage1")
    assert frozen[0]["code"] == SHARED_DECISIONS
    assert frozen[0]["given_by"]["name"] == "Rita Reviewer"
    assert frozen[0]["evidence"]["sha256"] == _file(session, sent).sha256
    assert frozen[0]["provider"] == "Provider A"
    assert frozen_credits(session, lna.enrolment, "stage2") == []

    confirmed = client.get(_url(sent)).get_data(as_text=True)
    assert "Confirm the analysis" not in confirmed and "Taught route" in confirmed
    mine = client_as(lna.candidate).get("/portfolio/learning-needs-analysis").get_data(
        as_text=True)
    assert "Confirmed" in mine and "Covered by the MSc module" in mine


def test_a_credit_without_evidence_is_refused_beside_the_field(lna, sent, client_as, session):
    client = client_as(lna.reviewer)
    response = client.post(_url(sent), data=_credit_data(session, sent, evidence_0=""))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="evidence_0-error"' in page and "Choose the evidence for this credit" in page
    foreign = client.post(_url(sent), data=_credit_data(session, sent, evidence_0="attachment:999"))
    assert foreign.status_code == 400
    no_note = client.post(_url(sent), data=_credit_data(session, sent, note_0=" "))
    assert 'id="note_0-error"' in no_note.get_data(as_text=True)
    no_route = client.post(_url(sent), data=_credit_data(session, sent, route=""))
    assert 'id="route-error"' in no_route.get_data(as_text=True)
    assert _fresh(session, LearningNeedsAnalysis, sent.id).status == "submitted"
    assert session.scalar(sa.select(sa.func.count()).select_from(LnaCredit)) == 0


def test_the_gaps_seed_one_pdp_item_and_a_double_submit_confirms_once(lna, sent, client_as,
                                                                      session):
    client = client_as(lna.reviewer)
    data = _credit_data(session, sent)
    assert client.post(_url(sent), data=data).status_code == 302
    again = client.post(_url(sent), data=data, follow_redirects=True)
    assert "This analysis was already confirmed." in again.get_data(as_text=True)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action == "lna.confirmed")) == 1
    assert session.scalar(sa.select(sa.func.count()).select_from(LnaCredit)) == 1
    plans = session.scalars(sa.select(Evidence).where(
        Evidence.title == "Learning needs from your learning needs analysis")).all()
    assert len(plans) == 1 and plans[0].status == "draft"
    need = plans[0].fields["learning_need"]
    assert "Certificate: Social prescribing" in need and "Shared decision making" not in need


def test_the_primary_supervisor_confirms_when_there_is_no_provider(lna, sent, client_as,
                                                                   session):
    session.execute(sa.update(Enrolment).values(provider_id=None))
    session.commit()
    assert client_as(lna.reviewer).get(_url(sent)).status_code == 404
    assert client_as(lna.backup).get(_url(sent)).status_code == 404
    client = client_as(lna.primary)
    assert "Lena Learner" in client.get("/learning-needs-analyses").get_data(as_text=True)
    taught = client.post(_url(sent), data=_credit_data(session, sent))
    assert taught.status_code == 400
    assert "An education provider runs the taught route" in taught.get_data(as_text=True)
    response = client.post(_url(sent), data=_credit_data(session, sent, route="portfolio"))
    assert response.status_code == 302
    analysis = _fresh(session, LearningNeedsAnalysis, sent.id)
    assert (analysis.confirmed_capacity, analysis.route, analysis.provider_id) == (
        "supervisor", "portfolio", None)
    stage = client.get(f"/stages/{lna.enrolment.id}/stage1").get_data(as_text=True)
    assert "confirmed by Pam Primary on" in stage

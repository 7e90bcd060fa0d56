"""Statements, the PDF and the ZIP say who approved each stage, on what grounds, and what happened.

The supervisor's sign-off and in which capacity, the education provider's approval and by which
provider, the audit sample's second review, referrals with their reasons, the guidance left
unmet with the supervisor's reasons, and the learning needs analysis with its credits.
"""
from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from roadmap.clock import today
from roadmap.exports import archive, portfolio
from roadmap.lna.models import LearningNeedsAnalysis, LnaCredit
from roadmap.portfolio.content import content_hash
from roadmap.providers.models import EducationProvider
from roadmap.supervision import signoff
from roadmap.supervision.checklist import compute
from roadmap.supervision.models import Signature, StageSignOff, StageSignOffRound
from tests.providers.approvals import (decide, name_provider, provider, reviewer, stage_in,
                                    verification_code)
from tests.fixtures.msk import TODAY

ROUND_1 = dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.timezone.utc)
ROUND_2 = dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.timezone.utc)
WORDS = re.compile(r"\s+")



@pytest.fixture
def app_config(app_config, tmp_path):
    app_config.update(EXPORT_DIR=str(tmp_path / "exports"), EXPORT_WORKERS=1)
    return app_config


def _content(number: int, reason: str) -> dict:
    return {"round": number, "supervisor": {"id": 0, "name": "Dr Primary",
                                            "capacity": "primary_supervisor"},
            "guidance_unmet": [{"code": "psq", "label": "Patient questionnaire: a round with "
                                "responses", "detail": "No responses yet.", "reason": reason}]}


@pytest.fixture
def approved(session, team, make_item, make_user):
    """Stage 2 referred once, signed off again, approved, sampled and approved on second review;
    a confirmed learning needs analysis crediting a Stage 1 certificate."""
    north = provider(session, "Northern Education Provider")
    name_provider(session, team.enrolment, north)
    rae = reviewer(session, make_user, north, "Rae Reviewer")
    sol = reviewer(session, make_user, north, "Sol Second")
    stage_in(session, team.enrolment, "stage1", "complete")
    record = stage_in(session, team.enrolment, "stage2", "supervisor_signed", signed_at=ROUND_1,
                      content=_content(1, "First reason"))
    decide(session, record, north, rae, outcome="referred", reason="Heading 7 is thin.",
           headings={"7": "One piece of evidence only."}, at=ROUND_1 + dt.timedelta(days=5))
    second = _content(2, "Patients' feedback gathered by the practice instead")
    digest = content_hash(second)
    session.add(StageSignOffRound(signoff_id=record.id, number=2, signed_content=second,
                                  content_hash=digest, signed_at=ROUND_2))
    record = session.get(StageSignOff, record.id)
    record.status, record.signed_content, record.content_hash = "supervisor_signed", second, digest
    session.add(Signature(subject_type="stage_signoff", subject_id=record.id,
                          signer_id=team.primary.id, signer_name="Dr Primary",
                          capacity="primary_supervisor", content_hash=digest, signed_at=ROUND_2))
    session.commit()
    decide(session, record, north, rae, sampled=True, at=ROUND_2 + dt.timedelta(days=3))
    decide(session, record, north, sol, review="second", at=ROUND_2 + dt.timedelta(days=6))
    record = session.get(StageSignOff, record.id)
    record.status, record.completed_at = "complete", ROUND_2 + dt.timedelta(days=6)
    record.verification_code = verification_code()
    certificate = make_item("elearning_certificate", status="submitted", headings=())
    certificate.title = "Shared decision making certificate (MSc module)"
    lna = LearningNeedsAnalysis(enrolment_id=team.enrolment.id, status="confirmed",
                                route="portfolio", provider_id=north.id, confirmed_by_id=rae.id,
                                confirmed_capacity="provider_reviewer",
                                confirmed_at=dt.datetime(2026, 1, 20, tzinfo=dt.timezone.utc))
    session.add(lna)
    session.flush()
    session.add(LnaCredit(analysis_id=lna.id, check_code="elearning:pci_shared_decision_making",
                          evidence_id=certificate.id, note="Covered in the MSc module",
                          given_by_id=rae.id))
    session.commit()
    return record


def test_verify_names_every_approval_and_the_audit_sample(client, session, approved):
    page = html.unescape(client.get(f"/verify/{approved.verification_code}").get_data(as_text=True))
    assert "This verification statement is genuine" in page
    # The stage's completion (the last approval's time) is not called the supervisor's sign-off.
    assert '<dt class="nhsuk-summary-list__key">Signed off</dt>' not in page
    assert '<dt class="nhsuk-summary-list__key">Stage completed</dt>' in page
    assert "Signed off by the supervisor" in page and "Dr Primary, primary supervisor" in page
    assert "Approved by the education provider" in page
    assert "Northern Education Provider (reviewed by Rae Reviewer; sampled for audit)" in page
    assert "Audit sample: second review by the education provider" in page
    assert "Northern Education Provider (reviewed by Sol Second), approved" in page
    assert "signed off with 1 guidance item not met and gave a reason for each" in page
    assert "Patient questionnaire: a round with responses" in page
    # The reasons are portfolio content: the public page never shows them.
    assert "Patients' feedback gathered by the practice instead" not in page
    assert "First reason" not in page and "Heading 7 is thin." not in page


def test_a_forged_approval_is_not_confirmed(client, session, approved, make_user):
    """An approval on a round whose content does not match its hash is named as unconfirmed."""
    real = session.scalar(sa.select(StageSignOffRound).where(StageSignOffRound.number == 2))
    forged = StageSignOffRound(signoff_id=approved.id, number=3,
                               signed_content={**real.signed_content, "guidance_unmet": []},
                               content_hash=real.content_hash, signed_at=ROUND_2)
    session.add(forged)
    session.commit()
    north = session.get(EducationProvider, session.scalar(sa.select(EducationProvider.id)))
    decide(session, approved, north, reviewer(session, make_user, north, "Fay Forger"))
    page = client.get(f"/verify/{approved.verification_code}").get_data(as_text=True)
    assert "cannot be confirmed" in page


@pytest.mark.msk_v1
def test_a_version_1_sign_off_says_route_before_2024(client, login, session, ready_for_stage2):
    team = ready_for_stage2
    checklist = compute(session, team.enrolment, "stage2")
    signoff.candidate_sign(session, team.enrolment, "stage2", team.candidate,
                           [d["code"] for d in signoff.declarations(checklist, "candidate")])
    session.commit()
    session.expire_all()
    signoff.supervisor_sign(session, team.enrolment, "stage2", team.primary,
                            [d["code"] for d in signoff.declarations(checklist, "supervisor")],
                            None, TODAY)
    session.commit()
    record = session.scalar(sa.select(StageSignOff).where(StageSignOff.stage_code == "stage2"))
    assert record.status == "complete"  # version 1: the supervisor's approval is the last
    page = html.unescape(client.get(f"/verify/{record.verification_code}").get_data(as_text=True))
    assert "Signed off by the supervisor (route before 2024)" in page
    assert "Approved by the education provider" not in page
    login(client, team.candidate)
    pdf = client.get(f"/stages/signoff/{record.id}/statement.pdf").data
    text = WORDS.sub(" ", PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    assert "Signed off by the supervisor (route before 2024)" in text


def test_the_pdf_names_the_approvals_referrals_and_the_analysis(app, session, team, approved):
    with app.app_context():
        pdf = portfolio.export_pdf(session, team.enrolment, today())
    pages = PdfReader(io.BytesIO(pdf)).pages
    text = WORDS.sub(" ", " ".join(page.extract_text() for page in pages))
    for words in ("Approved by the education provider",
                  "Northern Education Provider (reviewed by Rae Reviewer; sampled for audit)",
                  "Audit sample: second review by the education provider",
                  "Referred back by Northern Education Provider", "Heading 7 is thin.",
                  "One piece of evidence only.",
                  "Patients' feedback gathered by the practice instead",
                  "Learning needs analysis", "Covered in the MSc module",
                  "Shared decision making certificate (MSc module)", "Route: portfolio"):
        assert words in text, words


def test_the_zip_data_carries_rounds_decisions_and_the_analysis(session, team, approved):
    data = archive.data(session, team.enrolment, today())
    stage2 = next(s for s in data["stages"] if s["code"] == "stage2")
    assert [a["label"] for a in stage2["approvals"]] == [
        "Signed off by the supervisor", "Approved by the education provider",
        "Audit sample: second review by the education provider"]
    assert [r["number"] for r in stage2["rounds"]] == [1, 2]
    referral = stage2["rounds"][0]["decisions"][0]
    assert referral["outcome"] == "referred" and referral["reason"] == "Heading 7 is thin."
    assert referral["headings"][0]["reason"] == "One piece of evidence only."
    assert [(d["review"], d["sampled_for_audit"]) for d in stage2["rounds"][1]["decisions"]] == [
        ("first", True), ("second", False)]
    assert stage2["guidance_unmet"][0]["reason"].startswith("Patients' feedback")
    assert {c["strength"] for c in stage2["checks"]} == {"gate", "guidance"}
    lna = data["learning_needs_analysis"]
    assert lna["route"] == "portfolio" and lna["confirmed_by"] == "Rae Reviewer"
    assert lna["credits"][0]["check"] == "elearning:pci_shared_decision_making"
    assert lna["credits"][0]["evidence"] == "Shared decision making certificate (MSc module)"

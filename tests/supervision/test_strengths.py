"""Gates and guidance (rule D10): what blocks a stage's sign-off on each roadmap version.

Version 2 of the MSK roadmap (the shipped file) gates on Stage 1, the ratings and the
declarations; 3 a heading, the WPBA pace, MSF and PSQ are guidance, signed past with a reason.
Version 1 (tests marked msk_v1) keeps every check a gate.
"""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.feedback.models import FeedbackResponse
from roadmap.portfolio.content import content_hash
from roadmap.portfolio.models import Evidence, EvidenceCapability
from roadmap.supervision import checklist, signoff
from roadmap.supervision.errors import Incomplete
from roadmap.supervision.models import CapabilityRating, Signature, StageSignOff
from tests.fixtures.msk import TODAY

GUIDANCE = ["evidence_per_heading", "wpba_pace", "msf", "psq"]


@pytest.fixture
def gates_only(session, team, make_item):
    """Stage 2 with every gate met and no guidance: Stage 1 done, every heading rated capable."""
    session.add(StageSignOff(enrolment_id=team.enrolment.id, stage_code="stage1",
                             status="complete",
                             completed_at=dt.datetime(2026, 2, 1, tzinfo=dt.timezone.utc)))
    for capability in make_item.capabilities.values():
        for kind, person in (("self", team.candidate), ("supervisor", team.primary)):
            session.add(CapabilityRating(enrolment_id=team.enrolment.id,
                                         capability_id=capability.id, rater_kind=kind,
                                         rating="capable", rated_by_id=person.id))
    session.commit()
    make_item("cbd", status="submitted", headings=("1", "2"))
    return team


def _sign_as_candidate(session, team):
    signoff.candidate_sign(session, team.enrolment, "stage2", team.candidate,
                           ["candidate_own_work"])
    session.commit()


def test_each_check_carries_its_strength(session, gates_only):
    result = checklist.compute(session, gates_only.enrolment, "stage2")
    assert {c.code: c.strength for c in result.checks} == {
        "requires_stage": "gate", "evidence_per_heading": "guidance", "wpba_pace": "guidance",
        "self_ratings": "gate", "supervisor_ratings": "gate", "msf": "guidance",
        "psq": "guidance"}
    assert result.gates_met and not result.all_met
    assert [c.code for c in result.unmet_guidance] == GUIDANCE
    assert {entry["strength"] for entry in result.summary()} == {"gate", "guidance"}


def test_a_gate_still_blocks(session, gates_only):
    session.execute(sa.delete(StageSignOff).where(StageSignOff.stage_code == "stage1"))
    session.commit()
    with pytest.raises(Incomplete) as raised:
        signoff.candidate_sign(session, gates_only.enrolment, "stage2", gates_only.candidate,
                               ["candidate_own_work"])
    assert list(raised.value.problems) == ["requires_stage"]  # the guidance is not named


def test_unmet_guidance_needs_a_reason_for_each_item(session, gates_only):
    team = gates_only
    _sign_as_candidate(session, team)
    with pytest.raises(Incomplete, match="reason") as raised:
        signoff.supervisor_sign(session, team.enrolment, "stage2", team.primary,
                                ["supervisor_verified"], None, TODAY)
    assert list(raised.value.problems) == GUIDANCE
    partial = {"evidence_per_heading": "Evidence seen in tutorials", "wpba_pace": "  ",
               "msf": "Colleagues' feedback is in the CSR"}
    with pytest.raises(Incomplete) as raised:
        signoff.supervisor_sign(session, team.enrolment, "stage2", team.primary,
                                ["supervisor_verified"], None, TODAY, partial)
    assert list(raised.value.problems) == ["wpba_pace", "psq"]
    assert session.get(StageSignOff, signoff.signoff_for(session, team.enrolment,
                                                         "stage2").id).status == "candidate_signed"


def test_reasons_are_frozen_into_the_signed_content(session, gates_only):
    team = gates_only
    _sign_as_candidate(session, team)
    reasons = {code: f"Why {code}" for code in GUIDANCE}
    signature = signoff.supervisor_sign(session, team.enrolment, "stage2", team.primary,
                                        ["supervisor_verified"], None, TODAY, reasons)
    session.commit()
    record = session.scalar(sa.select(StageSignOff).where(StageSignOff.stage_code == "stage2"))
    assert record.status == "supervisor_signed"  # the education provider approves next (D11)
    unmet = record.signed_content["guidance_unmet"]
    assert [(item["code"], item["reason"]) for item in unmet] == [
        (code, f"Why {code}") for code in GUIDANCE]
    assert all(item["label"] and item["detail"] for item in unmet)
    # The reasons are part of what both the hash and the supervisor's signature cover (D8).
    assert content_hash(record.signed_content) == record.content_hash == signature.content_hash
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "stage.signed_off"))
    assert event.data["guidance_unmet"] == GUIDANCE


def test_one_reason_may_cover_every_unmet_item(session, gates_only):
    team = gates_only
    _sign_as_candidate(session, team)
    reason = "  Part-time post agreed with the employer; seen in practice.  "
    assert signoff.sign(session, team.enrolment, "stage2", team.primary, ["supervisor_verified"],
                        None, TODAY, reason) == "supervisor"
    session.commit()
    record = session.scalar(sa.select(StageSignOff).where(StageSignOff.stage_code == "stage2"))
    assert {item["reason"] for item in record.signed_content["guidance_unmet"]} == {
        "Part-time post agreed with the employer; seen in practice."}
    assert len(record.signed_content["guidance_unmet"]) == len(GUIDANCE)


def test_with_all_guidance_met_no_reason_is_asked(session, ready_for_stage2):
    team = ready_for_stage2
    result = checklist.compute(session, team.enrolment, "stage2")
    assert result.all_met, [(c.code, c.detail) for c in result.checks if not c.met]
    _sign_as_candidate(session, team)
    signoff.supervisor_sign(session, team.enrolment, "stage2", team.primary,
                            ["supervisor_verified"], None, TODAY)
    session.commit()
    record = session.scalar(sa.select(StageSignOff).where(StageSignOff.stage_code == "stage2"))
    assert record.signed_content["guidance_unmet"] == []
    assert session.scalar(sa.select(sa.func.count()).select_from(Signature)
                          .where(Signature.capacity == "primary_supervisor")) == 1


def test_wpba_pace_counts_wpbas_against_two_a_month_for_six_months(session, gates_only,
                                                                   make_item):
    def pace():
        return next(c for c in checklist.compute(session, gates_only.enrolment, "stage2").checks
                    if c.code == "wpba_pace")

    assert pace().label == "At least 12 workplace-based assessments (2 a month over 6 months)"
    assert (pace().met, pace().detail) == (False, "1 of 12 WPBAs.")
    for index in range(11):
        make_item(("cot", "mini_cex", "ceps_dops")[index % 3], status="signed")
    make_item("cbd", status="draft")  # a draft does not count
    make_item("learning_log", status="submitted")  # nor does evidence that is not a WPBA
    assert (pace().met, pace().detail) == (True, "12 of 12 WPBAs.")


def test_without_a_minimum_a_round_with_responses_meets_msf_and_psq(session, gates_only,
                                                                     make_item):
    def feedback():
        return {c.code: c for c in checklist.compute(session, gates_only.enrolment, "stage2").checks
                if c.code in ("msf", "psq")}

    assert feedback()["msf"].label == "Multi-source feedback: a round with responses"
    assert feedback()["psq"].detail == "No responses yet."
    msf = make_item("msf", status="draft")
    session.add(FeedbackResponse(evidence_id=msf.id, respondent_group="clinical", answers={}))
    session.commit()
    found = feedback()
    assert found["msf"].met and found["msf"].detail == "1 response in the fullest round."
    assert not found["psq"].met


@pytest.mark.msk_v1
@pytest.mark.parametrize("missing", ["evidence_per_heading", "msf", "psq"])
def test_on_version_1_every_check_is_a_gate(session, ready_for_stage2, make_item, missing):
    team = ready_for_stage2
    if missing == "evidence_per_heading":
        session.execute(sa.delete(EvidenceCapability).where(
            EvidenceCapability.capability_id == make_item.capabilities["1"].id))
    else:
        doomed = session.scalar(
            sa.select(FeedbackResponse.id)
            .join(Evidence, Evidence.id == FeedbackResponse.evidence_id)
            .where(Evidence.evidence_type_id == make_item.types[missing].id).limit(1))
        session.execute(sa.delete(FeedbackResponse).where(FeedbackResponse.id == doomed))
    session.commit()
    result = checklist.compute(session, team.enrolment, "stage2")
    assert {c.strength for c in result.checks} == {"gate"}
    assert "wpba_pace" not in {c.code for c in result.checks}
    assert not result.gates_met and result.unmet_guidance == []
    with pytest.raises(Incomplete) as raised:
        signoff.candidate_sign(session, team.enrolment, "stage2", team.candidate,
                               ["candidate_own_work"])
    assert list(raised.value.problems) == [missing]

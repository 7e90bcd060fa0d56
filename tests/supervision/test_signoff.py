"""Stage checklists and sign-off: what is met, who signs, and one winner in a race."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.cohorts.models import Enrolment
from roadmap.db import write_intent
from roadmap.feedback.models import FeedbackResponse
from roadmap.supervision import checklist, signoff
from roadmap.supervision.errors import Conflict, Incomplete, NotAllowed
from roadmap.supervision.models import (CapabilityRating, Signature, StageSignOff,
                                        StageSignOffRound)
from tests.fixtures.msk import TODAY

CANDIDATE_DECLARATIONS = ["candidate_own_work"]
SUPERVISOR_DECLARATIONS = ["supervisor_verified"]


def _checks(session, team, stage="stage2"):
    return {c.code: c for c in checklist.compute(session, team.enrolment, stage).checks}


def test_stage2_checklist_names_what_is_missing(session, team, make_item):
    checks = _checks(session, team)
    assert not checks["requires_stage"].met
    assert "has not been signed off" in checks["requires_stage"].detail
    assert not checks["evidence_per_heading"].met
    assert "0 of 14 headings" in checks["evidence_per_heading"].detail
    assert not checks["supervisor_ratings"].met and not checks["msf"].met and not checks["psq"].met


def test_stage2_checklist_all_met_when_ready(session, ready_for_stage2):
    result = checklist.compute(session, ready_for_stage2.enrolment, "stage2")
    assert result.all_met, [(c.code, c.detail) for c in result.checks if not c.met]


def test_drafts_and_returned_items_do_not_count(session, team, make_item):
    for _ in range(3):
        make_item("cbd", status="draft", headings=("2",))
        make_item("cbd", status="returned", headings=("2",))
    assert "2. Person-centred care (0 of 3)" in _checks(session, team)["evidence_per_heading"].missing
    for _ in range(3):
        make_item("cbd", status="signed", headings=("2",))
    assert not any(m.startswith("2.") for m in _checks(session, team)["evidence_per_heading"].missing)


@pytest.mark.msk_v1
@pytest.mark.parametrize("clinical, non_clinical, met", [(5, 4, False), (4, 6, False), (5, 5, True)])
def test_msf_needs_ten_with_five_of_each(session, team, make_item, clinical, non_clinical, met):
    msf = make_item("msf", status="draft")
    for group, count in (("clinical", clinical), ("non_clinical", non_clinical)):
        session.add_all(FeedbackResponse(evidence_id=msf.id, respondent_group=group, answers={})
                        for _ in range(count))
    session.commit()
    assert _checks(session, team)["msf"].met is met


def test_stage1_needs_each_certificate(session, team, make_item):
    checks = _checks(session, team, "stage1")
    assert [c.met for c in checks.values()] == [False] * 4
    make_item("elearning_certificate", fields={"module": "pci_social_prescribing"})
    checks = _checks(session, team, "stage1")
    assert checks["elearning:pci_social_prescribing"].met
    assert not checks["elearning:pci_shared_decision_making"].met


def test_one_heading_below_capable_blocks_sign_off(session, ready_for_stage2):
    team = ready_for_stage2
    session.execute(sa.update(CapabilityRating).where(
        CapabilityRating.rater_kind == "supervisor",
        CapabilityRating.capability_id == sa.select(sa.func.min(CapabilityRating.capability_id))
        .scalar_subquery()).values(rating="needs_further_development"))
    session.commit()
    with pytest.raises(Incomplete) as raised:
        signoff.candidate_sign(session, team.enrolment, "stage2", team.candidate, CANDIDATE_DECLARATIONS)
    assert "supervisor_ratings" in raised.value.problems


def test_candidate_then_backup_acting_for_the_primary(session, ready_for_stage2, mailbox):
    team = ready_for_stage2
    with pytest.raises(Incomplete):
        signoff.candidate_sign(session, team.enrolment, "stage2", team.candidate, [])
    signoff.candidate_sign(session, team.enrolment, "stage2", team.candidate, CANDIDATE_DECLARATIONS)
    session.commit()
    with pytest.raises(NotAllowed, match="say why"):
        signoff.supervisor_sign(session, team.enrolment, "stage2", team.backup,
                                SUPERVISOR_DECLARATIONS, "", TODAY)
    with pytest.raises(NotAllowed):
        signoff.supervisor_sign(session, team.enrolment, "stage2", team.stranger,
                                SUPERVISOR_DECLARATIONS, "covering", TODAY)
    signature = signoff.supervisor_sign(session, team.enrolment, "stage2", team.backup,
                                        SUPERVISOR_DECLARATIONS,
                                        "Dr Primary is on leave until 1 July", TODAY)
    session.commit()
    assert signature.capacity == "backup_acting_for_primary"
    assert signature.acting_reason == "Dr Primary is on leave until 1 July"
    record = session.scalar(sa.select(StageSignOff).where(StageSignOff.stage_code == "stage2"))
    # Stage 2 of the shipped roadmap ends with the education provider's approval (D11): it
    # waits for it, kept as round 1, with no verification code until it is complete.
    assert record.status == "supervisor_signed" and record.verification_code is None
    assert record.signed_content["supervisor"]["capacity"] == "backup_acting_for_primary"
    assert session.get(Enrolment, team.enrolment.id).stage2_signed_off_on is None
    kept = session.scalar(sa.select(StageSignOffRound).where(StageSignOffRound.signoff_id == record.id))
    assert (kept.number, kept.content_hash, kept.signed_content) == (
        1, record.content_hash, record.signed_content)
    assert any("waiting for your education provider" in m["Subject"]
               for m in mailbox.to("cand@example.nhs.uk"))
    with pytest.raises(Conflict, match="Bea Backup .* has already signed"):
        signoff.supervisor_sign(session, team.enrolment, "stage2", team.primary,
                                SUPERVISOR_DECLARATIONS, None, TODAY)


def test_supervisor_cannot_sign_before_the_candidate(session, ready_for_stage2):
    with pytest.raises(Incomplete, match="candidate has not signed"):
        signoff.supervisor_sign(session, ready_for_stage2.enrolment, "stage2",
                                ready_for_stage2.primary, SUPERVISOR_DECLARATIONS, None, TODAY)


def _signs_as(session, team, person):
    record = session.scalar(sa.select(StageSignOff).where(
        StageSignOff.enrolment_id == team.enrolment.id, StageSignOff.stage_code == "stage2"))
    return signoff.signs_as(session, team.enrolment, record, person, TODAY)


def test_the_candidate_signs_first_then_a_current_supervisor(session, ready_for_stage2):
    team = ready_for_stage2
    people = (team.candidate, team.primary, team.backup, team.stranger)
    assert [_signs_as(session, team, p) for p in people] == ["candidate", None, None, None]
    with pytest.raises(NotAllowed):
        signoff.sign(session, team.enrolment, "stage2", team.primary, SUPERVISOR_DECLARATIONS,
                     None, TODAY)
    assert signoff.sign(session, team.enrolment, "stage2", team.candidate,
                        CANDIDATE_DECLARATIONS, None, TODAY) == "candidate"
    session.commit()
    assert [_signs_as(session, team, p) for p in people] == [None, "supervisor", "supervisor", None]
    assert signoff.sign(session, team.enrolment, "stage2", team.primary, SUPERVISOR_DECLARATIONS,
                        None, TODAY) == "supervisor"
    session.commit()
    assert [_signs_as(session, team, p) for p in people] == [None, None, None, None]


def test_twenty_parallel_sign_offs_make_exactly_one(app, session, ready_for_stage2):
    """Real concurrent connections, as 20 requests would be: one wins, 19 are told why."""
    team = ready_for_stage2
    signoff.candidate_sign(session, team.enrolment, "stage2", team.candidate, CANDIDATE_DECLARATIONS)
    session.commit()
    sessions = app.extensions["roadmap.db"].sessions
    start = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(index: int) -> None:
        write_intent.set(True)  # a POST request sets this: SQLite takes the write lock at BEGIN
        signer_id = (team.primary if index % 2 else team.backup).id
        own = sessions()
        try:
            from roadmap.accounts.models import User
            start.wait()
            enrolment = own.get(Enrolment, team.enrolment.id)
            signer = own.get(User, signer_id)
            signoff.supervisor_sign(own, enrolment, "stage2", signer, SUPERVISOR_DECLARATIONS,
                                    "Covering for Dr Primary", TODAY)
            own.commit()
            result = "signed"
        except Conflict as conflict:
            own.rollback()
            result = f"conflict: {conflict}"
        except Exception as error:  # anything else is a failure of the test
            own.rollback()
            result = f"error: {error!r}"
        finally:
            own.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert outcomes.count("signed") == 1, outcomes
    conflicts = [o for o in outcomes if o.startswith("conflict")]
    assert len(conflicts) == 19, outcomes
    assert all("has already signed this stage off" in c for c in conflicts)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action == "stage.signed_off")) == 1
    assert session.scalar(sa.select(sa.func.count()).select_from(Signature)
                          .where(Signature.capacity != "candidate")) == 1


@pytest.mark.msk_v1
def test_a_stage_the_supervisor_approves_last_is_complete_at_once(session, ready_for_stage2,
                                                                  mailbox):
    """Version 1 roadmaps end with the supervisor: signed off at once, as before, in a round."""
    team = ready_for_stage2
    signoff.candidate_sign(session, team.enrolment, "stage2", team.candidate, CANDIDATE_DECLARATIONS)
    signoff.supervisor_sign(session, team.enrolment, "stage2", team.primary,
                            SUPERVISOR_DECLARATIONS, None, TODAY)
    session.commit()
    record = session.scalar(sa.select(StageSignOff).where(StageSignOff.stage_code == "stage2"))
    assert record.status == "complete" and record.verification_code.startswith("RM-")
    assert session.get(Enrolment, team.enrolment.id).stage2_signed_off_on == TODAY
    kept = session.scalar(sa.select(StageSignOffRound).where(StageSignOffRound.signoff_id == record.id))
    assert (kept.number, kept.content_hash) == (1, record.content_hash)
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "stage.signed_off"))
    assert (event.data["round"], event.data["waiting_for"]) == (1, None)
    assert event.data["verification_code"] == record.verification_code
    assert any("signed off" in m["Subject"] for m in mailbox.to("cand@example.nhs.uk"))

"""Assessing an item: sign with the assessor's answers, or return it; capacity recorded."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.portfolio.models import Evidence, EvidenceVersion
from roadmap.supervision import review
from roadmap.supervision.errors import Conflict, Incomplete, NotAllowed
from roadmap.supervision.models import Signature
from tests.fixtures.msk import TODAY, assessor_answers


def test_primary_signs_a_cbd_and_the_version_is_frozen(session, team, make_item, mailbox):
    item = make_item("cbd")
    answers = assessor_answers(make_item, "cbd")
    signature = review.sign_evidence(session, item.id, team.primary, answers, item.lock_version, TODAY)
    session.commit()
    assert signature.capacity == "primary_supervisor"
    version = session.get(EvidenceVersion, signature.subject_id)
    assert version.content_hash == signature.content_hash
    assert version.content["fields"] == session.get(Evidence, item.id).fields
    assert session.get(Evidence, item.id).status == "signed"
    [message] = mailbox.to("cand@example.nhs.uk")
    assert "Dr Primary signed" in message["Subject"]


def test_backup_signs_any_item_in_their_own_capacity(session, team, make_item):
    item = make_item("cot")
    signature = review.sign_evidence(session, item.id, team.backup, assessor_answers(make_item, "cot"),
                                     item.lock_version, TODAY)
    assert signature.capacity == "backup_supervisor"


def test_a_supervisor_of_someone_else_cannot_sign(session, team, make_item):
    item = make_item("cbd")
    with pytest.raises(NotAllowed):
        review.sign_evidence(session, item.id, team.stranger, assessor_answers(make_item, "cbd"),
                             item.lock_version, TODAY)


def test_an_ended_assignment_cannot_sign(session, team, make_item):
    import datetime as dt
    from roadmap.supervision.models import SupervisorAssignment
    session.execute(sa.update(SupervisorAssignment).where(
        SupervisorAssignment.supervisor_id == team.backup.id)
        .values(ended_at=dt.datetime(2026, 5, 1, 23, tzinfo=dt.timezone.utc)))
    session.commit()
    item = make_item("cbd")
    with pytest.raises(NotAllowed):
        review.sign_evidence(session, item.id, team.backup, assessor_answers(make_item, "cbd"),
                             item.lock_version, TODAY)


def test_missing_ratings_are_named_beside_their_fields(session, team, make_item):
    item = make_item("cot")
    answers = assessor_answers(make_item, "cot")
    answers.pop("pc3")
    answers["overall"] = "brilliant"
    with pytest.raises(Incomplete) as raised:
        review.sign_evidence(session, item.id, team.primary, answers, item.lock_version, TODAY)
    assert set(raised.value.problems) == {"pc3", "overall"}
    session.rollback()
    assert session.get(Evidence, item.id).status == "submitted"


def test_a_stale_form_is_refused_not_lost(session, team, make_item):
    item = make_item("cbd")
    stale = item.lock_version
    session.execute(sa.update(Evidence).where(Evidence.id == item.id)
                    .values(lock_version=Evidence.lock_version + 1))
    session.commit()
    with pytest.raises(Conflict, match="changed this item after you opened it"):
        review.sign_evidence(session, item.id, team.primary, assessor_answers(make_item, "cbd"),
                             stale, TODAY)


def test_only_a_submitted_item_can_be_signed(session, team, make_item):
    item = make_item("cbd", status="draft")
    with pytest.raises(Conflict, match="no longer waiting"):
        review.sign_evidence(session, item.id, team.primary, assessor_answers(make_item, "cbd"),
                             item.lock_version, TODAY)


def test_return_needs_a_comment_and_tells_the_candidate(session, team, make_item, mailbox):
    item = make_item("cbd")
    with pytest.raises(Incomplete):
        review.return_evidence(session, item.id, team.primary, "  ", item.lock_version, TODAY)
    review.return_evidence(session, item.id, team.primary, "Add your learning points.",
                           item.lock_version, TODAY)
    session.commit()
    assert session.get(Evidence, item.id).status == "returned"
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "evidence.returned"))
    # Issue 22: the log keeps the comment's length, never its text (the comment holds that).
    assert event.data == {"comment_length": len("Add your learning points.")}
    assert "learning points" not in str(event.data)
    assert "Add your learning points." in mailbox.to("cand@example.nhs.uk")[0].get_content()
    assert session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 0


def test_supervisor_starts_an_observed_wpba_for_the_candidate(session, team, make_item, mailbox):
    answers = assessor_answers(make_item, "cbd")
    item = review.start_observed(session, team.enrolment.id, team.primary, "cbd",
                                 "Knee pain case discussed", TODAY, answers, TODAY)
    session.commit()
    assert item.status == "draft" and item.created_by_id == team.primary.id
    assert mailbox.to("cand@example.nhs.uk")
    with pytest.raises(Incomplete):
        review.start_observed(session, team.enrolment.id, team.primary, "reflection", "x",
                              TODAY, {}, TODAY)

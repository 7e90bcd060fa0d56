"""Supervisors see every external assessor's signature, accept it or dispute it (over HTTP)."""
from __future__ import annotations

import html

import pytest
import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.backup.verify import verify
from roadmap.portfolio.models import Evidence, EvidenceCapability
from roadmap.portfolio.progress import capability_counts
from roadmap.supervision import checklist as checklists
from roadmap.supervision.models import ExternalSignatureReview, Signature
from tests.feedback.helpers import ask_assessor, assessor_form, sign_by_ticket
from tests.fixtures.msk import assessor_answers

INBOX_SECTION = "Signed by an external assessor, not yet reviewed"


def _sign_externally(app, session, team, make_item, item, mailbox, login, email) -> Signature:
    candidate = app.test_client()
    login(candidate, team.candidate)
    assert ask_assessor(candidate, item.id, email).status_code == 302
    path = mailbox.link(mailbox.to(email)[-1])
    session.rollback()  # a fresh snapshot: the app changed the item since
    lock = session.get(Evidence, item.id).lock_version
    signed = sign_by_ticket(app.test_client(), path,
                            assessor_form(assessor_answers(make_item, "cot"), lock))
    assert signed.status_code == 200, signed.data[:3000]
    session.rollback()
    return session.scalar(sa.select(Signature).order_by(Signature.id.desc()).limit(1))


@pytest.fixture
def signed(app, session, team, make_item, mailbox, login):
    """A COT linked to heading 1 and signed by an external assessor through the emailed link."""
    item = make_item("cot", status="draft", headings=("1",))
    signature = _sign_externally(app, session, team, make_item, item, mailbox, login, "gp@nhs.net")
    return item, signature


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.data[:2000]
    return html.unescape(response.get_data(as_text=True))


def _supervisor(app, login, person):
    client = app.test_client()
    login(client, person)
    return client


def _counted(session, team, item) -> int:
    capability_id = session.scalar(sa.select(EvidenceCapability.capability_id).where(
        EvidenceCapability.evidence_id == item.id))
    return capability_counts(session, [team.enrolment.id])[team.enrolment.id].get(capability_id, 0)


def test_both_supervisors_see_the_external_signature(app, session, team, signed, login):
    item, signature = signed
    for person in (team.primary, team.backup):
        client = _supervisor(app, login, person)
        inbox = _page(client, "/supervision")
        assert INBOX_SECTION in inbox and item.title in inbox
        assert "Dr Ext Assessor" in inbox and "GMC 7654321" in inbox
        page = _page(client, f"/supervision/items/{item.id}")
        for shown in ("Dr Ext Assessor, GP partner", "GMC 7654321", "Not yet reviewed",
                      "I am not Jo Candidate", signature.content_hash, "Dispute this signature",
                      "Accept this signature"):
            assert shown in page, shown


def test_an_external_signature_counts_at_once(session, team, signed):
    item, _ = signed
    session.rollback()
    assert session.get(Evidence, item.id).status == "signed"
    assert _counted(session, team, item) == 1


def test_accepting_clears_the_inbox(app, session, team, signed, login):
    item, signature = signed
    client = _supervisor(app, login, team.backup)
    response = client.post(f"/supervision/items/{item.id}/external/accept",
                           data={"signature_id": str(signature.id)})
    assert response.status_code == 302
    assert INBOX_SECTION not in _page(client, "/supervision")
    page = _page(client, f"/supervision/items/{item.id}")
    assert "Accepted by" in page and "Bea Backup" in page and "Accept this signature" not in page
    session.rollback()
    review = session.scalar(sa.select(ExternalSignatureReview))
    assert (review.outcome, review.reviewer_id, review.capacity) == (
        "accepted", team.backup.id, "backup_supervisor")
    assert session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "evidence.external_signature_accepted")).data["signature_id"] == signature.id
    # Accepting twice is refused in words, not with an error page.
    again = client.post(f"/supervision/items/{item.id}/external/accept",
                        data={"signature_id": str(signature.id)}, follow_redirects=True)
    assert again.status_code == 200 and "has already accepted" in again.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(ExternalSignatureReview)) == 1


def test_a_dispute_stops_the_signature_counting(app, session, team, signed, login, mailbox):
    item, signature = signed
    candidate_email, enrolment_id = team.candidate.email, team.enrolment.id
    reason = "I phoned the practice: nobody of this name works there."
    client = _supervisor(app, login, team.primary)
    before = len(mailbox.messages)
    response = client.post(f"/supervision/items/{item.id}/external/dispute",
                           data={"signature_id": str(signature.id), "reason": reason})
    assert response.status_code == 302, response.data[:2000]
    session.rollback()
    session.rollback()
    assert session.get(Evidence, item.id).status == "returned"
    assert _counted(session, team, item) == 0
    event = session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "evidence.external_signature_disputed"))
    assert (event.actor_id, event.data["signature_id"], event.data["reason_length"]) == (
        team.primary.id, signature.id, len(reason))
    assert reason not in str(event.data)  # issue 22: the text stays on the review only
    assert INBOX_SECTION not in _page(client, "/supervision")
    # The candidate is told, on the item, on the timeline and by email.
    candidate = app.test_client()
    login(candidate, team.candidate)
    item_page = _page(candidate, f"/portfolio/evidence/{item.id}")
    assert reason in item_page and "no longer counts" in item_page and "GMC 7654321" in item_page
    timeline = _page(candidate, f"/timeline/{enrolment_id}")
    # Issue 17 #6: whose signature, in which capacity; the reason after the item's title; and
    # the assessor (no account) named as who signed, not "Roadmap".
    name = signature.signer_name
    assert f"Disputed {name}'s signature as external assessor: it no longer counts: " in timeline
    assert "as primary supervisor (signed by" not in timeline
    assert f". Reason: {reason}" in timeline and ".: " not in timeline
    assert f"{name} (external assessor). Signed an item as an external assessor" in timeline
    (message,) = [m for m in mailbox.messages[before:] if m["To"] == candidate_email]
    assert reason in message.get_content()
    # The signature itself is kept as it was, and the record still verifies.
    assert session.get(Signature, signature.id).content_hash == signature.content_hash
    assert verify(session).problem is None


def test_the_candidate_can_still_finish_after_a_dispute(app, session, team, signed, make_item,
                                                        login, mailbox):
    item, signature = signed
    client = _supervisor(app, login, team.primary)
    client.post(f"/supervision/items/{item.id}/external/dispute",
                data={"signature_id": str(signature.id), "reason": "Not a registered clinician"})
    second = _sign_externally(app, session, team, make_item, item, mailbox, login,
                              "another.gp@nhs.net")
    assert second.id != signature.id
    session.rollback()
    assert session.get(Evidence, item.id).status == "signed"
    assert _counted(session, team, item) == 1
    assert INBOX_SECTION in _page(client, "/supervision")
    assert verify(session).problem is None


def test_a_dispute_needs_a_reason(app, session, team, signed, login):
    item, signature = signed
    client = _supervisor(app, login, team.primary)
    response = client.post(f"/supervision/items/{item.id}/external/dispute",
                           data={"signature_id": str(signature.id), "reason": "  "})
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "Say why, for the candidate and the record" in text
    assert 'href="#reason"' in text
    session.rollback()
    assert session.get(Evidence, item.id).status == "signed"


def test_control_characters_leave_the_reason(app, session, team, signed, login):
    item, signature = signed
    client = _supervisor(app, login, team.primary)
    response = client.post(f"/supervision/items/{item.id}/external/dispute",
                           data={"signature_id": str(signature.id),
                                 "reason": "Not\x07 registered\x1b.\nChecked the register."})
    assert response.status_code == 302
    session.rollback()
    assert session.scalar(sa.select(ExternalSignatureReview.reason)) == (
        "Not registered.\nChecked the register.")


@pytest.mark.parametrize("signature_id", ["abc", "", "99999999999999999999999", "-1"])
def test_a_forged_signature_id_is_refused_in_words(app, session, team, signed, login, signature_id):
    item, _ = signed
    client = _supervisor(app, login, team.primary)
    for action, data in (("accept", {}), ("dispute", {"reason": "Forged"})):
        response = client.post(f"/supervision/items/{item.id}/external/{action}",
                               data={"signature_id": signature_id, **data}, follow_redirects=True)
        assert response.status_code == 200
        assert "not an external assessor's signature" in html.unescape(response.get_data(as_text=True))
    session.rollback()
    assert session.get(Evidence, item.id).status == "signed"


def test_only_the_candidates_supervisors_may_review(app, session, team, signed, login):
    item, signature = signed
    stranger = _supervisor(app, login, team.stranger)
    for action in ("accept", "dispute"):
        response = stranger.post(f"/supervision/items/{item.id}/external/{action}",
                                 data={"signature_id": str(signature.id), "reason": "Mine now"})
        assert response.status_code == 404
    candidate = app.test_client()
    login(candidate, team.candidate)
    assert candidate.post(f"/supervision/items/{item.id}/external/dispute",
                          data={"signature_id": str(signature.id), "reason": "x"}).status_code in (403, 404)
    session.rollback()
    session.rollback()
    assert session.get(Evidence, item.id).status == "signed"
    assert session.scalar(sa.select(sa.func.count()).select_from(ExternalSignatureReview)) == 0


def test_no_stage_is_signed_off_on_an_unreviewed_external_signature(app, session, ready_for_stage2,
                                                                    make_item, mailbox, login):
    team = ready_for_stage2
    item = make_item("cot", status="draft", headings=("2",))
    signature = _sign_externally(app, session, team, make_item, item, mailbox, login, "gp@nhs.net")
    checklist = checklists.compute(session, team.enrolment, "stage2")
    check = next(c for c in checklist.checks if c.code == "external_reviewed")
    assert not check.met and not checklist.all_met and any(item.title in m for m in check.missing)
    # Stage 1 accepts no WPBA, so it is not held up by one.
    assert all(c.code != "external_reviewed"
               for c in checklists.compute(session, team.enrolment, "stage1").checks)
    client = _supervisor(app, login, team.primary)
    client.post(f"/supervision/items/{item.id}/external/accept",
                data={"signature_id": str(signature.id)})
    session.rollback()
    checklist = checklists.compute(session, team.enrolment, "stage2")
    assert all(c.code != "external_reviewed" for c in checklist.checks) and checklist.all_met


def test_the_reviews_are_append_only(app, session, team, signed, login):
    item, signature = signed
    client = _supervisor(app, login, team.primary)
    client.post(f"/supervision/items/{item.id}/external/accept",
                data={"signature_id": str(signature.id)})
    session.rollback()
    for statement in ("UPDATE external_signature_reviews SET outcome = 'disputed', reason = 'x'",
                      "DELETE FROM external_signature_reviews",
                      "UPDATE signatures SET registration_number = '0000000'"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            session.execute(sa.text(statement))
        session.rollback()


def test_old_dispute_events_holding_their_reason_still_verify_and_show(
        app, session, team, signed, login):
    """Issue 22: new dispute events keep the reason's length only; events written before that
    (the whole reason in the log) are left as they are: the chain still verifies over both
    kinds, and the timeline shows each reason (the old from the log, the new from the review)."""
    from roadmap.audit import service as audit
    from roadmap.audit.service import verify_chain
    item, signature = signed
    audit.record(session, "evidence.external_signature_disputed", actor_id=team.primary.id,
                 subject_type="evidence", subject_id=item.id, enrolment_id=team.enrolment.id,
                 data={"signature_id": signature.id, "review_id": None, "capacity": "primary",
                       "assessor": signature.signer_name, "reason": "An old reason, kept."})
    session.commit()
    client = _supervisor(app, login, team.primary)
    response = client.post(f"/supervision/items/{item.id}/external/dispute",
                           data={"signature_id": str(signature.id), "reason": "A new reason."})
    assert response.status_code == 302, response.data[:2000]
    session.rollback()
    old, new = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "evidence.external_signature_disputed").order_by(AuditEvent.id))
    assert old.data["reason"] == "An old reason, kept." and "reason" not in new.data
    assert new.data["reason_length"] == len("A new reason.")
    assert verify_chain(session).ok and verify(session).problem is None
    timeline = _page(client, f"/timeline/{team.enrolment.id}")
    assert "Reason: An old reason, kept." in timeline and "Reason: A new reason." in timeline

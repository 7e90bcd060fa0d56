"""The education provider's review over HTTP: the queue, the frozen snapshot, approve, refer."""
from __future__ import annotations

import re

import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.cohorts.models import Enrolment
from roadmap.providers.models import ProviderDecision
from roadmap.framework.models import Capability
from roadmap.supervision.models import (CapabilityRating, StageSignOff, StageSignOffRound,
                                        SupervisorAssignment)
from tests.fixtures.apps import TEST_PASSWORD, through_check
from tests.fixtures.providers import latest_round

STAGE_FORM = {"declarations": "candidate_own_work"}


def _fresh(session) -> None:
    """See what the requests committed: a new transaction, and nothing kept from before."""
    session.rollback()
    session.expire_all()


def _stage(session, team) -> StageSignOff:
    """The team's Stage 2 sign-off, as the database holds it now."""
    _fresh(session)
    return session.scalar(sa.select(StageSignOff).where(
        StageSignOff.enrolment_id == team.enrolment.id, StageSignOff.stage_code == "stage2"))


def _decisions(session) -> list[ProviderDecision]:
    """Every provider decision, as the database holds it now."""
    _fresh(session)
    return list(session.scalars(sa.select(ProviderDecision).order_by(ProviderDecision.id)))


def test_the_queue_lists_the_providers_learners_oldest_first_with_their_age(
        client, login, reviewing, waiting_since):
    waiting_since(reviewing.provider, "Ada Recent", 3)
    waiting_since(reviewing.provider, "Bo Older", 12)
    waiting_since(reviewing.other_provider, "Cy Elsewhere", 30)
    login(client, reviewing.first)
    page = client.get("/provider").get_data(as_text=True)
    assert page.index("Bo Older") < page.index("Ada Recent")
    assert "<span>12 days<br>" in page and "<span>3 days<br>" in page and "waiting 12" not in page
    assert "Cy Elsewhere" not in page


def test_the_reviewer_reads_the_frozen_snapshot_and_approves(client, login, session, waiting,
                                                             mailbox):
    team, kept = waiting.team, waiting.round
    # The portfolio changes after the sign-off: the review shows what was signed.
    session.execute(sa.update(CapabilityRating).where(CapabilityRating.rater_kind == "supervisor")
                    .values(rating="excellent"))
    session.commit()
    login(client, waiting.first)
    home = client.get("/home").get_data(as_text=True)
    assert "1 portfolio signed off by a supervisor waits for your review" in home
    assert f"/provider/rounds/{kept.id}" in client.get("/provider").get_data(as_text=True)
    page = client.get(f"/provider/rounds/{kept.id}").get_data(as_text=True)
    assert "Dr Primary, primary supervisor" in page and kept.content_hash in page
    assert "Excellent" not in page and "Capable" in page
    assert "Person-centred care" in page  # heading titles, from the pinned framework
    for _evidence, _number, digest in kept.signed_content["evidence"]:
        assert digest in page
    response = through_check(client, f"/provider/rounds/{kept.id}/approve", {})
    assert response.status_code == 302 and response.headers["Location"].endswith("/provider")
    record = _stage(session, team)
    assert record.status == "complete" and record.verification_code.startswith("RM-")
    enrolment = session.get(Enrolment, team.enrolment.id)
    assert enrolment.stage2_signed_off_on is not None and enrolment.status == "completed"
    [decision] = _decisions(session)
    assert (decision.review, decision.outcome, decision.sampled_for_audit) == (
        "first", "approved", False)
    assert decision.content_hash == kept.content_hash
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "provider.approved"))
    assert event.actor_id == waiting.first.id and event.enrolment_id == team.enrolment.id
    assert event.data["content_hash"] == kept.content_hash
    assert event.data["verification_code"] == record.verification_code
    [told] = [m for m in mailbox.to(team.candidate.email) if m["Subject"].endswith("signed off")]
    assert "University of Example approved it" in told.get_content()
    assert "Nothing is waiting for your review" in client.get("/provider").get_data(as_text=True)


def test_a_double_submitted_approval_makes_one_decision(client, login, session, waiting):
    login(client, waiting.first)
    url = f"/provider/rounds/{waiting.round.id}/approve"
    assert through_check(client, url, {}).status_code == 302
    again = through_check(client, url, {}, follow_redirects=True)
    assert again.status_code == 200
    assert "Rhea Reviewer already approved this portfolio" in again.get_data(as_text=True)
    assert len(_decisions(session)) == 1


def test_another_providers_reviewer_gets_404_everywhere(client, login, session, waiting):
    login(client, waiting.other)
    kept = waiting.round
    assert "Jo Candidate" not in client.get("/provider").get_data(as_text=True)
    assert client.get(f"/provider/rounds/{kept.id}").status_code == 404
    for action in ("approve", "refer"):
        response = through_check(client, f"/provider/rounds/{kept.id}/{action}",
                               {"refer-reason": "No", "heading-1": "No"})
        assert response.status_code == 404
    assert client.get(f"/stages/{waiting.team.enrolment.id}/stage2").status_code == 404
    assert _decisions(session) == [] and _stage(session, waiting.team).status == "supervisor_signed"


def test_an_ended_reviewer_no_longer_reaches_the_round(client, login, session, waiting):
    from roadmap.providers.models import ProviderReviewer

    session.execute(sa.update(ProviderReviewer).where(ProviderReviewer.user_id == waiting.first.id)
                    .values(ended_at=sa.func.current_timestamp()))
    session.commit()
    login(client, waiting.first)
    assert client.get(f"/provider/rounds/{waiting.round.id}").status_code == 404


def test_a_referral_reopens_the_stage_and_the_new_round_is_approved(client, login, session,
                                                                    waiting, mailbox):
    team, kept = waiting.team, waiting.round
    educational = SupervisorAssignment(enrolment_id=team.enrolment.id,
                                       supervisor_id=team.stranger.id, kind="educational",
                                       starts_on=team.enrolment.enrolled_on)
    session.add(educational)
    session.commit()
    title = session.scalar(sa.select(Capability.title).where(
        Capability.framework_version_id == team.version.id, Capability.code == "3"))
    login(client, waiting.first)
    url = f"/provider/rounds/{kept.id}/refer"
    blank = through_check(client, url, {"refer-reason": "  ", "heading-3": "Only CBDs"})
    assert blank.status_code == 400
    page = blank.get_data(as_text=True)
    assert re.search(r'id="refer-reason-error"[^>]*>.*Say why you refer the portfolio back', page,
                     re.S)
    assert "Only CBDs" in page  # what was typed is kept
    assert _decisions(session) == []
    referred = through_check(client, url, {"refer-reason": "Heading 3 needs a wider case mix",
                                           "heading-3": "Only CBDs", "heading-99": "ignored"})
    assert referred.status_code == 302
    assert _stage(session, team).status == "referred"
    [decision] = _decisions(session)
    assert (decision.outcome, decision.reason, decision.heading_reasons) == (
        "referred", "Heading 3 needs a wider case mix", {"3": "Only CBDs"})
    for person in (team.candidate, team.primary, team.backup, team.stranger):  # + educational
        [told] = [m for m in mailbox.to(person.email) if "referred back" in m["Subject"]]
        assert "Heading 3 needs a wider case mix" in told.get_content()
        assert f"3. {title}: Only CBDs" in told.get_content()
    # The candidate signs again, then the supervisor signs off again: round 2.
    candidate = client.application.test_client()
    login(candidate, team.candidate)
    timeline = candidate.get(f"/timeline/{team.enrolment.id}").get_data(as_text=True)
    assert "Referred the stage back for the education provider" in timeline
    assert through_check(candidate, f"/stages/{team.enrolment.id}/stage2",
                          STAGE_FORM).status_code == 302
    supervisor = client.application.test_client()
    login(supervisor, team.primary)
    assert through_check(supervisor, f"/stages/{team.enrolment.id}/stage2",
                           {"declarations": "supervisor_verified"}).status_code == 302
    assert _stage(session, team).status == "supervisor_signed"
    second = latest_round(session, team)
    assert second.number == 2 and second.content_hash != kept.content_hash
    # The old round waits for nothing; the new one is in the queue and is approved.
    assert "Nothing on this round waits for you" in client.get(
        f"/provider/rounds/{kept.id}").get_data(as_text=True)
    assert f"/provider/rounds/{second.id}" in client.get("/provider").get_data(as_text=True)
    assert through_check(client, f"/provider/rounds/{second.id}/approve", {}).status_code == 302
    assert _stage(session, team).status == "complete"
    from roadmap.backup.verify import verify

    assert verify(session).problem is None  # both rounds' signatures still hold


def test_deciding_asks_who_you_are_when_you_have_not_lately(app, client, login, session, waiting):
    app.config["REAUTH_MINUTES"] = 0
    login(client, waiting.first)
    url = f"/provider/rounds/{waiting.round.id}/approve"
    asked = through_check(client, url, {})  # on the check page, the password box is shown
    assert asked.status_code == 400 and 'id="identity-error"' in asked.get_data(as_text=True)
    wrong = through_check(client, url, {}, "not my password")
    assert wrong.status_code == 400 and _decisions(session) == []
    assert through_check(client, url, {}, TEST_PASSWORD).status_code == 302
    assert _stage(session, waiting.team).status == "complete"


def test_the_round_keeps_what_the_supervisor_signed(session, waiting):
    kept = session.get(StageSignOffRound, waiting.round.id)
    record = _stage(session, waiting.team)
    assert (kept.signed_content, kept.content_hash) == (record.signed_content, record.content_hash)
    assert {c["code"]: c["label"] for c in kept.signed_content["checklist"]}["msf"]


def test_the_review_shows_unmet_guidance_with_reasons_and_the_analysis_credits(
        client, login, reviewing, waiting_since):
    content = {"checklist": [{"code": "msf", "label": "Multi-source feedback", "met": False,
                              "detail": "No round yet.", "strength": "guidance"}],
               "guidance_unmet": [{"code": "msf", "label": "Multi-source feedback",
                                   "detail": "No round yet.",
                                   "reason": "Seen working with the whole team weekly"}],
               "lna_credits": [{"code": "msf", "evidence": {"title": "MSc transcript"},
                                "note": "Module 3", "given_by": {"id": 1, "name": "Rhea Reviewer"},
                                "given_at": "2026-03-03T10:00:00+00:00"}]}
    kept = waiting_since(reviewing.provider, "Ada Recent", 3, content)
    login(client, reviewing.first)
    page = client.get(f"/provider/rounds/{kept.id}").get_data(as_text=True)
    assert ('Supervisor\'s reason: <span class="roadmap-lines">Seen working with the whole team weekly'
            in page)
    assert "Credited by the learning needs analysis" in page
    assert "MSc transcript" in page and "Module 3" in page and "3 March 2026" in page


def test_the_checklist_puts_gates_and_guidance_apart(client, login, reviewing, waiting_since):
    """As the candidate's and the supervisor's stage page do: what had to be met, then the
    guidance the supervisor could sign off without."""
    content = {"checklist": [
        {"code": "msf", "label": "Multi-source feedback", "met": False, "detail": "No round yet.",
         "strength": "guidance"},
        {"code": "ratings", "label": "Every heading rated capable", "met": True,
         "detail": "14 of 14.", "strength": "gate"},
        {"code": "psq", "label": "Patient questionnaire", "met": True, "detail": "One round.",
         "strength": "guidance"}]}
    kept = waiting_since(reviewing.provider, "Ada Recent", 3, content)
    login(client, reviewing.first)
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ",
                                      client.get(f"/provider/rounds/{kept.id}").get_data(as_text=True)))
    gates, guidance = page.index("Must be met"), page.index("Guidance ")
    assert gates < page.index("Every heading rated capable") < guidance
    assert guidance < page.index("Multi-source feedback") and guidance < page.index(
        "Patient questionnaire")


def test_a_referral_reason_that_may_identify_a_patient_warns_until_confirmed(client, login,
                                                                             session, waiting):
    login(client, waiting.first)
    url = f"/provider/rounds/{waiting.round.id}/refer"
    given = {"refer-reason": "See the case of 943 476 5919", "heading-3": "Mrs Jane Patient"}
    warned = through_check(client, url, given)
    assert warned.status_code == 400
    page = warned.get_data(as_text=True)
    assert re.search(r'id="refer-reason-error"[^>]*>.*This may identify a patient \(NHS number\)',
                     page, re.S)
    assert re.search(r'id="heading-3-error"[^>]*>.*This may identify a patient \(name\)',
                     page, re.S)
    assert 'name="refer-confirm_pid"' in page
    assert re.search(r'<mark class="roadmap-pid">.*?943 476 5919</mark>', page)
    assert re.search(r'<mark class="roadmap-pid">.*?Mrs Jane Patient</mark>', page)
    assert _decisions(session) == []
    shown = re.search(r'name="refer-pid_shown" type="hidden" value="([0-9a-f]*)"', page).group(1)
    # Issue 22: a tick kept from other findings (through "Change") covers none of these.
    stale = through_check(client, url, {**given, "refer-confirm_pid": "y",
                                        "refer-pid_shown": "0" * 32})
    assert stale.status_code == 400 and _decisions(session) == []
    assert through_check(client, url, {**given, "refer-confirm_pid": "y",
                                       "refer-pid_shown": shown}).status_code == 302
    assert [d.outcome for d in _decisions(session)] == ["referred"]
    # Issue 22: the confirmation is audited, fields and kinds only, never the reasons' text.
    event = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "provider.pid_confirmed")).one()
    assert event.actor_id == waiting.first.id
    assert event.data == {"findings": [{"field": "heading-3", "kind": "name"},
                                       {"field": "reason", "kind": "nhs_number"}]}


def test_referral_reasons_lose_hidden_characters_and_long_ones_are_refused(client, login,
                                                                          session, waiting):
    login(client, waiting.first)
    url = f"/provider/rounds/{waiting.round.id}/refer"
    refused = through_check(client, url, {"refer-reason": "Too thin", "heading-3": "x" * 6000})
    assert refused.status_code == 400
    assert re.search(r'id="heading-3-error"[^>]*>.*The reason for heading 3 must be 5,000 characters or fewer',
                     refused.get_data(as_text=True), re.S)
    assert through_check(client, url, {"refer-reason": "Too\x1b thin\u202e\r\nsee\x07 heading 3",
                                       "heading-3": "\u2067Only CBDs\u2069"}).status_code == 302
    [decision] = _decisions(session)
    assert (decision.reason, decision.heading_reasons) == ("Too thin\nsee heading 3",
                                                           {"3": "Only CBDs"})

"""Check your declarations before signing a stage, over HTTP: the candidate's, then the
supervisor's sign-off, each read back with who signs and in which capacity, signed once."""
from __future__ import annotations

import datetime as dt
import html
import re

import sqlalchemy as sa

from roadmap.accounts.models import UserSession
from roadmap.supervision.models import Signature, StageSignOff
from tests.fixtures.apps import TEST_PASSWORD

ACTING = "Dr Primary is on leave until 30 June"


def _text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ",
                                                    response.get_data(as_text=True))))


def _record(session, team) -> StageSignOff:
    session.rollback()
    session.expire_all()
    return session.scalar(sa.select(StageSignOff).where(
        StageSignOff.enrolment_id == team.enrolment.id, StageSignOff.stage_code == "stage2"))


def _signatures(session) -> int:
    session.rollback()
    return session.scalar(sa.select(sa.func.count()).select_from(Signature).where(
        Signature.subject_type == "stage_signoff"))


def _recheck_due(session):
    for record in session.scalars(sa.select(UserSession)):
        record.reauthenticated_at = record.reauthenticated_at - dt.timedelta(minutes=10)
    session.commit()


def test_the_candidate_reads_back_their_declaration_then_signs_once(client, login, session,
                                                                    ready_for_stage2):
    team = ready_for_stage2
    url = f"/stages/{team.enrolment.id}/stage2"
    login(client, team.candidate)
    posted = client.post(url, data={"declarations": "candidate_own_work"})
    assert posted.status_code == 302 and posted.headers["Location"].endswith(url + "/check")
    assert _record(session, team) is None or _record(session, team).status == "open"
    page = _text(client.get(url + "/check"))
    assert "Check your declarations before you sign" in page
    assert "The portfolio is my own work" in page
    assert "Name Jo Candidate" in page and "Capacity Candidate" in page
    assert "Sign as Jo Candidate" in page
    assert client.post(url + "/check", data={}).status_code == 302
    again = client.post(url + "/check", data={}, follow_redirects=True)
    assert again.status_code == 200
    assert re.search(r"You signed this stage on \d+ \w+ \d{4} at \d", _text(again))
    stage_page = _text(client.get(url))  # one wording, with the date, on the page too
    assert re.search(r"You signed your declarations on \d+ \w+ \d{4} at \d", stage_page)
    assert "You have signed" not in stage_page
    assert _record(session, team).status == "candidate_signed"
    assert _signatures(session) == 1


def test_the_backup_is_named_acting_for_the_primary_with_the_reason(app, client, login, session,
                                                                     ready_for_stage2, signs):
    team = ready_for_stage2
    url = f"/stages/{team.enrolment.id}/stage2"
    candidate = app.test_client()
    login(candidate, team.candidate)
    assert signs(candidate, url, {"declarations": "candidate_own_work"}).status_code == 302
    login(client, team.backup)
    missing = client.post(url, data={"declarations": "supervisor_verified"})
    assert missing.status_code == 400  # a backup says why, beside the field
    assert 'href="#acting_reason"' in missing.get_data(as_text=True)
    client.post(url, data={"declarations": "supervisor_verified", "acting_reason": ACTING})
    page = _text(client.get(url + "/check"))
    assert "Check your sign-off before you sign" in page
    assert "Name Bea Backup" in page
    assert "Capacity Backup supervisor, acting for the primary supervisor" in page
    assert ACTING in page
    assert "I have reviewed the portfolio" in page
    assert _record(session, team).status == "candidate_signed"  # nothing signed yet
    assert client.post(url + "/check", data={}).status_code == 302
    assert client.post(url + "/check", data={}).status_code == 302  # a double click
    record = _record(session, team)
    assert record.status in ("complete", "supervisor_signed")
    [signed] = session.scalars(sa.select(Signature).where(
        Signature.subject_type == "stage_signoff", Signature.capacity != "candidate")).all()
    assert (signed.signer_name, signed.capacity, signed.acting_reason) == (
        "Bea Backup", "backup_acting_for_primary", ACTING)


def test_change_keeps_what_was_declared(client, login, session, ready_for_stage2):
    team = ready_for_stage2
    url = f"/stages/{team.enrolment.id}/stage2"
    login(client, team.candidate)
    client.post(url, data={"declarations": "candidate_own_work"})
    page = client.get(url).get_data(as_text=True)
    box = page.split('value="candidate_own_work"', 1)[1].split(">", 1)[0]
    assert "checked" in box
    assert "Your answers are as you left them" in page


def test_a_wrong_password_is_flagged_beside_the_field_and_the_answers_stay(
        client, login, session, ready_for_stage2):
    team = ready_for_stage2
    url = f"/stages/{team.enrolment.id}/stage2"
    login(client, team.candidate)
    client.post(url, data={"declarations": "candidate_own_work"})
    _recheck_due(session)
    wrong = client.post(url + "/check", data={"identity": "not my password"})
    assert wrong.status_code == 400
    page = wrong.get_data(as_text=True)
    assert "There is a problem" in page and 'href="#identity"' in page
    assert 'id="identity-error"' in page
    assert "The portfolio is my own work" in _text(wrong)
    assert _signatures(session) == 0
    assert client.post(url + "/check", data={"identity": TEST_PASSWORD}).status_code == 302
    assert _record(session, team).status == "candidate_signed"


def test_the_check_page_without_answers_goes_back_to_the_stage(client, login, ready_for_stage2):
    team = ready_for_stage2
    url = f"/stages/{team.enrolment.id}/stage2"
    login(client, team.candidate)
    response = client.get(url + "/check")
    assert response.status_code == 302 and response.headers["Location"].endswith(url)


def test_a_backups_reason_that_may_identify_a_patient_warns_until_confirmed(
        app, client, login, session, ready_for_stage2, signs):
    """Issue 22: the backup's reason for signing is signed and exported, so it is checked like
    every other text: the warning beside it, then the confirmation, audited by field and kind."""
    from roadmap.audit.models import AuditEvent
    team = ready_for_stage2
    url = f"/stages/{team.enrolment.id}/stage2"
    candidate = app.test_client()
    login(candidate, team.candidate)
    assert signs(candidate, url, {"declarations": "candidate_own_work"}).status_code == 302
    login(client, team.backup)
    given = {"declarations": "supervisor_verified",
             "acting_reason": "Primary on leave after seeing 943 476 5919 together"}
    warned = client.post(url, data=given)
    assert warned.status_code == 400
    page = warned.get_data(as_text=True)
    assert "This may identify a patient (NHS number)" in page and 'href="#acting_reason"' in page
    assert 'name="confirm_pid"' in page
    assert __import__('re').search(r'<mark class="roadmap-pid">.*?943 476 5919</mark>', page)
    shown = __import__('re').search(r'name="pid_shown" type="hidden" value="([0-9a-f]*)"',
                                    page).group(1)
    assert shown  # the tick counts only with the findings it was ticked under
    assert signs(client, url, {**given, "confirm_pid": "y", "pid_shown": shown}).status_code == 302
    assert _record(session, team).status in ("complete", "supervisor_signed")
    event = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "stage.pid_confirmed")).one()
    assert event.data == {"findings": [{"field": "acting_reason", "kind": "nhs_number"}]}

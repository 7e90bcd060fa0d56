"""The stage page over HTTP: gates must be met; guidance left unmet needs the supervisor's reason.

The reason field for each unmet guidance item carries its error beside it; the reasons are
frozen into what the supervisor signs; the verification statement and /verify say only that
they were given.
"""
from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from roadmap.supervision.models import CapabilityRating, StageSignOff
from tests.providers.approvals import approve, latest_round, name_provider, provider, reviewer
from tests.fixtures.apps import through_check

GUIDANCE = ["evidence_per_heading", "wpba_pace", "msf", "psq"]
REASONS = {"evidence_per_heading": "Seen in tutorials on every heading",
           "wpba_pace": "Part-time post agreed with the employer",
           "msf": "Colleagues' views are in the supervisor's report",
           "psq": "Patients' feedback gathered by the practice instead"}


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config.update(EXPORT_DIR=str(tmp_path / "exports"), EXPORT_WORKERS=1)
    return app_config


@pytest.fixture
def gates_only(session, team, make_item):
    """Stage 2 with every gate met and the guidance not: Stage 1 done, every heading capable."""
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


def _record(session, team):
    session.rollback()  # a fresh read: the app committed in its own session
    return session.scalar(sa.select(StageSignOff).where(
        StageSignOff.enrolment_id == team.enrolment.id, StageSignOff.stage_code == "stage2"))


def _error_beside(page: str, field: str) -> str:
    """The error message the NHS.UK textarea shows beside a field, or '' when it has none."""
    assert f'id="{field}"' in page, f"no field {field}"
    found = re.search(rf'id="{field}-error">\s*<span[^>]*>Error: </span>([^<]+)', page)
    return html.unescape(found.group(1)).strip() if found else ""


def test_guidance_unmet_needs_a_reason_beside_each_field(app, client, login, session,
                                                         gates_only):
    team = gates_only
    url = f"/stages/{team.enrolment.id}/stage2"
    candidate = app.test_client()
    login(candidate, team.candidate)
    page = candidate.get(url).get_data(as_text=True)
    assert "Must be met" in page and "Guidance" in page
    assert "Some guidance is not met. You can still sign" in page
    assert 'name="reason-msf"' not in page  # the candidate gives no reasons
    assert through_check(candidate, url, {"declarations": "candidate_own_work"}).status_code == 302

    login(client, team.primary)
    page = client.get(url).get_data(as_text=True)
    assert "Waiting for the supervisor's sign-off" in html.unescape(page)
    assert all(f'name="reason-{code}"' in page for code in GUIDANCE)
    blank = through_check(client, url, {"declarations": "supervisor_verified"})
    assert blank.status_code == 400
    page = blank.get_data(as_text=True)
    assert "There is a problem" in page
    for code in GUIDANCE:
        message = _error_beside(page, f"reason-{code}")
        assert message.startswith("Say why you sign off with this"), code
        assert f'href="#reason-{code}"' in page  # the summary leads to the field
    assert _record(session, team).status == "candidate_signed"

    # Declarations and reasons missing together: both are named at once.
    both = through_check(client, url, {"reason-msf": "Given"}).get_data(as_text=True)
    assert "Confirm this declaration to sign" in both
    assert _error_beside(both, "reason-msf") == ""
    assert _error_beside(both, "reason-psq").startswith("Say why")
    assert 'Given</textarea>' in both  # what was typed is kept

    partly = through_check(client, url, {"declarations": "supervisor_verified",
                                         **{f"reason-{c}": REASONS[c] for c in GUIDANCE[:3]}})
    assert partly.status_code == 400
    page = partly.get_data(as_text=True)
    assert [c for c in GUIDANCE if _error_beside(page, f"reason-{c}")] == ["psq"]

    signed = through_check(client, url, {"declarations": "supervisor_verified",
                                         **{f"reason-{c}": REASONS[c] for c in GUIDANCE}})
    assert signed.status_code == 302
    record = _record(session, team)
    assert record.status in ("complete", "supervisor_signed")
    frozen = latest_round(session, record).signed_content if record.status != "complete" \
        else record.signed_content
    assert {g["code"]: g["reason"] for g in frozen["guidance_unmet"]} == REASONS
    page = html.unescape(client.get(url).get_data(as_text=True))
    assert REASONS["psq"] in page


def test_the_reasons_and_approvals_are_on_the_statement(app, client, login, session, gates_only,
                                                        make_user):
    team = gates_only
    north = provider(session, "Northern Education Provider")
    name_provider(session, team.enrolment, north)
    url = f"/stages/{team.enrolment.id}/stage2"
    candidate = app.test_client()
    login(candidate, team.candidate)
    through_check(candidate, url, {"declarations": "candidate_own_work"})
    login(client, team.primary)
    assert through_check(client, url, {"declarations": "supervisor_verified",
                                       **{f"reason-{c}": REASONS[c] for c in GUIDANCE}}
                            ).status_code == 302
    record = approve(session, _record(session, team), north,
                     reviewer(session, make_user, north, "Rae Reviewer"))
    page = html.unescape(client.get(f"/verify/{record.verification_code}").get_data(as_text=True))
    assert "This verification statement is genuine" in page
    assert "Signed off by the supervisor" in page and "Dr Primary, primary supervisor" in page
    assert "Approved by the education provider" in page
    assert "Northern Education Provider (reviewed by Rae Reviewer)" in page
    # The public page says which guidance was unmet, with reasons given, never their text.
    assert "signed off with 4 guidance items not met and gave a reason for each" in page
    assert "Multi-source feedback" in page
    assert not any(reason in page for reason in REASONS.values())
    assert "route before 2024" not in page
    statement = client.get(f"/stages/signoff/{record.id}/statement.pdf")
    assert statement.status_code == 200
    reader = PdfReader(io.BytesIO(statement.data))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert len(reader.pages) == 1
    assert "Signed off by the supervisor" in text and "Approved by the education provider" in text
    assert "Northern Education Provider" in text and "Guidance not met 4 items" in text
    assert not any(reason in text for reason in REASONS.values())  # "no portfolio content"


def test_an_unmet_gate_shows_no_form_and_refuses_a_post(app, client, login, session, team):
    url = f"/stages/{team.enrolment.id}/stage2"
    login(client, team.candidate)
    page = client.get(url).get_data(as_text=True)
    assert "You can sign once every check that must be met is met." in page
    assert '<form method="post"' not in page
    refused = through_check(client, url, {"declarations": "candidate_own_work"})
    assert refused.status_code == 400
    assert _record(session, team) is None or _record(session, team).status == "open"


def test_a_gate_unmet_after_the_candidate_signed_blocks_the_supervisor(app, client, login, session,
                                                                        gates_only):
    team = gates_only
    url = f"/stages/{team.enrolment.id}/stage2"
    candidate = app.test_client()
    login(candidate, team.candidate)
    assert through_check(candidate, url, {"declarations": "candidate_own_work"}).status_code == 302
    rating = session.scalars(sa.select(CapabilityRating).where(
        CapabilityRating.rater_kind == "supervisor")).first()
    rating.rating = "developing"
    session.commit()
    login(client, team.primary)
    page = client.get(url).get_data(as_text=True)
    assert "You can sign once every check that must be met is met." in page
    assert 'name="reason-msf"' not in page
    refused = through_check(client, url, {"declarations": "supervisor_verified",
                                          **{f"reason-{c}": REASONS[c] for c in GUIDANCE}})
    assert refused.status_code == 400
    assert _record(session, team).status == "candidate_signed"


def _supervisor_at_the_form(app, client, login, team):
    """The candidate has signed; the primary supervisor is signed in at the stage page."""
    url = f"/stages/{team.enrolment.id}/stage2"
    candidate = app.test_client()
    login(candidate, team.candidate)
    assert through_check(candidate, url, {"declarations": "candidate_own_work"}).status_code == 302
    login(client, team.primary)
    return url


def test_a_reason_that_may_identify_a_patient_warns_until_confirmed(app, client, login, session,
                                                                    gates_only):
    team = gates_only
    url = _supervisor_at_the_form(app, client, login, team)
    given = {"declarations": "supervisor_verified",
             **{f"reason-{c}": REASONS[c] for c in GUIDANCE},
             "reason-msf": "Patient 943 476 5919 was seen instead"}
    warned = through_check(client, url, given)
    assert warned.status_code == 400
    page = warned.get_data(as_text=True)
    assert _error_beside(page, "reason-msf").startswith("This may identify a patient (NHS number)")
    assert _error_beside(page, "reason-psq") == ""
    assert 'name="confirm_pid"' in page
    assert re.search(r'<mark class="roadmap-pid">.*?943 476 5919</mark>', page)  # highlighted where it was typed
    assert _record(session, team).status == "candidate_signed"
    shown = re.search(r'name="pid_shown" type="hidden" value="([0-9a-f]*)"', page).group(1)
    # Issue 22: a tick that covers other findings than these (kept through "Change") is none.
    stale = through_check(client, url, {**given, "confirm_pid": "y", "pid_shown": "0" * 32})
    assert stale.status_code == 400 and _record(session, team).status == "candidate_signed"
    assert not re.search(r'name="confirm_pid" type="checkbox" value="y" checked',
                         stale.get_data(as_text=True))
    assert through_check(client, url, {**given, "confirm_pid": "y",
                                       "pid_shown": shown}).status_code == 302
    assert _record(session, team).status != "candidate_signed"
    # Issue 22: the confirmation is audited, the field and kind only, never the reason's text.
    from roadmap.audit.models import AuditEvent
    session.rollback()
    event = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "stage.pid_confirmed")).one()
    assert event.actor_id == team.primary.id and event.enrolment_id == team.enrolment.id
    assert event.data == {"findings": [{"field": "reason:msf", "kind": "nhs_number"}]}
    assert "943" not in str(event.data)


def test_an_over_long_reason_is_refused_never_cut(app, client, login, session, gates_only):
    team = gates_only
    url = _supervisor_at_the_form(app, client, login, team)
    refused = through_check(client, url, {"declarations": "supervisor_verified",
                                          **{f"reason-{c}": REASONS[c] for c in GUIDANCE},
                                          "reason-psq": "x" * 1_000_000})
    assert refused.status_code == 400
    assert _error_beside(refused.get_data(as_text=True),
                         "reason-psq") == "The reason must be 2,000 characters or fewer"
    assert _record(session, team).status == "candidate_signed"


def test_hidden_characters_are_stripped_from_reasons(app, client, login, session, gates_only):
    team = gates_only
    url = _supervisor_at_the_form(app, client, login, team)
    dirty = "Seen\x1b[31m in\x07 tutorials\u202e\u2066\r\nline two\tend"
    assert through_check(client, url, {"declarations": "supervisor_verified",
                                       **{f"reason-{c}": REASONS[c] for c in GUIDANCE},
                                       "reason-msf": dirty}).status_code == 302
    record = _record(session, team)
    frozen = (record.signed_content if record.status == "complete"
              else latest_round(session, record).signed_content)
    reason = {g["code"]: g["reason"] for g in frozen["guidance_unmet"]}["msf"]
    assert reason == "Seen[31m in tutorials\nline two\tend"


def test_line_breaks_typed_in_a_reason_are_kept_on_the_check_and_stage_pages(app, client, login,
                                                                             session, gates_only):
    """Issue 17 #16: a reason of two paragraphs ran together into one on the check page."""
    team = gates_only
    url = f"/stages/{team.enrolment.id}/stage2"
    candidate = app.test_client()
    login(candidate, team.candidate)
    assert through_check(candidate, url, {"declarations": "candidate_own_work"}).status_code == 302
    login(client, team.primary)
    typed = {**REASONS, "msf": "Colleagues' views are in my report.\nShe is otherwise ready."}
    posted = client.post(url, data={"declarations": "supervisor_verified",
                                    **{f"reason-{c}": typed[c] for c in GUIDANCE}})
    assert posted.status_code == 302
    check = html.unescape(client.get(posted.headers["Location"]).get_data(as_text=True))
    kept = re.search(r'<span class="roadmap-lines">([^<]*ready\.)</span>', check)
    assert kept is not None and "\n" in kept.group(1)
    with client.get("/static/" + re.search(r'/static/(build/roadmap[^"]*\.css)', check).group(1)) as css:
        assert b".roadmap-lines{white-space:pre-line}" in css.data

"""A supervisor's assessment of an item goes through the patient-identifier check, over HTTP:
an NHS number in their feedback is highlighted beside the field and nothing is kept for signing
or signed; ticking the confirmation signs it and audits the fields and kinds (never the text);
feedback that identifies nobody goes straight to the check page."""
from __future__ import annotations

import html
import re

import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.portfolio.models import DraftAutosave, Evidence
from roadmap.supervision.models import CapabilityRating, Signature
from tests.fixtures.msk import assessor_answers

CLEAN = "Clear reasoning about the red flags; safety-netting was specific."
NAMED = "Good history; the patient (NHS number 943 476 5919) was safety-netted well."


def _form(make_item, item, reasoning, **extra):
    answers = {**assessor_answers(make_item, "cbd"), "reasoning": reasoning}
    return {**{f"answer_{code}": value for code, value in answers.items() if value is not None},
            "lock_version": item.lock_version, **extra}


def _shown(client, item, make_item, reasoning):
    """The digest the assessment page sends with the findings it shows (refused first)."""
    page = client.post(f"/supervision/items/{item.id}",
                       data=_form(make_item, item, reasoning)).get_data(as_text=True)
    return re.search(r'name="pid_shown" type="hidden" value="([0-9a-f]*)"', page).group(1)


def _fresh(session):
    session.rollback()
    session.expire_all()


def _count(session, model) -> int:
    _fresh(session)
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def _confirmations(session) -> list[AuditEvent]:
    _fresh(session)
    return session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "assessment.pid_confirmed")).all()


def test_an_nhs_number_is_highlighted_beside_the_feedback_and_nothing_is_kept(
        client, login, session, team, make_item):
    item = make_item("cbd")
    login(client, team.primary)
    refused = client.post(f"/supervision/items/{item.id}", data=_form(make_item, item, NAMED))
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert re.search(r'<mark class="roadmap-pid">.*?943 476 5919</mark>', page)
    assert "This may identify a patient (NHS number)" in html.unescape(page)
    assert 'href="#answer_reasoning"' in page  # the error summary leads to the field
    assert 'name="confirm_pid"' in page
    assert _count(session, DraftAutosave) == 0  # nothing kept for the check page
    # The check page, reached directly, has nothing to sign.
    assert client.get(f"/supervision/items/{item.id}/check").status_code == 302
    assert _count(session, Signature) == 0
    assert session.get(Evidence, item.id).status == "submitted"
    assert _confirmations(session) == []


def test_confirming_signs_it_and_audits_fields_and_kinds_not_the_text(client, login, session,
                                                                      team, make_item):
    item = make_item("cbd")
    login(client, team.primary)
    shown = _shown(client, item, make_item, NAMED)
    sent = client.post(f"/supervision/items/{item.id}",
                       data=_form(make_item, item, NAMED, confirm_pid="y", pid_shown=shown))
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/check")
    check = html.unescape(client.get(f"/supervision/items/{item.id}/check").get_data(as_text=True))
    assert NAMED in check
    assert _confirmations(session) == []  # not signed yet, so nothing confirmed yet
    signed = client.post(f"/supervision/items/{item.id}/check", data={})
    assert signed.status_code == 302 and signed.headers["Location"].endswith("/supervision")
    assert _count(session, Signature) == 1
    assert session.get(Evidence, item.id).fields["reasoning"] == NAMED
    [event] = _confirmations(session)
    assert event.actor_id == team.primary.id and event.subject_id == item.id
    assert event.data == {"findings": [{"field": "reasoning", "kind": "nhs_number"}]}
    assert "943" not in str(event.data)
    timeline = client.get(f"/timeline/{team.enrolment.id}").get_data(as_text=True)
    assert "Confirmed that text flagged in an assessment identifies no patient" in timeline


def test_a_confirmation_is_kept_through_change_and_back(client, login, session, team, make_item):
    item = make_item("cbd")
    login(client, team.primary)
    shown = _shown(client, item, make_item, NAMED)
    client.post(f"/supervision/items/{item.id}",
                data=_form(make_item, item, NAMED, confirm_pid="y", pid_shown=shown))
    page = client.get(f"/supervision/items/{item.id}").get_data(as_text=True)
    assert re.search(r'name="confirm_pid"[^>]*value="y"[^>]*checked|name="confirm_pid" '
                     r'type="checkbox" value="y" checked', page)
    assert f'value="{shown}"' in page  # the tick comes back with what it was ticked under


def test_a_kept_tick_does_not_cover_an_identifier_added_after_change(client, login, session,
                                                                     team, make_item):
    """Issue 22 (outsider's attack): check -> Change -> add an identifier -> Continue signed it
    unseen, as the box stayed ticked. The tick covers only the findings that were shown."""
    item = make_item("cbd")
    login(client, team.primary)
    shown = _shown(client, item, make_item, NAMED)
    client.post(f"/supervision/items/{item.id}",
                data=_form(make_item, item, NAMED, confirm_pid="y", pid_shown=shown))
    page = client.get(f"/supervision/items/{item.id}").get_data(as_text=True)  # "Change"
    kept = re.search(r'name="pid_shown" type="hidden" value="([0-9a-f]*)"', page).group(1)
    more = NAMED + " Lives at 12 Acacia Avenue, SW1A 1AA."
    again = client.post(f"/supervision/items/{item.id}",
                        data=_form(make_item, item, more, confirm_pid="y", pid_shown=kept))
    assert again.status_code == 400
    body = again.get_data(as_text=True)
    assert "possible postcode: </span>SW1A 1AA</mark>" in body
    assert not re.search(r'name="confirm_pid" type="checkbox" value="y" checked', body)
    # What is kept to sign is still only what was confirmed as shown.
    assert "SW1A" not in client.get(f"/supervision/items/{item.id}/check").get_data(as_text=True)
    assert _count(session, Signature) == 0


def test_feedback_that_identifies_nobody_goes_to_the_check_page_without_a_prompt(
        client, login, session, team, make_item):
    item = make_item("cbd")
    login(client, team.primary)
    sent = client.post(f"/supervision/items/{item.id}", data=_form(make_item, item, CLEAN))
    assert sent.status_code == 302
    check = client.get(f"/supervision/items/{item.id}/check").get_data(as_text=True)
    assert "roadmap-pid" not in check and 'name="confirm_pid"' not in check
    assert client.post(f"/supervision/items/{item.id}/check", data={}).status_code == 302
    assert _count(session, Signature) == 1
    assert _confirmations(session) == []


def _rating(session):
    _fresh(session)
    return session.scalar(sa.select(CapabilityRating).where(
        CapabilityRating.rater_kind == "supervisor"))


def test_a_rating_justification_with_an_nhs_number_is_highlighted_and_not_saved(
        client, login, session, team, make_item):
    cap = make_item.capabilities["3"]
    url = f"/supervision/candidates/{team.enrolment.id}/headings/{cap.id}"
    login(client, team.primary)
    refused = client.post(url, data={"rate-rating": "excellent", "rate-justification": NAMED})
    page = refused.get_data(as_text=True)
    assert re.search(r'<mark class="roadmap-pid">.*?943 476 5919</mark>', page)
    assert "This may identify a patient (NHS number)" in html.unescape(page)
    assert 'name="rate-confirm_pid"' in page
    assert _rating(session) is None
    saved = client.post(url, data={"rate-rating": "excellent", "rate-justification": NAMED,
                                   "rate-confirm_pid": "y"})
    assert saved.status_code == 302
    rating = _rating(session)
    assert rating.justification == NAMED
    [event] = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "capability_rating.pid_confirmed")).all()
    assert event.subject_id == rating.id and event.actor_id == team.primary.id
    assert event.data == {"findings": [{"field": "justification", "kind": "nhs_number"}]}


def test_a_plain_rating_justification_saves_without_a_prompt(client, login, session, team,
                                                             make_item):
    cap = make_item.capabilities["3"]
    login(client, team.primary)
    saved = client.post(f"/supervision/candidates/{team.enrolment.id}/headings/{cap.id}",
                        data={"rate-rating": "excellent", "rate-justification": CLEAN})
    assert saved.status_code == 302
    assert _rating(session).justification == CLEAN
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "capability_rating.pid_confirmed")) == 0


def test_a_return_comment_with_an_nhs_number_is_highlighted_and_the_item_stays(
        client, login, session, team, make_item, mailbox):
    item = make_item("cbd")
    url = f"/supervision/items/{item.id}/return"
    login(client, team.primary)
    refused = client.post(url, data={"comment": NAMED, "lock_version": item.lock_version})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert re.search(r'<mark class="roadmap-pid">.*?943 476 5919</mark>', page)
    assert 'id="return-confirm_pid"' in page
    _fresh(session)
    assert session.get(Evidence, item.id).status == "submitted"
    assert mailbox.messages == []
    returned = client.post(url, data={"comment": NAMED, "lock_version": item.lock_version,
                                      "confirm_pid": "y"})
    assert returned.status_code == 302
    _fresh(session)
    assert session.get(Evidence, item.id).status == "returned"
    [event] = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "evidence.return_pid_confirmed")).all()
    assert event.data == {"findings": [{"field": "comment", "kind": "nhs_number"}]}


def test_a_plain_return_comment_returns_the_item_without_a_prompt(client, login, session, team,
                                                                  make_item):
    item = make_item("cbd")
    login(client, team.primary)
    returned = client.post(f"/supervision/items/{item.id}/return",
                           data={"comment": CLEAN, "lock_version": item.lock_version})
    assert returned.status_code == 302
    _fresh(session)
    assert session.get(Evidence, item.id).status == "returned"


def _observed(make_item, reasoning, **extra):
    answers = {**assessor_answers(make_item, "cbd"), "reasoning": reasoning}
    return {"type_code": "cbd", "title": "Knee clinic case", "occurred_on": "2026-03-02",
            "record": "1", **{f"q-answer_{code}": value for code, value in answers.items()
                              if value is not None}, **extra}


def test_an_observed_wpba_with_an_nhs_number_is_flagged_and_not_recorded(client, login, session,
                                                                          team, make_item):
    url = f"/supervision/candidates/{team.enrolment.id}/observed"
    login(client, team.primary)
    refused = client.post(url, data=_observed(make_item, NAMED))
    page = refused.get_data(as_text=True)
    assert re.search(r'<mark class="roadmap-pid">.*?943 476 5919</mark>', page)
    assert "This may identify a patient (NHS number)" in html.unescape(page)
    assert 'name="confirm_pid"' in page
    _fresh(session)
    assert session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 0
    recorded = client.post(url, data=_observed(make_item, NAMED, confirm_pid="y"))
    assert recorded.status_code == 302
    _fresh(session)
    item = session.scalar(sa.select(Evidence))
    assert item.fields["reasoning"] == NAMED and item.status == "draft"
    [event] = _confirmations(session)
    assert event.subject_id == item.id
    assert event.data == {"findings": [{"field": "reasoning", "kind": "nhs_number"}]}


def test_an_observed_wpba_that_identifies_nobody_is_recorded_without_a_prompt(
        client, login, session, team, make_item):
    login(client, team.primary)
    recorded = client.post(f"/supervision/candidates/{team.enrolment.id}/observed",
                           data=_observed(make_item, CLEAN))
    assert recorded.status_code == 302
    _fresh(session)
    assert session.scalar(sa.select(Evidence.fields))["reasoning"] == CLEAN
    assert _confirmations(session) == []


def test_a_clinical_supervisors_report_is_checked_and_its_confirmation_audited(
        client, login, session, team, make_item):
    """Issue 22: the CSR's free-text comments (written by the supervisor as its assessor) go
    through the same check; the confirmation is audited on signing, fields and kinds only."""
    item = make_item("csr")
    answers = {**assessor_answers(make_item, "csr"),
               "concerns": "None. Patient seen at LS6 2QR was a good learning case."}
    data = {**{f"answer_{code}": value for code, value in answers.items() if value is not None},
            "lock_version": item.lock_version}
    login(client, team.primary)
    refused = client.post(f"/supervision/items/{item.id}", data=data)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert re.search(r'<mark class="roadmap-pid">.*?LS6 2QR</mark>', page)
    assert 'name="confirm_pid"' in page and _count(session, Signature) == 0
    shown = re.search(r'name="pid_shown" type="hidden" value="([0-9a-f]*)"', page).group(1)
    sent = client.post(f"/supervision/items/{item.id}",
                       data={**data, "confirm_pid": "y", "pid_shown": shown})
    assert sent.status_code == 302
    assert client.post(f"/supervision/items/{item.id}/check", data={}).status_code == 302
    [event] = _confirmations(session)
    assert event.subject_id == item.id
    assert event.data == {"findings": [{"field": "concerns", "kind": "postcode"}]}

"""A handover note passes the patient-identifier check over HTTP, as the hub lead who writes it
(issue 22), on both of the supervisors page's forms: a note with an NHS number is refused beside
the field, highlighted, with the box to confirm, and nothing is assigned; ticking the box
assigns and audits the field and kind only (never the note)."""
from __future__ import annotations

import json
import re

import sqlalchemy as sa

from roadmap import clock
from roadmap.audit.models import AuditEvent
from roadmap.supervision.models import SupervisorAssignment
from tests.supervision.test_educational import _signed_in, hub_lead  # noqa: F401  a fixture

NOTE = "Pending: the CBD about the patient with NHS number 943 476 5919."


def _confirmations(session) -> list[AuditEvent]:
    session.rollback()
    return session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "assignment.pid_confirmed")).all()


def _warned(page: str, field_id: str) -> None:
    assert re.search(rf'id="{field_id}-error".*?This may identify a patient \(NHS number\)',
                     page, re.S)
    assert re.search(r'<mark class="roadmap-pid">.*?943 476 5919</mark>', page)


def _held(session, kind: str) -> list[int]:
    session.rollback()
    return session.scalars(sa.select(SupervisorAssignment.supervisor_id).where(
        SupervisorAssignment.kind == kind, SupervisorAssignment.ended_at.is_(None))).all()


def test_a_primary_handover_note_is_checked_and_its_confirmation_audited(
        app, session, team, hub_lead, make_user, login):  # noqa: F811
    person = make_user("next@example.nhs.uk", roles=("supervisor",), full_name="Nia Next")
    lead = _signed_in(app, login, hub_lead)
    url = f"/enrolments/{team.enrolment.id}/supervisors"
    form = {"kind": "primary", "supervisor_id": str(person.id), "fte": "",
            "starts_on": clock.today().strftime("%d/%m/%Y"), "handover_note": NOTE}
    warned = lead.post(url, data=form)
    page = warned.get_data(as_text=True)
    _warned(page, "handover_note")
    assert 'name="confirm_pid"' in page and 'name="educational-confirm_pid"' not in page
    assert _held(session, "primary") == [team.primary.id] and not _confirmations(session)

    done = lead.post(url, data={**form, "confirm_pid": "y"})
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    assert person.id in _held(session, "primary")
    (event,) = _confirmations(session)
    assert (event.actor_id, event.enrolment_id) == (hub_lead.id, team.enrolment.id)
    assert event.data == {"findings": [{"field": "handover_note", "kind": "nhs_number"}]}
    assert "943" not in json.dumps(event.data)


def test_an_educational_handover_note_is_checked_too(
        app, session, team, hub_lead, make_user, login):  # noqa: F811
    person = make_user("eda@example.nhs.uk", roles=("supervisor",), full_name="Eda Educational")
    lead = _signed_in(app, login, hub_lead)
    url = f"/enrolments/{team.enrolment.id}/educational-supervisor"
    form = {"educational-supervisor_id": str(person.id),
            "educational-starts_on": clock.today().strftime("%d/%m/%Y"),
            "educational-handover_note": NOTE}
    warned = lead.post(url, data=form)
    assert warned.status_code == 400
    page = warned.get_data(as_text=True)
    _warned(page, "educational-handover_note")
    assert 'name="educational-confirm_pid"' in page
    assert _held(session, "educational") == []

    done = lead.post(url, data={**form, "educational-confirm_pid": "y"})
    assert done.status_code == 302
    assert _held(session, "educational") == [person.id]
    (event,) = _confirmations(session)
    assert event.data == {"findings": [{"field": "handover_note", "kind": "nhs_number"}]}
    # A note that identifies nobody asks nothing.
    clean = lead.post(url, data={**form, "educational-supervisor_id": str(team.stranger.id),
                                 "educational-handover_note": "Two CBDs pending."})
    assert clean.status_code == 302 and len(_confirmations(session)) == 1

"""A credit's note passes the patient-identifier check over HTTP, as the provider's reviewer who
confirms the analysis (issue 22): an NHS number is highlighted beside the note with the box to
confirm, nothing is confirmed; ticking the box confirms it and audits the field and kind only."""
from __future__ import annotations

import hashlib
import json
import re

import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.lna.models import LearningNeedsAnalysis, LnaCredit
from tests.lna.test_confirm import _credit_data, _fresh, _url

NOTE = "MSc module; the case study was the patient with NHS number 943 476 5919."


def test_a_credit_note_that_may_identify_a_patient_is_highlighted_until_confirmed(
        lna, sent, client_as, session):
    client = client_as(lna.reviewer)
    warned = client.post(_url(sent), data=_credit_data(session, sent, note_0=NOTE))
    page = warned.get_data(as_text=True)
    assert warned.status_code == 400
    assert re.search(r'id="note_0-error".*?This may identify a patient \(NHS number\)', page, re.S)
    assert re.search(r'<mark class="roadmap-pid">.*?943 476 5919</mark>', page)
    assert 'name="confirm_pid"' in page
    assert _fresh(session, LearningNeedsAnalysis, sent.id).status == "submitted"
    assert session.scalar(sa.select(sa.func.count()).select_from(LnaCredit)) == 0

    done = client.post(_url(sent), data=_credit_data(session, sent, note_0=NOTE, confirm_pid="y"))
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    assert _fresh(session, LearningNeedsAnalysis, sent.id).status == "confirmed"
    (event,) = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "lna.credit_pid_confirmed")).all()
    assert event.actor_id == lna.reviewer.id and event.enrolment_id == lna.enrolment.id
    assert event.data == {"findings": [{"field": "note:" + session.scalar(
        sa.select(LnaCredit.check_code)), "kind": "nhs_number"}]}
    assert "943" not in json.dumps(event.data)
    # The confirmation's own event names the note by its digest and length, not its text.
    (confirmed,) = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "lna.confirmed")).all()
    assert "943" not in json.dumps(confirmed.data)
    assert confirmed.data["credits"][0]["note_length"] == len(NOTE)
    assert confirmed.data["credits"][0]["note_sha256"] == hashlib.sha256(NOTE.encode()).hexdigest()


def test_a_clean_note_asks_nothing(lna, sent, client_as, session):
    done = client_as(lna.reviewer).post(_url(sent), data=_credit_data(session, sent))
    assert done.status_code == 302
    session.rollback()
    assert not session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "lna.credit_pid_confirmed")).all()

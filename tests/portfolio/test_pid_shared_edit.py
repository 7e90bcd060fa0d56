"""Saving an item others read passes the patient-details check (issue 22, outsider's attack).

An item with a supervisor could be edited with "Save draft", and the new text reached the
supervisor unchecked and was signed. Each save of a shared item now shows the findings and
keeps the text only once the candidate confirms those very findings.
"""
from __future__ import annotations

import re

import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.feedback.models import FeedbackRound
from roadmap.portfolio.models import Evidence
from tests.portfolio.test_views import log_form

NHS = "Seen with NHS number 943 476 5919 today."


def _item(client, world, session, status="submitted"):
    location = client.post("/portfolio/evidence/new/learning_log",
                           data=log_form(world, session)).headers["Location"]
    evidence_id = int(location.rsplit("/", 1)[1])
    session.rollback()
    item = session.get(Evidence, evidence_id)
    item.status, item.submitted_to_id = status, world.primary.id if status != "draft" else None
    session.commit()
    return evidence_id, item.lock_version


def _confirmations(session):
    session.rollback()
    return session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action == "evidence.pid_confirmed"))


def test_saving_a_submitted_item_shows_the_findings_until_confirmed(client, login, world, session):
    login(client, world.candidate)
    evidence_id, lock = _item(client, world, session)
    edited = log_form(world, session, lock_version=str(lock), form_token="e1",
                      answer_learning=NHS)
    refused = client.post(f"/portfolio/evidence/{evidence_id}/edit", data=edited)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and '<mark class="roadmap-pid">' in page
    assert "confirm that none of it identifies a patient" in page and 'href="#confirm_pid"' in page
    session.rollback()
    assert session.get(Evidence, evidence_id).fields["learning"] != NHS
    # Ticking the box without the findings shown (a hand-made post) is not a confirmation.
    blind = log_form(world, session, lock_version=str(lock), form_token="e2",
                     answer_learning=NHS, confirm_pid="y")
    assert client.post(f"/portfolio/evidence/{evidence_id}/edit", data=blind).status_code == 200
    assert _confirmations(session) == 0
    shown = re.search(r'name="pid_shown" value="([0-9a-f]+)"', page).group(1)
    confirmed = log_form(world, session, lock_version=str(lock), form_token="e3",
                         answer_learning=NHS, confirm_pid="y", pid_shown=shown)
    assert client.post(f"/portfolio/evidence/{evidence_id}/edit", data=confirmed).status_code == 302
    session.rollback()
    item = session.get(Evidence, evidence_id)
    assert item.fields["learning"] == NHS and item.status == "submitted"
    assert _confirmations(session) == 1


def test_a_confirmation_covers_only_the_findings_shown(client, login, world, session):
    login(client, world.candidate)
    evidence_id, lock = _item(client, world, session, status="returned")
    first = client.post(f"/portfolio/evidence/{evidence_id}/edit", data=log_form(
        world, session, lock_version=str(lock), form_token="f1", answer_learning=NHS))
    shown = re.search(r'name="pid_shown" value="([0-9a-f]+)"', first.get_data(as_text=True)).group(1)
    other = NHS + " Lives at 12 Acacia Avenue, SW1A 1AA."
    again = client.post(f"/portfolio/evidence/{evidence_id}/edit", data=log_form(
        world, session, lock_version=str(lock), form_token="f2", answer_learning=other,
        confirm_pid="y", pid_shown=shown))
    page = again.get_data(as_text=True)
    assert again.status_code == 200 and "postcode" in page
    assert 'name="confirm_pid" type="checkbox" value="y" checked' not in page
    assert _confirmations(session) == 0


def test_a_draft_with_a_feedback_round_open_is_checked_a_private_draft_is_not(
        client, login, world, session):
    login(client, world.candidate)
    private, lock = _item(client, world, session, status="draft")
    saved = client.post(f"/portfolio/evidence/{private}/edit", data=log_form(
        world, session, lock_version=str(lock), form_token="g1", answer_learning=NHS))
    assert saved.status_code == 302  # checked when it is submitted
    shared, lock = _item(client, world, session, status="draft")
    session.add(FeedbackRound(evidence_id=shared, kind="msf", self_assessment={},
                              opened_by_id=world.candidate.id))
    session.commit()
    refused = client.post(f"/portfolio/evidence/{shared}/edit", data=log_form(
        world, session, lock_version=str(lock), form_token="g2", answer_learning=NHS))
    assert refused.status_code == 200 and '<mark class="roadmap-pid">' in refused.get_data(as_text=True)

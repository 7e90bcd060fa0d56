"""The candidate's self-rating justification goes through the patient-identifier check, over
HTTP (issue 22): a valid NHS number is highlighted beside the box and nothing is saved; ticking
the confirmation saves it and audits the field and kind, never the text."""
from __future__ import annotations

import html

import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.supervision.models import CapabilityRating

FLAGGED = "My CBD on the patient with NHS number 943 476 5919 shows it."


def test_a_flagged_justification_is_highlighted_then_saved_once_confirmed(client, login, world,
                                                                           session):
    login(client, world.candidate)
    url = f"/portfolio/headings/{world.capability(session, '3').id}"
    warned = client.post(url, data={"rating": "capable", "justification": FLAGGED})
    assert warned.status_code == 200
    page = html.unescape(warned.get_data(as_text=True))
    assert "may identify a patient" in page
    assert '<mark class="roadmap-pid"><span class="nhsuk-u-visually-hidden">possible NHS number: ' \
           '</span>943 476 5919</mark>' in page
    assert 'name="confirm_pid"' in page
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(CapabilityRating)) == 0

    saved = client.post(url, data={"rating": "capable", "justification": FLAGGED,
                                   "confirm_pid": "y"})
    assert saved.status_code == 302
    session.rollback()
    rating = session.scalars(sa.select(CapabilityRating)).one()
    assert rating.justification == FLAGGED and rating.rated_by_id == world.candidate.id
    event = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "capability.self_rating_pid_confirmed")).one()
    assert event.actor_id == world.candidate.id and event.subject_id == rating.id
    assert event.data == {"capability": "3",
                          "findings": [{"field": "justification", "kind": "nhs_number"}]}
    assert "5919" not in str(event.data)


def test_a_plain_justification_is_saved_with_no_prompt(client, login, world, session):
    login(client, world.candidate)
    url = f"/portfolio/headings/{world.capability(session, '3').id}"
    done = client.post(url, data={"rating": "capable",
                                  "justification": "Three CBDs with Dr Patel show it."})
    assert done.status_code == 302
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "capability.self_rating_pid_confirmed")) == 0

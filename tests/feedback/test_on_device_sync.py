"""An on-device assessment queued offline is sent at sync time as JSON, once whatever happens.

The interface the offline store calls: POST /feedback/items/<id>/on-device.json with the
CSRF token in X-CSRFToken and an idempotency key; 201 the first time, 200 with the same
pending assessment after, 400 with problems by field, 409 when the item moved on.
"""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.feedback.models import AssessmentTicket
from tests.feedback.helpers import ASSESSOR
from tests.fixtures.msk import assessor_answers

EMAIL = ASSESSOR["email"]


def _body(make_item, item, key="device-key-1", **assessor):
    return {"idempotency_key": key, "lock_version": item.lock_version,
            "assessor": {**ASSESSOR, "declaration": True, **assessor},
            "answers": assessor_answers(make_item, "cot")}


def _count(session) -> int:
    session.rollback()
    return session.scalar(sa.select(sa.func.count()).select_from(AssessmentTicket))


def _sync(client, item, body, token=None):
    return client.post(f"/feedback/items/{item.id}/on-device.json", json=body,
                       headers={"X-CSRFToken": token} if token else {})


def test_a_double_sync_makes_one_pending_signature(app, client, session, team, make_item, login,
                                                   mailbox):
    item = make_item("cot", status="draft")
    login(client, team.candidate)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(f"/feedback/items/{item.id}/on-device/assess").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    body = _body(make_item, item)
    assert _sync(client, item, body).status_code == 400  # no CSRF token: refused
    assert _count(session) == 0
    first = _sync(client, item, body, token)
    assert first.status_code == 201, first.data[:2000]
    assert first.json["status"] == "pending" and first.json["email"] == EMAIL
    second = _sync(client, item, body, token)
    assert second.status_code == 200 and second.json["id"] == first.json["id"]
    assert _count(session) == 1 and len(mailbox.to(EMAIL)) == 1
    event = session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "feedback.on_device_signed"))
    assert event.data["offline"] is True
    # The assessor confirms from the email as for one signed online.
    link = mailbox.link(mailbox.to(EMAIL)[0])
    assessor = app.test_client()
    confirm = assessor.get(link).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', confirm).group(1)
    assert assessor.post(link, data={"csrf_token": csrf}).status_code == 200
    assert _sync(client, item, body, token).json["status"] == "confirmed"


def test_problems_come_back_by_field(client, session, team, make_item, login, mailbox):
    item = make_item("cot", status="draft")
    login(client, team.candidate)
    response = _sync(client, item, _body(make_item, item, email=team.candidate.email,
                                         registration_number="x"))
    assert response.status_code == 400
    problems = response.json["problems"]
    assert "Jo Candidate's own email address" in problems["email"]
    assert "registration number" in problems["registration_number"]
    assert _count(session) == 0 and mailbox.messages == []


@pytest.mark.parametrize("body", [
    None, [], {"idempotency_key": "k"},
    {"idempotency_key": 5, "lock_version": 0, "assessor": {}, "answers": {}},
    {"idempotency_key": "k", "lock_version": "0", "assessor": {}, "answers": {}},
    {"idempotency_key": "k", "lock_version": 0, "assessor": {"name": {"x": 1}}, "answers": {}},
    {"idempotency_key": "k", "lock_version": 0, "assessor": {"name": "x" * 30_000}, "answers": {}},
])
def test_malformed_bodies_are_refused_in_words(client, session, team, make_item, login, body):
    item = make_item("cot", status="draft")
    login(client, team.candidate)
    response = _sync(client, item, body)
    assert response.status_code == 400 and "Send a JSON object" in response.json["error"]
    assert _count(session) == 0


def test_a_huge_key_and_a_moved_item_are_refused(client, session, team, make_item, login,
                                                 mailbox):
    item = make_item("cot", status="draft")
    login(client, team.candidate)
    huge = _sync(client, item, _body(make_item, item, key="k" * 65))
    assert huge.status_code == 409 and "idempotency key" in huge.json["error"]
    stale = _body(make_item, item, key="k2")
    stale["lock_version"] = item.lock_version + 5
    moved = _sync(client, item, stale)
    assert moved.status_code == 409 and "item changed" in moved.json["error"]
    assert _count(session) == 0 and mailbox.messages == []


def test_someone_elses_item_is_not_found(app, session, team, make_item, make_user, login):
    item = make_item("cot", status="draft")
    other = app.test_client()
    login(other, make_user("other.cand@example.nhs.uk"))
    assert _sync(other, item, _body(make_item, item)).status_code == 404
    assert _count(session) == 0

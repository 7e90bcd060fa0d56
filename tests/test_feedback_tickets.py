"""Assessment by ticket: a colleague without an account assesses and signs one WPBA."""
from __future__ import annotations

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from roadmap.audit.models import AuditEvent
from roadmap.audit.verify import verify
from roadmap.portfolio.models import Evidence
from roadmap.supervision.models import Signature
from tests.supervision.conftest import assessor_answers, make_item, msk, team  # noqa: F401

IDENTITY = {"name": "Dr Ext Assessor", "role": "GP partner", "registration": "GMC 7654321",
            "email": "ext.assessor@example.nhs.uk"}


def _form(make_item, item) -> MultiDict:
    data = MultiDict({**IDENTITY, "lock_version": str(item.lock_version)})
    for code, value in assessor_answers(make_item, "cot").items():
        for one in (value if isinstance(value, list) else [value]):
            if one is not None:
                data.add(f"answer_{code}", str(one))
    return data


def _ask(client, team, item, mailbox, login) -> str:
    login(client, team.candidate)
    assert client.get(f"/feedback/items/{item.id}/assessor").status_code == 200
    response = client.post(f"/feedback/items/{item.id}/assessor",
                           data={"name": "Ext Assessor", "email": "ext@example.nhs.uk"})
    assert response.status_code == 302, response.data[:2000]
    (message,) = mailbox.to("ext@example.nhs.uk")
    return mailbox.link(message)


def test_external_assessor_signs_once(app, client, session, team, make_item, login, mailbox):
    item = make_item("cot", status="draft")
    candidate_email, primary_email = team.candidate.email, team.primary.email
    path = _ask(client, team, item, mailbox, login)
    form = _form(make_item, item)
    assessor = app.test_client()
    page = assessor.get(path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Jo Candidate" in text and item.title in text
    assert candidate_email not in text  # nothing about the candidate beyond their name
    before = len(mailbox.messages)
    signed = assessor.post(path, data=form)
    assert signed.status_code == 200, signed.data[:3000]
    assert "Assessment signed" in signed.get_data(as_text=True)
    session.rollback()
    session.expire_all()
    evidence = session.get(Evidence, item.id)
    assert evidence.status == "signed"
    signature = session.scalar(sa.select(Signature))
    assert (signature.capacity, signature.signer_id, signature.signer_name) == (
        "external_assessor", None, "Dr Ext Assessor")
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "evidence.signed"))
    assert event.actor_id is None and event.data["signature_id"] == signature.id
    assert event.data["content_hash"] == signature.content_hash
    assert verify(session).problem is None
    sent_to = [m["To"] for m in mailbox.messages[before:]]
    assert IDENTITY["email"] in sent_to and candidate_email in sent_to and primary_email in sent_to
    # Single use: the link now says so, and a second post changes nothing.
    again = assessor.post(path, data=form)
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 1


def test_incomplete_assessment_is_not_signed(app, client, session, team, make_item, login, mailbox):
    item = make_item("cot", status="draft")
    path = _ask(client, team, item, mailbox, login)
    response = app.test_client().post(path, data={"name": "X", "lock_version": str(item.lock_version)})
    assert response.status_code == 400
    session.rollback()
    session.expire_all()
    assert session.get(Evidence, item.id).status == "draft"
    assert app.test_client().get(path).status_code == 200  # still usable


def test_only_wpbas_and_only_own_items(app, client, team, make_item, login):
    reflection = make_item("reflection", status="draft")
    login(client, team.candidate)
    assert client.get(f"/feedback/items/{reflection.id}/assessor").status_code == 404

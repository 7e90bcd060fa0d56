"""A supervisor's reason for disputing an external assessor's signature goes through the
patient-identifier check, over HTTP: it goes to the candidate, the item and the record, so an
NHS number in it is highlighted and nothing changes until the supervisor confirms; then the
dispute stands and the confirmation is audited (kinds only)."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.portfolio.models import Evidence
from tests.supervision.test_external_review import _sign_externally, _supervisor

NAMED = "The patient seen (NHS number 943 476 5919) says no GP examined them."
CLEAN = "I phoned the practice: nobody of this name works there."


@pytest.fixture
def signed(app, session, team, make_item, mailbox, login):
    """A COT signed by an external assessor through the emailed link (as in
    test_external_review.py)."""
    item = make_item("cot", status="draft", headings=("1",))
    return item, _sign_externally(app, session, team, make_item, item, mailbox, login,
                                  "gp@nhs.net")


def _dispute(client, item, signature, reason, **extra):
    return client.post(f"/supervision/items/{item.id}/external/dispute",
                       data={"signature_id": str(signature.id), "reason": reason, **extra})


def _confirmations(session):
    session.rollback()
    return session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "evidence.dispute_pid_confirmed")).all()


def test_a_reason_with_an_nhs_number_is_flagged_and_nothing_changes(app, session, team, signed,
                                                                    login, mailbox):
    item, signature = signed
    client = _supervisor(app, login, team.primary)
    before = len(mailbox.messages)
    refused = _dispute(client, item, signature, NAMED)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert re.search(r'<mark class="roadmap-pid">.*?943 476 5919</mark>', page)
    assert 'id="dispute-confirm_pid"' in page
    session.rollback()
    assert session.get(Evidence, item.id).status == "signed"
    assert len(mailbox.messages) == before
    assert _dispute(client, item, signature, NAMED, confirm_pid="y").status_code == 302
    session.rollback()
    assert session.get(Evidence, item.id).status == "returned"
    [event] = _confirmations(session)
    assert event.data == {"findings": [{"field": "reason", "kind": "nhs_number"}]}


def test_a_plain_reason_disputes_without_a_prompt(app, session, team, signed, login):
    item, signature = signed
    client = _supervisor(app, login, team.primary)
    assert _dispute(client, item, signature, CLEAN).status_code == 302
    session.rollback()
    assert session.get(Evidence, item.id).status == "returned"
    assert _confirmations(session) == []

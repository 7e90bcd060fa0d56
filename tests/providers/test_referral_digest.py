"""A referral's event keeps digests of its reasons, not their text (issue 22): the text stays on
the decision, where it was checked for patient details; `roadmap audit verify` still finds a
reason changed behind the log's back, and events written before keep verifying by their text."""
from __future__ import annotations

import json

import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.backup.verify import verify
from roadmap.providers import decisions
from roadmap.providers import verify as decisions_verify
from roadmap.providers.models import ProviderDecision
from tests.fixtures.msk import TODAY
from tests.providers.test_verify import _raw, guards_off  # noqa: F401  a fixture

REASON = "The MSF round has too few clinical colleagues."
BY_HEADING = {"3": "No reflection on shared decisions."}


def _referred(session, waiting) -> tuple[ProviderDecision, AuditEvent]:
    decision = decisions.decide(session, waiting.round.id, waiting.first, "referred", REASON,
                                BY_HEADING, 0, TODAY)
    session.commit()
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "provider.referred"))
    return decision, event


def test_a_referral_event_holds_digests_and_verifies(runner, session, waiting):
    decision, event = _referred(session, waiting)
    assert decision.reason == REASON and decision.heading_reasons == BY_HEADING
    written = json.dumps(event.data)
    assert "reason" not in event.data and "heading_reasons" not in event.data
    assert "too few" not in written and "shared decisions" not in written
    assert event.data["reason_length"] == len(REASON)
    assert event.data["heading_reasons_count"] == 1
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    # The timeline still says why, read from the decision.
    from roadmap.supervision import timeline
    shown, _more = timeline.entries(session, waiting.team.enrolment.id, 1)
    assert REASON in [entry.reason for entry in shown]


def test_a_reason_changed_behind_the_log_is_named(session, waiting, guards_off):  # noqa: F811
    decision, _event = _referred(session, waiting)
    _raw(session, "UPDATE provider_decisions SET reason = 'Nothing wrong.'")
    problem = verify(session).problem
    assert f"provider decision {decision.id}" in problem and "(reason)" in problem
    _raw(session, "UPDATE provider_decisions SET reason = :reason, heading_reasons = :named",
         reason=REASON, named=json.dumps({"3": "Changed."}))
    assert "(heading_reasons)" in verify(session).problem


def test_an_event_written_before_keeps_verifying_by_its_text(session, waiting):
    """Old events are never rewritten: one that holds the text is compared by the text."""
    decision, event = _referred(session, waiting)
    old = {key: value for key, value in event.data.items() if "reason" not in key}
    old.update(reason=REASON, heading_reasons=BY_HEADING)
    differ = decisions_verify._differences(decision, event.actor_id, old)
    assert differ == []
    assert decisions_verify._differences(
        decision, event.actor_id, {**old, "reason": "Another reason."}) == ["reason"]

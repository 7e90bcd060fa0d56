"""`roadmap audit verify` names a forged or altered approval, or a round changed behind our back."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from roadmap.backup.verify import verify
from roadmap.providers.models import ProviderDecision
from roadmap.supervision.models import StageSignOff, StageSignOffRound
from tests.fixtures.databases import BACKEND
from tests.fixtures.providers import frozen, latest_round

GUARDED = ("provider_decisions", "stage_signoff_rounds")


def _raw(session, statement, **params):
    """A change made with SQL, outside the application."""
    session.execute(sa.text(statement), params)
    session.commit()


@pytest.fixture
def guards_off(session):
    """Lift the append-only triggers of rounds and decisions, as a database owner could."""
    if BACKEND == "postgresql":
        for table in GUARDED:
            _raw(session, f"ALTER TABLE {table} DISABLE TRIGGER USER")
        yield
        for table in GUARDED:
            _raw(session, f"ALTER TABLE {table} ENABLE TRIGGER USER")
    else:
        for table in GUARDED:
            _raw(session, f"DROP TRIGGER {table}_no_update")
            _raw(session, f"DROP TRIGGER {table}_no_delete")
        yield


@pytest.fixture
def approved(session, waiting, approve_as_provider):
    """Round 1 approved by the provider's first reviewer: the stage is complete."""
    waiting.decision = approve_as_provider(waiting.round, waiting.first)
    return waiting


def test_honest_approvals_verify(runner, approved):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "1 provider decisions checked" in result.output


def test_a_forged_approval_is_named(runner, session, waiting):
    """An approval written straight into the table, with no event: the stage never completed."""
    kept = waiting.round
    session.add(ProviderDecision(round_id=kept.id, content_hash=kept.content_hash,
                                 provider_id=waiting.provider.id, reviewer_id=waiting.first.id,
                                 reviewer_name="Rhea Reviewer", outcome="approved"))
    session.commit()
    forged = session.scalar(sa.select(ProviderDecision.id))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"provider decision {forged} (approved by Rhea Reviewer, first review) has no event" \
        in result.output


def test_an_altered_approval_is_named(session, approved, guards_off):
    _raw(session, "UPDATE provider_decisions SET reviewer_name = 'Someone Else', "
                  "reviewer_id = :other", other=approved.second.id)
    problem = verify(session).problem
    assert f"provider decision {approved.decision.id}" in problem
    assert "does not match audit event" in problem


def test_an_approved_round_cannot_be_rewritten(session, approved, guards_off):
    """Even with the guards lifted, a decision's key holds its round's hash in place."""
    with pytest.raises(sa.exc.IntegrityError):
        _raw(session, "UPDATE stage_signoff_rounds SET content_hash = :digest", digest="f" * 64)
    session.rollback()


def test_a_round_rewritten_with_a_matching_hash_is_named(session, waiting, guards_off):
    kept = session.get(StageSignOffRound, waiting.round.id)
    content = dict(kept.signed_content, guidance_unmet=[{"code": "msf", "reason": "forged"}])
    _raw(session, "UPDATE stage_signoff_rounds SET signed_content = :content, content_hash = :digest",
         content=json.dumps(content), digest=frozen(content))
    assert verify(session).problem == (
        f"stage sign-off {kept.signoff_id} (stage2) round 1 is bound to no supervisor "
        "signature: it was added or rewritten outside the application")


def test_a_round_whose_content_no_longer_matches_is_named(session, waiting, guards_off):
    kept = session.get(StageSignOffRound, waiting.round.id)
    content = dict(kept.signed_content, ratings={})
    _raw(session, "UPDATE stage_signoff_rounds SET signed_content = :content",
         content=json.dumps(content))
    problem = verify(session).problem
    assert problem == (f"stage sign-off {kept.signoff_id} (stage2) round 1: its content no "
                       "longer matches its hash")


def test_a_stage_completed_without_the_provider_is_named(session, waiting):
    _raw(session, "UPDATE stage_signoffs SET status = 'complete', verification_code = 'RM-X' "
                  "WHERE stage_code = 'stage2'")
    record = session.scalar(sa.select(StageSignOff).where(StageSignOff.stage_code == "stage2"))
    assert verify(session).problem == (
        f"stage sign-off {record.id} (stage2) is marked complete without the education "
        "provider's approval")


def test_a_second_review_by_the_first_reviewer_is_named(session, waiting):
    from roadmap.providers import decisions
    from tests.fixtures.msk import TODAY

    decisions.decide(session, waiting.round.id, waiting.first, "approved", None, {}, 100, TODAY)
    session.commit()
    kept = latest_round(session, waiting.team)
    session.add(ProviderDecision(round_id=kept.id, content_hash=kept.content_hash,
                                 provider_id=waiting.provider.id, reviewer_id=waiting.first.id,
                                 reviewer_name="Rhea Reviewer", outcome="approved",
                                 review="second"))
    session.commit()
    assert "has no event" in verify(session).problem


@pytest.fixture
def referred(session, waiting):
    """Round 1 referred back by the first reviewer, with a reason for heading 3."""
    from roadmap.providers import decisions
    from tests.fixtures.msk import TODAY

    waiting.decision = decisions.decide(session, waiting.round.id, waiting.first, "referred",
                                        "Needs a wider case mix", {"3": "Only CBDs"}, 0, TODAY)
    session.commit()
    return waiting


@pytest.mark.parametrize("column, value", [
    ("reviewer_name", "'Someone Else'"), ("reason", "'Nothing to add'"),
    ("heading_reasons", """'{"3": "Fine"}'"""),
    ("decided_at", "'2026-01-02 03:04:05.000006+00:00'")])
def test_a_forged_readable_column_of_a_decision_is_named(runner, session, referred, guards_off,
                                                         column, value):
    _raw(session, f"UPDATE provider_decisions SET {column} = {value}")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1, result.output
    assert f"provider decision {referred.decision.id}" in result.output
    assert "does not match audit event" in result.output and column in result.output


def test_a_changed_round_time_is_named(runner, session, waiting, guards_off):
    kept = waiting.round
    _raw(session, "UPDATE stage_signoff_rounds SET signed_at = :at",
         at="2026-01-02 03:04:05.000006+00:00")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1, result.output
    assert (f"stage sign-off {kept.signoff_id} (stage2) round 1: its signed_at does not match "
            "audit event") in result.output


def test_a_round_whose_event_lacks_its_time_is_checked_against_its_content(session, waiting):
    """Events from before the time was recorded: the time the signed content froze is used."""
    import datetime as dt

    from roadmap.supervision.signed_stages import _mistimed

    kept = session.get(StageSignOffRound, waiting.round.id)
    assert _mistimed(kept, (1, {"round_id": kept.id})) is None
    kept.signed_at = kept.signed_at + dt.timedelta(hours=1)
    assert _mistimed(kept, (1, {"round_id": kept.id})) == (
        "its signed_at does not match the time its signed content froze")
    session.rollback()

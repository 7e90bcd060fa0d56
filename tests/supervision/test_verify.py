"""`roadmap audit verify`: holds on honest data, names the first thing altered behind our back."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from roadmap.backup.verify import verify
from roadmap.portfolio.models import EvidenceVersion
from roadmap.supervision import review, signoff
from roadmap.supervision.models import Signature, StageSignOff
from tests.fixtures.databases import BACKEND
from tests.fixtures.msk import TODAY, assessor_answers


@pytest.fixture
def signed(session, ready_for_stage2, make_item):
    team = ready_for_stage2
    item = make_item("cbd")
    signature = review.sign_evidence(session, item.id, team.primary,
                                     assessor_answers(make_item, "cbd"), item.lock_version, TODAY)
    signoff.candidate_sign(session, team.enrolment, "stage2", team.candidate, ["candidate_own_work"])
    signoff.supervisor_sign(session, team.enrolment, "stage2", team.primary,
                            ["supervisor_verified"], None, TODAY)
    session.commit()
    return item, signature


def _raw(session, statement, **params):
    """A change made with SQL, outside the application."""
    session.execute(sa.text(statement), params)
    session.commit()


def test_cli_verifies_honest_data(runner, signed):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "signatures verified" in result.output and "ok:" in result.output


def test_editing_a_signed_item_with_sql_is_caught(runner, session, signed):
    item, _ = signed
    _raw(session, "UPDATE evidence SET title = 'Something else' WHERE id = :id", id=item.id)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"evidence {item.id}" in result.output and "changed after it was signed" in result.output


def test_editing_a_signed_version_is_caught(session, signed, guards_off):
    item, _ = signed
    version = session.scalar(sa.select(EvidenceVersion).where(EvidenceVersion.evidence_id == item.id))
    content = dict(version.content, title="Forged")
    version.content = content
    session.commit()
    assert "no longer matches the hash that was signed" in verify(session).problem


def test_changing_who_signed_is_caught(session, signed, guards_off):
    _, signature = signed
    _raw(session, "UPDATE signatures SET capacity = 'backup_acting_for_primary' WHERE id = :id",
         id=signature.id)
    problem = verify(session).problem
    assert f"signature {signature.id}" in problem and "does not match audit event" in problem


def test_changing_a_stage_sign_off_is_caught(session, signed):
    record = session.scalar(sa.select(StageSignOff).where(StageSignOff.stage_code == "stage2"))
    content = dict(record.signed_content)
    content["ratings"] = {code: {"self": "capable", "supervisor": "excellent"}
                          for code in content["ratings"]}
    record.signed_content = content
    session.commit()
    assert f"stage sign-off {record.id}" in verify(session).problem


GUARDED = ("audit_events", "signatures", "evidence_versions")


@pytest.fixture
def guards_off(session):
    """Lift the append-only triggers, as someone with direct database access could."""
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


@pytest.mark.parametrize("statement", [
    "UPDATE signatures SET capacity = 'backup_acting_for_primary'",
    "DELETE FROM signatures",
    "UPDATE evidence_versions SET content_hash = 'forged'",
    "DELETE FROM evidence_versions",
])
def test_the_database_refuses_to_change_what_was_signed(session, signed, statement):
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        _raw(session, statement)
    session.rollback()
    assert verify(session).problem is None  # nothing changed


def test_changing_an_audit_row_is_caught(session, signed, guards_off):
    _raw(session, "UPDATE audit_events SET data = '{}' WHERE id = 3")
    problem = verify(session).problem
    assert problem.startswith("audit event 3 (") and problem.endswith(") was altered")


def test_deleting_an_audit_row_is_caught(session, signed, guards_off):
    _raw(session, "DELETE FROM audit_events WHERE id = 2")
    assert verify(session).problem == "audit event 2 is missing (next present is 3)"


def test_a_signature_without_its_event_is_caught(session, signed):
    _, signature = signed
    session.add(Signature(subject_type="evidence_version", subject_id=signature.subject_id,
                          signer_id=signature.signer_id, signer_name="Forger",
                          capacity="primary_supervisor", content_hash=signature.content_hash))
    session.commit()
    assert "has no signing event in the audit log" in verify(session).problem


def test_demo_data_verifies(runner, demo_data):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output

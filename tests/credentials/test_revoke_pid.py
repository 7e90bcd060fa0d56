"""A revocation's reason passes the patient-identifier check (issue 22): the holder reads it on
their credential's page, so `roadmap credential revoke`, the administrator's only way to write
it, refuses a reason that may identify a patient until --no-patient-identified confirms it does
not; the confirmation is audited with the field and kind only."""
from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.credentials.models import IssuedCredential

REASON = "Signed off on a forged CBD; see the complaint of Mrs Jane Hill, NHS number 943 476 5919"


def _row(session, approved) -> IssuedCredential:
    session.rollback()
    return session.get(IssuedCredential, approved.credential.id)


def test_a_reason_that_may_identify_a_patient_is_refused_until_confirmed(
        approved, runner, session):
    args = ["credential", "revoke", approved.credential.public_id, "--reason", REASON]
    refused = runner.invoke(args=args)
    assert refused.exit_code != 0
    assert "This may identify a patient (NHS number, name)" in refused.output
    assert "--no-patient-identified" in refused.output
    assert _row(session, approved).revoked_at is None

    done = runner.invoke(args=[*args, "--no-patient-identified"])
    assert done.exit_code == 0, done.output
    row = _row(session, approved)
    assert row.revoked_at is not None and row.revoked_reason == REASON
    (event,) = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "credential.pid_confirmed")).all()
    assert event.enrolment_id == row.enrolment_id and event.subject_id == row.id
    assert sorted(f["kind"] for f in event.data["findings"]) == ["name", "nhs_number"]
    assert {f["field"] for f in event.data["findings"]} == {"reason"}
    assert "943" not in json.dumps(event.data) and "Hill" not in json.dumps(event.data)
    (revoked,) = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "credential.revoked")).all()
    assert "943" not in json.dumps(revoked.data) and "Hill" not in json.dumps(revoked.data)
    assert revoked.data["reason_length"] == len(REASON)
    assert revoked.data["reason_sha256"] == hashlib.sha256(REASON.encode()).hexdigest()


def test_a_plain_reason_revokes_with_no_question(approved, runner, session):
    done = runner.invoke(args=["credential", "revoke", approved.credential.public_id,
                               "--reason", "The provider withdrew its approval"])
    assert done.exit_code == 0, done.output
    assert _row(session, approved).revoked_at is not None
    assert not session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "credential.pid_confirmed")).all()

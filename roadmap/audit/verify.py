"""`roadmap audit verify`: the hash chain, every signature and every signed item, checked."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Optional

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from roadmap.audit.models import AuditEvent
from roadmap.audit.service import verify_chain
from roadmap.db import database
from roadmap.framework.models import EvidenceType
from roadmap.portfolio.content import content_hash, evidence_content
from roadmap.portfolio.models import Evidence, EvidenceVersion
from roadmap.supervision.models import Signature, StageSignOff

SIGNING_ACTIONS = ("evidence.signed", "stage.candidate_signed", "stage.signed_off")
BATCH = 2000


@dataclass
class Report:
    """What verification found: counts, and the first problem if any."""

    events: int = 0
    signatures: int = 0
    problem: Optional[str] = None


def _batches(session: Session, statement: Any, key: Any) -> Iterator[Any]:
    """Rows of a statement in key order, a batch at a time, so memory stays flat."""
    last = 0
    while True:
        rows = session.scalars(statement.where(key > last).order_by(key).limit(BATCH)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id
        session.expunge_all()


def _signing_events(session: Session) -> dict[int, AuditEvent]:
    events: dict[int, AuditEvent] = {}
    for event in _batches(session, sa.select(AuditEvent).where(
            AuditEvent.action.in_(SIGNING_ACTIONS)), AuditEvent.id):
        signature_id = (event.data or {}).get("signature_id")
        if signature_id is not None:
            events[int(signature_id)] = event
    return events


def _check_signature(session: Session, signature: Signature, event: Optional[AuditEvent]) -> Optional[str]:
    name = f"signature {signature.id} ({signature.signer_name}, {signature.capacity})"
    if event is None:
        return f"{name} has no signing event in the audit log"
    data = event.data or {}
    if (event.actor_id != signature.signer_id or data.get("capacity") != signature.capacity
            or data.get("content_hash") != signature.content_hash):
        return f"{name} does not match audit event {event.id} that recorded it"
    if signature.subject_type == "evidence_version":
        version = session.get(EvidenceVersion, signature.subject_id)
        if version is None:
            return f"{name}: the signed evidence version is missing"
        if content_hash(version.content) != version.content_hash:
            return (f"evidence {version.evidence_id} version {version.number}: its content no "
                    f"longer matches the hash that was signed")
        if version.content_hash != signature.content_hash:
            return f"{name} is not bound to evidence {version.evidence_id} version {version.number}"
        return None
    record = session.get(StageSignOff, signature.subject_id)
    if record is None or not record.signed_content:
        return f"{name}: the signed stage sign-off is missing"
    content = record.signed_content
    signed = content.get("candidate") if signature.capacity == "candidate" else content
    if signed is None or content_hash(signed) != signature.content_hash:
        return f"stage sign-off {record.id} ({record.stage_code}): its content no longer matches {name}"
    if signature.capacity != "candidate" and record.content_hash != signature.content_hash:
        return f"stage sign-off {record.id} ({record.stage_code}): its hash was altered"
    return None


def _check_signed_items(session: Session) -> Optional[str]:
    """An item marked signed must still read exactly as its latest signed version."""
    types = dict(session.execute(sa.select(EvidenceType.id, EvidenceType.code)).all())
    for evidence in _batches(session, sa.select(Evidence).where(Evidence.status == "signed"),
                             Evidence.id):
        latest = session.scalar(sa.select(EvidenceVersion).where(
            EvidenceVersion.evidence_id == evidence.id)
            .order_by(EvidenceVersion.number.desc()).limit(1))
        if latest is None:
            return f"evidence {evidence.id} is marked signed but has no signed version"
        links = latest.content.get("capabilities", [])
        current = evidence_content(evidence, types.get(evidence.evidence_type_id, ""), links)
        if content_hash(current) != latest.content_hash:
            return (f"evidence {evidence.id} (“{evidence.title}”) was changed after it was "
                    f"signed, outside the application")
    return None


def verify(session: Session) -> Report:
    """Check the chain, then every signature against what it signed and against the log."""
    chain = verify_chain(session)
    report = Report(events=chain.events, problem=chain.problem)
    if report.problem:
        return report
    events = _signing_events(session)
    for signature in _batches(session, sa.select(Signature), Signature.id):
        report.signatures += 1
        report.problem = _check_signature(session, signature, events.get(signature.id))
        if report.problem:
            return report
    report.problem = _check_signed_items(session)
    return report


@click.group("audit")
def audit_cli() -> None:
    """The audit log: verify that nothing signed or logged was altered."""


@audit_cli.command("verify")
@with_appcontext
def verify_command() -> None:
    """Exit 0 with the counts when everything holds; otherwise name the first problem."""
    session = database().sessions()
    try:
        report = verify(session)
    finally:
        session.close()
    if report.problem:
        click.echo(f"FAILED: {report.problem}", err=True)
        raise SystemExit(1)
    click.echo(f"ok: {report.events} audit events and {report.signatures} signatures verified")

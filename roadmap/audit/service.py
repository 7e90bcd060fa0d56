"""Append audit events to the hash chain, and verify the chain."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.audit.models import AuditEvent
from roadmap.db import utcnow

GENESIS_HASH = "0" * 64
# Any fixed number: PostgreSQL transactions that append take this advisory lock in turn,
# so two writers cannot both chain onto the same previous event.
_PG_CHAIN_LOCK = 7_341_002
# The enrolments whose events the session's transaction appended: whoever keeps something made
# from an enrolment's records (the stored portfolio PDF) reads this after the commit.
TOUCHED = "roadmap.audit.touched"
# ...and who made those changes, by enrolment: the person likeliest to export it next.
TOUCHED_BY = "roadmap.audit.touched_by"


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same content always gives the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def sha256_hex(text: str) -> str:
    """SHA-256 of UTF-8 text as hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def event_hash(prev_hash: str, event_id: int, occurred_at: dt.datetime, actor_id: Optional[int],
               action: str, subject_type: Optional[str], subject_id: Optional[int],
               enrolment_id: Optional[int], data: dict[str, Any]) -> str:
    """The hash of one event, covering its content and the previous event's hash."""
    body = canonical_json({
        "id": event_id,
        "occurred_at": occurred_at.astimezone(dt.timezone.utc).isoformat(timespec="microseconds"),
        "actor_id": actor_id, "action": action, "subject_type": subject_type,
        "subject_id": subject_id, "enrolment_id": enrolment_id, "data": data,
    })
    return sha256_hex(prev_hash + body)


def record(session: Session, action: str, *, actor_id: Optional[int] = None,
           subject_type: Optional[str] = None, subject_id: Optional[int] = None,
           enrolment_id: Optional[int] = None, data: Optional[dict[str, Any]] = None) -> AuditEvent:
    """Append one event to the chain in the caller's transaction (flushes, never commits)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_CHAIN_LOCK})
    last = session.execute(
        sa.select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    prev_hash = last.hash if last else GENESIS_HASH
    event_id = (last.id + 1) if last else 1
    occurred_at = utcnow()
    payload = json.loads(canonical_json(data or {}))
    event = AuditEvent(
        id=event_id, occurred_at=occurred_at, actor_id=actor_id, action=action,
        subject_type=subject_type, subject_id=subject_id, enrolment_id=enrolment_id,
        data=payload, prev_hash=prev_hash,
        hash=event_hash(prev_hash, event_id, occurred_at, actor_id, action, subject_type,
                        subject_id, enrolment_id, payload),
    )
    session.add(event)
    session.flush()
    if enrolment_id is not None:
        session.info.setdefault(TOUCHED, set()).add(enrolment_id)
        session.info.setdefault(TOUCHED_BY, {}).setdefault(enrolment_id, set()).add(actor_id)
    return event


@dataclass
class ChainReport:
    """What verifying the chain found."""

    events: int
    problem: Optional[str] = None

    @property
    def ok(self) -> bool:
        """True when every event holds."""
        return self.problem is None


def verify_chain(session: Session, batch: int = 5000) -> ChainReport:
    """Walk the log in order and report the first event whose hash or link does not hold."""
    prev_hash, expected_id, count, last_id = GENESIS_HASH, 1, 0, 0
    while True:
        rows = session.execute(  # plain rows: no identity map to fill and empty again
            sa.select(AuditEvent.id, AuditEvent.occurred_at, AuditEvent.actor_id,
                      AuditEvent.action, AuditEvent.subject_type, AuditEvent.subject_id,
                      AuditEvent.enrolment_id, AuditEvent.data, AuditEvent.prev_hash,
                      AuditEvent.hash)
            .where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return ChainReport(count)
        for event in rows:
            if event.id != expected_id:
                return ChainReport(count, f"audit event {expected_id} is missing "
                                          f"(next present is {event.id})")
            if event.prev_hash != prev_hash:
                return ChainReport(count, f"audit event {event.id} does not link to event "
                                          f"{event.id - 1}")
            recomputed = event_hash(prev_hash, event.id, event.occurred_at, event.actor_id,
                                    event.action, event.subject_type, event.subject_id,
                                    event.enrolment_id, event.data)
            if recomputed != event.hash:
                return ChainReport(count, f"audit event {event.id} ({event.action}) was altered")
            prev_hash, expected_id, last_id = event.hash, event.id + 1, event.id
            count += 1

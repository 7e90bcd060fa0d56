"""What a signed-off stage still holds: its content against its hash, each round against its own.

Part of `roadmap audit verify` (see verify.py, which checks each signature against what it
signed). A stage sign-off is kept once per supervisor sign-off as a round (append-only); the
stage's row holds the latest. Here every round must still hash to the hash it was kept with
and be bound to a supervisor's signature, and the stage's row must match its latest round.
A round's time must be the one the sign-off's event recorded (or, for events from before it
was recorded, the one its signed content froze).
Read a batch of stages at a time, a few statements per batch.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import clock
from roadmap.audit.models import AuditEvent
from roadmap.portfolio.content import content_hash
from roadmap.supervision.models import Signature, StageSignOff, StageSignOffRound

BATCH = 1000


def rounds_of(session: Session, signoff_ids: Iterable[int]) -> dict[int, list[StageSignOffRound]]:
    """Each stage sign-off's rounds, first round first, in one statement."""
    found: dict[int, list[StageSignOffRound]] = defaultdict(list)
    ids = list(signoff_ids)
    if not ids:
        return found
    for kept in session.scalars(sa.select(StageSignOffRound)
                                .where(StageSignOffRound.signoff_id.in_(ids))
                                .order_by(StageSignOffRound.signoff_id, StageSignOffRound.number)
                                .execution_options(populate_existing=True)):
        found[kept.signoff_id].append(kept)
    return found


def _supervisor_hashes(session: Session, signoff_ids: list[int]) -> dict[int, set[str]]:
    """The hashes each stage's supervisor signatures are bound to, in one statement."""
    found: dict[int, set[str]] = defaultdict(set)
    for subject_id, digest in session.execute(
            sa.select(Signature.subject_id, Signature.content_hash)
            .where(Signature.subject_type == "stage_signoff", Signature.capacity != "candidate",
                   Signature.subject_id.in_(signoff_ids))):
        found[subject_id].add(digest)
    return found


Recorded = dict[int, tuple[int, dict[str, Any]]]  # round id -> (event id, data)


def _round_events(session: Session, signoff_ids: list[int]) -> Recorded:
    """Round id -> (event id, data) of the supervisor sign-off that kept it, in one statement."""
    found: Recorded = {}
    for event_id, data in session.execute(
            sa.select(AuditEvent.id, AuditEvent.data)
            .where(AuditEvent.action == "stage.signed_off",
                   AuditEvent.subject_type == "stage_signoff",
                   AuditEvent.subject_id.in_(signoff_ids))):
        data = data or {}
        if str(data.get("round_id", "")).isdigit():
            found[int(data["round_id"])] = (event_id, data)
    return found


def _mistimed(kept: StageSignOffRound,
              event: Optional[tuple[int, dict[str, Any]]]) -> Optional[str]:
    """What says the round's time was changed; None when it holds.

    Events record the time since it was added; older rounds froze it in their content.
    """
    if event is not None and "signed_at" in event[1]:
        if not clock.same_moment(event[1]["signed_at"], kept.signed_at):
            return f"its signed_at does not match audit event {event[0]} that recorded it"
        return None
    frozen = (kept.signed_content or {}).get("completed_at")
    if frozen is not None and not clock.same_moment(frozen, kept.signed_at):
        return "its signed_at does not match the time its signed content froze"
    return None


def _check_one(record: StageSignOff, rounds: list[StageSignOffRound], signed: set[str],
               events: Recorded) -> Optional[str]:
    """What is wrong with one stage sign-off and its rounds; None when all hold."""
    name = f"stage sign-off {record.id} ({record.stage_code})"
    for kept in rounds:
        if content_hash(kept.signed_content) != kept.content_hash:
            return f"{name} round {kept.number}: its content no longer matches its hash"
        if kept.content_hash not in signed:
            return (f"{name} round {kept.number} is bound to no supervisor signature: it was "
                    "added or rewritten outside the application")
        mistimed = _mistimed(kept, events.get(kept.id))
        if mistimed:
            return f"{name} round {kept.number}: {mistimed}"
    if record.content_hash is None:
        return None
    if not record.signed_content or content_hash(record.signed_content) != record.content_hash:
        return f"{name}: its content no longer matches its hash"
    if record.content_hash not in signed:
        return f"{name}: its hash was altered (no supervisor signature is bound to it)"
    if rounds and rounds[-1].content_hash != record.content_hash:
        return f"{name}: its hash was altered (it is not its latest round's)"
    return None


def check(session: Session) -> Optional[str]:
    """Every stage sign-off and every round; the first problem, or None."""
    last = 0
    while True:
        records = list(session.scalars(
            sa.select(StageSignOff).where(StageSignOff.id > last).order_by(StageSignOff.id)
            .limit(BATCH).execution_options(populate_existing=True)))
        if not records:
            return None
        ids = [record.id for record in records]
        rounds, signed = rounds_of(session, ids), _supervisor_hashes(session, ids)
        events = _round_events(session, ids)
        for record in records:
            problem = _check_one(record, rounds.get(record.id, []), signed.get(record.id, set()),
                                 events)
            if problem:
                return problem
        last = ids[-1]
        session.expunge_all()

"""What was signed still holds: every signature, every signed item and every signed file.

The half of `roadmap audit verify` that knows the signed records; the audit log checks its own
hash chain. Everything is read in batches by key, a few statements per batch whatever the batch
holds, so a national log of millions of events verifies in one pass with flat memory. Given the
attachment store, every file a signature covers is read back and hashed as well.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Iterator, NamedTuple, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import storage
from roadmap.audit.models import AuditEvent
from roadmap.framework.models import EvidenceType
from roadmap.portfolio.content import content_hash, evidence_content, recipe_of
from roadmap.portfolio.models import Attachment, Evidence, EvidenceVersion
from roadmap.supervision import signed_stages
from roadmap.supervision.models import Signature, StageSignOff, StageSignOffRound

SIGNING_ACTIONS = ("evidence.signed", "stage.candidate_signed", "stage.signed_off")
BATCH = 1000  # rows per statement; also the size of the IN lists that follow a batch


@dataclass
class SignedCheck:
    """What checking the signed records found: counts, and the first problem if any."""

    signatures: int = 0
    files: int = 0  # signed files whose stored bytes were hashed
    problem: Optional[str] = None


class _SigningEvent(NamedTuple):
    """What the log recorded when a signature was made."""

    id: int
    actor_id: Optional[int]
    capacity: Any
    content_hash: Any


def _batches(session: Session, statement: Any, key: Any) -> Iterator[list[Any]]:
    """Lists of ORM rows of a statement in key order, so memory stays flat.

    Rows are read afresh (populate_existing): verification must see what the database holds,
    never an object the session already had.
    """
    last = 0
    while True:
        rows = list(session.scalars(statement.where(key > last).order_by(key).limit(BATCH)
                                    .execution_options(populate_existing=True)))
        if not rows:
            return
        yield rows
        last = rows[-1].id
        session.expunge_all()


def _signing_events(session: Session) -> dict[int, _SigningEvent]:
    """Signature id -> the event that recorded it, read as plain rows."""
    events: dict[int, _SigningEvent] = {}
    statement = sa.select(AuditEvent.id, AuditEvent.actor_id, AuditEvent.data).where(
        AuditEvent.action.in_(SIGNING_ACTIONS))
    last = 0
    while True:
        rows = session.execute(statement.where(AuditEvent.id > last)
                               .order_by(AuditEvent.id).limit(BATCH * 5)).all()
        if not rows:
            return events
        for event_id, actor_id, data in rows:
            data = data or {}
            if data.get("signature_id") is not None:
                events[int(data["signature_id"])] = _SigningEvent(
                    event_id, actor_id, data.get("capacity"), data.get("content_hash"))
        last = rows[-1].id


def _by_id(session: Session, model: Any, ids: set[int]) -> dict[int, Any]:
    """Rows of a model by id, in one statement."""
    if not ids:
        return {}
    return {row.id: row for row in session.scalars(
        sa.select(model).where(model.id.in_(ids)).execution_options(populate_existing=True))}


def _check_signature(signature: Signature, event: Optional[_SigningEvent],
                     version: Optional[EvidenceVersion], record: Optional[StageSignOff],
                     rounds: list[StageSignOffRound]) -> Optional[str]:
    """What is wrong with one signature, its event and what it signed; None when all hold."""
    name = f"signature {signature.id} ({signature.signer_name}, {signature.capacity})"
    if event is None:
        return f"{name} has no signing event in the audit log"
    if (event.actor_id != signature.signer_id or event.capacity != signature.capacity
            or event.content_hash != signature.content_hash):
        return f"{name} does not match audit event {event.id} that recorded it"
    if signature.subject_type == "evidence_version":
        if version is None:
            return f"{name}: the signed evidence version is missing"
        if content_hash(version.content) != version.content_hash:
            return (f"evidence {version.evidence_id} version {version.number}: its content no "
                    f"longer matches the hash that was signed")
        if version.content_hash != signature.content_hash:
            return f"{name} is not bound to evidence {version.evidence_id} version {version.number}"
        return None
    if record is None or not record.signed_content:
        return f"{name}: the signed stage sign-off is missing"
    # What was signed is the stage's content now, or a round's: after a referral the stage is
    # signed again, and each earlier signature stays bound to the round it signed.
    contents = [record.signed_content, *(kept.signed_content for kept in rounds)]
    signed = [c.get("candidate") if signature.capacity == "candidate" else c for c in contents]
    if not any(part is not None and content_hash(part) == signature.content_hash
               for part in signed):
        return f"stage sign-off {record.id} ({record.stage_code}): its content no longer matches {name}"
    return None


def _stored_file_problem(store: storage.Store, key: str) -> Optional[str]:
    """Read a stored file back and hash it; what is wrong with it, or None."""
    digest = hashlib.sha256()
    try:
        with store.open(key) as body:
            for chunk in iter(lambda: body.read(1 << 20), b""):
                digest.update(chunk)
    except storage.MissingObject:
        return "the stored file is missing"
    except Exception as error:  # noqa: BLE001  any store failure is reported, not raised
        return f"the stored file could not be read ({error})"
    if digest.hexdigest() != key:
        return "the stored file no longer matches the SHA-256 that was signed"
    return None


def _check_signed_files(session: Session, versions: list[EvidenceVersion],
                        store: Optional[storage.Store], report: SignedCheck) -> Optional[str]:
    """Every file a signed version lists: its record as signed and, given the store, its bytes.

    Runs after the versions' own hashes held, so the lists read here are what was signed.
    """
    listed = [(version, entry) for version in versions if recipe_of(version.content) >= 2
              for entry in version.content.get("attachments", [])]
    rows = _by_id(session, Attachment, {entry["id"] for _, entry in listed})
    hashed: set[str] = set()
    for version, entry in listed:
        where = (f"evidence {version.evidence_id} version {version.number}: the file "
                 f"“{entry['name']}” (attachment {entry['id']})")
        row = rows.get(entry["id"])
        if row is None or row.evidence_id != version.evidence_id:
            return f"{where} is missing"
        if (row.sha256, row.filename, row.media_type) != (
                entry["sha256"], entry["name"], entry["media_type"]):
            return f"{where} was changed after it was signed: its record no longer matches"
        if store is None or entry["sha256"] in hashed:
            continue
        problem = _stored_file_problem(store, entry["sha256"])
        if problem:
            return f"{where}: {problem}"
        hashed.add(entry["sha256"])
        report.files += 1
    return None


def _check_signatures(session: Session, report: SignedCheck,
                      store: Optional[storage.Store]) -> Optional[str]:
    """Every signature against its event and what it signed, a batch at a time."""
    events = _signing_events(session)
    for signatures in _batches(session, sa.select(Signature), Signature.id):
        signs_version = {s.subject_id for s in signatures if s.subject_type == "evidence_version"}
        versions = _by_id(session, EvidenceVersion, signs_version)
        records = _by_id(session, StageSignOff, {s.subject_id for s in signatures
                                                 if s.subject_type != "evidence_version"})
        rounds = signed_stages.rounds_of(session, set(records))
        for signature in signatures:
            report.signatures += 1
            on_version = signature.subject_type == "evidence_version"
            problem = _check_signature(
                signature, events.get(signature.id),
                versions.get(signature.subject_id) if on_version else None,
                None if on_version else records.get(signature.subject_id),
                [] if on_version else rounds.get(signature.subject_id, []))
            if problem:
                return problem
        problem = _check_signed_files(session, list(versions.values()), store, report)
        if problem:
            return problem
    return None


def _latest_versions(session: Session, evidence_ids: list[int]) -> dict[int, EvidenceVersion]:
    """The newest signed version of each item, in one statement."""
    latest: dict[int, EvidenceVersion] = {}
    for version in session.scalars(sa.select(EvidenceVersion).where(
            EvidenceVersion.evidence_id.in_(evidence_ids)).execution_options(populate_existing=True)):
        held = latest.get(version.evidence_id)
        if held is None or version.number > held.number:
            latest[version.evidence_id] = version
    return latest


def _files_of(session: Session, evidence_ids: list[int]) -> dict[int, list[Attachment]]:
    """The attachments of each item, in one statement."""
    files: dict[int, list[Attachment]] = {}
    for row in session.scalars(sa.select(Attachment).where(Attachment.evidence_id.in_(evidence_ids))
                               .execution_options(populate_existing=True)):
        files.setdefault(row.evidence_id, []).append(row)
    return files


def _signed_version_ids(session: Session, version_ids: list[int]) -> set[int]:
    """Which of these versions a signature is bound to, in one statement."""
    return set(session.scalars(sa.select(Signature.subject_id).where(
        Signature.subject_type == "evidence_version", Signature.subject_id.in_(version_ids))))


def _check_signed_items(session: Session) -> Optional[str]:
    """An item marked signed must still read exactly as its latest signed version, files too."""
    types = dict(session.execute(sa.select(EvidenceType.id, EvidenceType.code)).all())
    for items in _batches(session, sa.select(Evidence).where(Evidence.status == "signed"),
                          Evidence.id):
        ids = [evidence.id for evidence in items]
        latest, files = _latest_versions(session, ids), _files_of(session, ids)
        bound = _signed_version_ids(session, [v.id for v in latest.values()])
        for evidence in items:
            version = latest.get(evidence.id)
            if version is None:
                return f"evidence {evidence.id} is marked signed but has no signed version"
            if version.id not in bound:
                return (f"evidence {evidence.id} version {version.number} has no signature: "
                        "it was added outside the application")
            links = version.content.get("capabilities", [])
            current = evidence_content(evidence, types.get(evidence.evidence_type_id, ""), links,
                                       files.get(evidence.id, []), recipe_of(version.content))
            if content_hash(current) != version.content_hash:
                return (f"evidence {evidence.id} (“{evidence.title}”) was changed after it was "
                        f"signed, outside the application")
    return None


def check_signed(session: Session, store: Optional[storage.Store] = None) -> SignedCheck:
    """Every signature against what it signed and against the log, then every signed item,
    then every signed-off stage and its rounds.

    With the attachment store, every signed file's bytes are hashed too.
    """
    report = SignedCheck()
    report.problem = (_check_signatures(session, report, store) or _check_signed_items(session)
                      or signed_stages.check(session))
    return report

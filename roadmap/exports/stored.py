"""The stored portfolio PDF: one per enrolment and reader, re-made in the background.

Two forms per enrolment: the one their supervisors get (shared items only) and the candidate's
own (with their private drafts); a hub lead exports nothing. Without drafts the two are one
layout. With drafts, the candidate's own costs a layout of its own, so it is kept current only
while they show interest (OWN_KEPT_FOR since they last opened their export page). Each file sits beside a small
JSON note of what it was made from: the enrolment's audit position (the id of its newest audit
event: every change a PDF shows writes one, in the same transaction) and the day it was made
(the cover and the progress figures are as of that day). "Current" is then one indexed query
against the note, never a layout.

The note also keeps a fingerprint of the gathered data, so a refresh whose data did not change
(an event the PDF shows identically, both forms the same because there are no drafts) moves the
note on without laying anything out.

A refresh writes to a temporary file and renames it over the old one, then the note: a worker
killed midway leaves the previous file and its note, which then say "not current". A note never
runs ahead of its file. One refresh per enrolment at a time (a lock file), so two workers do not
interleave.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional

import sqlalchemy as sa
from flask import Flask, g
from sqlalchemy.orm import Session

from roadmap.audit.models import AuditEvent
from roadmap.clock import today
from roadmap.cohorts.models import Enrolment
from roadmap.db import database, utcnow, write_intent
from roadmap.exports.gather import gather
from roadmap.exports.portfolio import setup
from roadmap.portfolio.models import Evidence, EvidenceStatus

VARIANTS = {"shared": False, "own": True}  # its name: whether the candidate's drafts are in it
PENDING = "pending"  # a refresh is queued: changes meanwhile need queue nothing more
WANTED = "own-wanted"  # touched when the candidate opens the export page or asks for the PDF
OWN_KEPT_FOR = dt.timedelta(days=14)  # ...and for so long their own form is kept current too
log = logging.getLogger(__name__)


def variant(owner: bool) -> str:
    """Which stored form a reader gets: the candidate their own, supervisors the shared one."""
    return "own" if owner else "shared"


def folder(app: Flask, enrolment_id: int) -> Path:
    """Where an enrolment's stored PDFs and their notes are."""
    return setup(app).export_dir / "stored" / str(int(enrolment_id))


def pdf_path(app: Flask, enrolment_id: int, form: str) -> Path:
    """The stored PDF of one form."""
    return folder(app, enrolment_id) / f"{form}.pdf"


def claim(marker: Path, lost_after: float, force: bool = False) -> bool:
    """Make a "queued" marker exclusively: True when this caller queues the work, False when
    it is queued already. A marker older than `lost_after` seconds (its job was lost: a queue
    emptied), or `force`, is taken over and touched."""
    marker.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        return True
    except FileExistsError:
        pass
    try:
        lost = time.time() - marker.stat().st_mtime > lost_after
    except OSError:
        lost = True
    if not (force or lost):
        return False
    marker.touch()
    return True


def want_own(app: Flask, enrolment_id: int) -> None:
    """The candidate looked at their export: keep their own form (with drafts) current too.

    Only while it differs from the supervisors' (they have drafts) does it cost a layout of its
    own; without such interest it is left to the click, which takes the job path."""
    base = folder(app, enrolment_id)
    base.mkdir(parents=True, exist_ok=True)
    (base / WANTED).touch()


def _own_wanted(base: Path) -> bool:
    try:
        return (base / WANTED).stat().st_mtime > utcnow().timestamp() - OWN_KEPT_FOR.total_seconds()
    except OSError:
        return False


def note(app: Flask, enrolment_id: int, form: str) -> Optional[dict[str, Any]]:
    """What the stored PDF was made from, or None if there is none (or its note is unreadable)."""
    try:
        found = json.loads((folder(app, enrolment_id) / f"{form}.json").read_text())
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def latest(session: Session, enrolment_id: int,
           shown_to_supervisors: bool = False) -> tuple[int, Optional[dt.datetime]]:
    """The enrolment's audit position and when that change happened: one indexed query. With
    `shown_to_supervisors`, the newest change their form can show: an event about an item
    that is still the candidate's draft is not one (nor is its time theirs to see)."""
    query = sa.select(AuditEvent.id, AuditEvent.occurred_at).where(
        AuditEvent.enrolment_id == enrolment_id)
    if shown_to_supervisors:
        draft = sa.select(Evidence.id).where(Evidence.id == AuditEvent.subject_id,
                                             Evidence.status == EvidenceStatus.DRAFT.value)
        query = query.where(sa.or_(AuditEvent.subject_type.is_(None),
                                   AuditEvent.subject_type != "evidence", ~draft.exists()))
    row = session.execute(query.order_by(AuditEvent.id.desc()).limit(1)).first()
    return (row.id, row.occurred_at) if row else (0, None)


@dataclass(frozen=True)
class Freshness:
    """How current a reader's stored PDF is, as the export page says it."""

    current: bool
    exists: bool
    last_change: Optional[dt.datetime]  # when not current: the newest change not in it
    made_at: Optional[dt.datetime]


def freshness(app: Flask, session: Session, enrolment_id: int, form: str,
              on: Optional[dt.date] = None) -> Freshness:
    """Whether the stored PDF holds every change to the enrolment, made today."""
    made = note(app, enrolment_id, form)
    # The supervisors' form is current when it holds every change it can show: a draft's
    # change after it was made (only the candidate's own form shows drafts) leaves it so.
    position, changed_at = latest(session, enrolment_id, shown_to_supervisors=form == "shared")
    made_at = dt.datetime.fromisoformat(made["made_at"]) if made else None
    current = (made is not None and pdf_path(app, enrolment_id, form).is_file()
               and isinstance(made.get("position"), int) and made["position"] >= position
               and made.get("day") == (on or today()).isoformat())
    return Freshness(current, made is not None, None if current else changed_at, made_at)


def current_own(app: Flask, session: Session, enrolment_id: int,
                on: Optional[dt.date] = None) -> Optional[Path]:
    """The candidate's own stored PDF when it holds every change as of `on`, else None: the
    archival copy their ZIP carries."""
    own = variant(True)
    if not freshness(app, session, enrolment_id, own, on).current:
        return None
    return pdf_path(app, enrolment_id, own)


def render_stored(session: Session, enrolment: Enrolment, on: dt.date, drafts: bool) -> bytes:
    """The stored document: tagged PDF/A-3 in one pass, its data and signed manifest embedded
    (exports.archival); its time matters to no one, as nobody waits for it."""
    from roadmap.exports.archival import archival_pdf

    return archival_pdf(session, enrolment, on, drafts=drafts)


def _plain(value: Any) -> Any:
    """Gathered data as JSON for the fingerprint: model objects by their columns."""
    table = getattr(value, "__table__", None)
    if table is not None:
        return {column.key: getattr(value, column.key, None) for column in table.columns}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(map(str, value))
    return str(value)


def fingerprint(session: Session, enrolment: Enrolment, on: dt.date, drafts: bool,
                image_dir: Path) -> str:
    """A hash of everything the PDF of this form shows, without laying anything out."""
    data = gather(session, enrolment, on, image_dir, True, drafts=drafts)
    text = json.dumps(data, default=_plain, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _replace(path: Path, data: bytes) -> None:
    """Write beside, flush to disk, rename over: readers see the old file or the new, never half."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.part")
    with open(temporary, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


@contextmanager
def _locked(base: Path) -> Iterator[bool]:
    """Hold the enrolment's refresh lock if nobody else does; yields whether it was had."""
    with open(base / "lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def refresh(app: Flask, enrolment_id: int) -> Optional[list[str]]:
    """Bring both stored forms of an enrolment up to date; the forms laid out, or None when
    another refresh of it holds the lock (the caller tries again later). Raises on failure:
    the files and notes of before are then untouched."""
    base = folder(app, enrolment_id)
    base.mkdir(parents=True, exist_ok=True)
    with _locked(base) as mine:
        if not mine:
            return None
        for leftover in base.glob("*.part"):  # a killed refresh's half-written file
            leftover.unlink(missing_ok=True)
        (base / PENDING).unlink(missing_ok=True)  # a change from now on queues another refresh
        return _make(app, enrolment_id, base)


def _make(app: Flask, enrolment_id: int, base: Path) -> list[str]:
    laid_out: list[str] = []
    reading = write_intent.set(False)  # reads only; inline (tests) not behind a request's lock
    try:
        with app.app_context():
            session = database(app).sessions()
            try:
                enrolment = session.get(Enrolment, enrolment_id)
                if enrolment is None:
                    shutil.rmtree(base, ignore_errors=True)
                    return []
                position, _at = latest(session, enrolment_id)  # first: the data is no older
                on, made = today(), dict[str, str]()
                for form, drafts in VARIANTS.items():
                    key = fingerprint(session, enrolment, on, drafts, setup(app).image_dir)
                    before, target = note(app, enrolment_id, form), base / f"{form}.pdf"
                    if before and before.get("fingerprint") == key and target.is_file():
                        pass  # same content: only the note moves on
                    elif key in made:  # both forms the same (no drafts): one layout
                        _replace(target, (base / f"{made[key]}.pdf").read_bytes())
                    elif drafts and not _own_wanted(base):
                        continue  # nobody waits for it: the candidate's click makes it
                    else:
                        _replace(target, render_stored(session, enrolment, on, drafts))
                        laid_out.append(form)
                    made.setdefault(key, form)
                    _replace(base / f"{form}.json", json.dumps({
                        "position": position, "day": on.isoformat(), "fingerprint": key,
                        "made_at": utcnow().isoformat()}).encode())
            finally:
                session.close()
                leaked = g.pop("db_session", None)  # inline (tests): the request's own session
                if leaked is not None:
                    leaked.close()
    finally:
        write_intent.reset(reading)
    log.info("stored PDF of enrolment %s refreshed: %s laid out", enrolment_id,
             ", ".join(laid_out) or "nothing")
    return laid_out

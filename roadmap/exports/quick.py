"""The quick stored copy: the quick PDF of an enrolment, made as soon as a change commits.

The archival copy (stored.py) is re-made minutes after a change and takes seconds of CPU; until
then the export button took the job path, and a reader whose page was open before the change
waited for a whole quick export on their click. Now the commit that changes a portfolio also
queues, at once, the quick export (parts reused from the cache: only what changed is laid out
again) of the supervisors' form, and of the candidate's own while they look at their export
(stored._own_wanted). The button serves it, with the opening recorded, while it holds every
change and was made today, and the archival copy does not yet (service.current_pdf); a click
while it is being made waits for it (up to EXPORT_WAIT_SECONDS).

Beside the archival files, per form: quick-<form>.pdf, quick-<form>.json (the audit position
and day it was made from, written after the file: a note never runs ahead of its file) and
quick-<form>.queued, made exclusively when one is queued, removed as it starts: changes while
one is queued add nothing, a change while one runs queues the next, and each takes the newest
position when it runs. Who reads which form is the caller's check, as for the archival copy:
the shared form has no drafts, the candidate's own has them.

The jobs worker runs them (the job queue, so they start within its poll, not after a refresh);
tests run them inline, as they do jobs. Nothing here may fail the commit that queued it.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import threading
import time
from pathlib import Path
from typing import Any, Iterable, Optional

from flask import Flask, g
from sqlalchemy.orm import Session

from roadmap.clock import today
from roadmap.db import database, utcnow, write_intent
from roadmap.exports import jobs, stored

_registering = threading.Lock()
CANDIDATE = "candidate"  # beside the stored PDFs: the enrolment's candidate's user id
LOST_AFTER = 600.0  # a queued marker this old: its job was lost (a queue emptied): queue again
WAIT_POLL = 0.05  # a click waiting for the copy being made reads its note this often
log = logging.getLogger(__name__)


def enabled(app: Flask) -> bool:
    """Whether changes make the quick copy (EXPORT_QUICK_COPY, with EXPORT_KEEP_FRESH)."""
    return bool(app.config.get("EXPORT_QUICK_COPY") and app.config.get("EXPORT_KEEP_FRESH"))


def _path(app: Flask, enrolment_id: int, form: str, suffix: str) -> Path:
    return stored.folder(app, enrolment_id) / f"quick-{form}.{suffix}"


def pdf_path(app: Flask, enrolment_id: int, form: str) -> Path:
    """The quick copy of one form."""
    return _path(app, enrolment_id, form, "pdf")


def note(app: Flask, enrolment_id: int, form: str) -> Optional[dict[str, Any]]:
    """What the quick copy was made from, or None."""
    try:
        found = json.loads(_path(app, enrolment_id, form, "json").read_text())
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def holds(app: Flask, enrolment_id: int, form: str, position: int,
          on: Optional[dt.date] = None) -> Optional[Path]:
    """The quick copy if it holds every change up to `position` and was made on `on` (today)."""
    made = note(app, enrolment_id, form)
    if made is None or made.get("day") != (on or today()).isoformat():
        return None
    if not isinstance(made.get("position"), int) or made["position"] < position:
        return None
    path = pdf_path(app, enrolment_id, form)
    return path if path.is_file() else None


def coming(app: Flask, enrolment_id: int, form: str) -> bool:
    """Whether a quick copy of the form is queued or being made."""
    if _path(app, enrolment_id, form, "queued").exists():
        return True
    return _busy(_path(app, enrolment_id, form, "lock"))


def _busy(lock: Path) -> bool:
    """Whether someone holds the lock (a quick copy is being made), without waiting for it."""
    try:
        with open(lock, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False
    except OSError:
        return False


def forms(app: Flask, enrolment_id: int, actors: Iterable[Optional[int]] = ()) -> list[str]:
    """The forms a change makes a quick copy of, in the order made: the shared one, and the
    candidate's own while they look at their export (as the archival refresh keeps it), first
    when the candidate made the change (`actors`): they are the likeliest to press the button."""
    base = stored.folder(app, enrolment_id)
    if not stored._own_wanted(base):
        return ["shared"]
    return ["own", "shared"] if candidate(app, enrolment_id) in set(actors) else ["shared", "own"]


def remember_candidate(app: Flask, enrolment_id: int, candidate_id: int) -> None:
    """Whose portfolio it is, for the order of the copies (read after a commit, with no query)."""
    path = stored.folder(app, enrolment_id) / CANDIDATE
    if candidate(app, enrolment_id) != candidate_id:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(str(int(candidate_id)))


def candidate(app: Flask, enrolment_id: int) -> Optional[int]:
    """The candidate remembered by remember_candidate, or None."""
    try:
        return int((stored.folder(app, enrolment_id) / CANDIDATE).read_text())
    except (OSError, ValueError):
        return None


def schedule(app: Flask, enrolment_id: int, form: str) -> bool:
    """Queue the quick copy of one form unless one is queued already; whether one was."""
    marker = _path(app, enrolment_id, form, "queued")
    if not stored.claim(marker, LOST_AFTER):
        return False
    try:
        jobs.queue(app).enqueue(task(app).s(enrolment_id, form))
    except BaseException:
        marker.unlink(missing_ok=True)  # not queued: no click may wait for it
        raise
    return True


def task(app: Flask) -> Any:
    """The task making a quick copy, on the export job queue: registered by the export worker
    as it starts (cli.py) and by the app on its first queueing."""
    with _registering:
        existing = app.extensions.get("roadmap.exports.quick")
        if existing is None:
            huey = jobs.queue(app)

            @huey.task(name="roadmap.export.quick")
            def quick_job(enrolment_id: int, form: str) -> None:
                run(app, enrolment_id, form)

            existing = app.extensions["roadmap.exports.quick"] = quick_job
        return existing


def after_change(app: Flask, enrolment_id: int, actors: Iterable[Optional[int]] = ()) -> None:
    """A change to the enrolment committed (by `actors`): queue its quick copies, if a worker
    will make them."""
    if not jobs.running(app):
        return  # nobody would make it: the click takes the job path, which says so
    for form in forms(app, enrolment_id, actors):
        schedule(app, enrolment_id, form)


def run(app: Flask, enrolment_id: int, form: str) -> Optional[Path]:
    """Make the quick copy of one form at the enrolment's newest position; never raises. The
    file, or None (failed: logged; the button then takes the job path)."""
    from roadmap.cohorts.models import Enrolment
    from roadmap.exports import portfolio

    base = stored.folder(app, enrolment_id)
    base.mkdir(parents=True, exist_ok=True)
    reading = write_intent.set(False)  # reads only; inline (tests) not behind a request's lock
    try:
        with open(_path(app, enrolment_id, form, "lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one at a time per form: the newer waits its turn
            _path(app, enrolment_id, form, "queued").unlink(missing_ok=True)
            with app.app_context():
                session = database(app).sessions()
                try:
                    enrolment = session.get(Enrolment, enrolment_id)
                    if enrolment is None:
                        return None
                    position, _at = stored.latest(session, enrolment_id)  # first: data no older
                    on = today()
                    made = holds(app, enrolment_id, form, position, on)
                    if made is not None:
                        return made  # made already by the one before
                    started = time.perf_counter()
                    pdf = portfolio.export_pdf(session, enrolment, on, True,
                                               drafts=stored.VARIANTS[form])
                    target = pdf_path(app, enrolment_id, form)
                    stored._replace(target, pdf)
                    stored._replace(_path(app, enrolment_id, form, "json"), json.dumps({
                        "position": position, "day": on.isoformat(),
                        "made_at": utcnow().isoformat()}).encode())
                    log.info("quick copy (%s) of enrolment %s made in %.2f s", form,
                             enrolment_id, time.perf_counter() - started)
                    return target
                finally:
                    session.close()
                    leaked = g.pop("db_session", None)  # inline (tests): this context's own
                    if leaked is not None:
                        leaked.close()
    except Exception:  # noqa: BLE001 - the click falls back to the job path: log, never raise
        log.exception("quick copy (%s) of enrolment %s failed", form, enrolment_id)
        return None
    finally:
        write_intent.reset(reading)


def wait(app: Flask, session: Session, enrolment_id: int, form: str,
         seconds: float) -> Optional[Path]:
    """The quick copy holding every change so far, waiting up to `seconds` while one is coming.

    The session's transaction is ended first, so the wait holds no database lock."""
    position, _at = stored.latest(session, enrolment_id)
    found = holds(app, enrolment_id, form, position)
    if found is not None or seconds <= 0 or not coming(app, enrolment_id, form):
        return found
    session.commit()
    deadline = time.monotonic() + seconds
    while found is None and time.monotonic() < deadline:
        time.sleep(WAIT_POLL)
        found = holds(app, enrolment_id, form, position)
        if found is None and not coming(app, enrolment_id, form):
            found = holds(app, enrolment_id, form, position)
            break
    return found

"""Keeping stored portfolio PDFs current: a change queues one delayed refresh of its enrolment.

The hook is the audit log: every change a PDF shows appends an audit event naming its
enrolment in the change's own transaction (audit.TOUCHED). After that transaction commits,
each touched enrolment gets a refresh queued EXPORT_REFRESH_SECONDS later, unless one is queued
already (a "pending" marker file beside the stored PDFs, made exclusively): ten changes in a
minute make one refresh. The refresh removes the marker as it starts, so a change during it
queues the next. A rollback queues nothing.

The same hook queues the enrolment's quick copy at once (exports.quick, EXPORT_QUICK_COPY),
which the export button serves until the refresh has run.

Nothing here may fail a request: the change is committed already, and a refresh that cannot be
queued only means the next click takes the job path.
"""
from __future__ import annotations

import gc
import logging
from typing import Any, Optional

from flask import Flask, current_app
from huey import Huey

from roadmap.audit.service import TOUCHED, TOUCHED_BY
from roadmap.exports import jobs, quick, stored

RETRIES = 3  # a failed refresh is tried again this many times, further apart each time
LOST_AFTER = 3600.0  # a marker this old: its refresh was lost (a queue emptied): queue again
log = logging.getLogger(__name__)


def delay(app: Flask) -> int:
    """Seconds a refresh waits after the change that queued it, to gather the ones after."""
    return max(int(app.config.get("EXPORT_REFRESH_SECONDS") or 0), 0)


def schedule(app: Flask, enrolment_id: int, seconds: Optional[float] = None,
             attempt: int = 0, force: bool = False) -> bool:
    """Queue a refresh of the enrolment unless one is queued already; whether one was queued."""
    if not stored.claim(stored.folder(app, enrolment_id) / stored.PENDING, LOST_AFTER, force):
        return False
    refresh_task(app).schedule((enrolment_id, attempt),
                                    delay=delay(app) if seconds is None else seconds)
    return True


def pending(app: Flask, enrolment_id: int) -> bool:
    """Whether a refresh of the enrolment is queued."""
    return (stored.folder(app, enrolment_id) / stored.PENDING).exists()


def run(app: Flask, enrolment_id: int, attempt: int = 0) -> Optional[list[str]]:
    """The queued refresh: never raises. Busy (another refresh of it runs): again shortly.
    Failed: logged, the previous files kept, tried again later, up to RETRIES times."""
    try:
        laid_out = stored.refresh(app, enrolment_id)
    except Exception:  # noqa: BLE001 - a refresh must record any failure, not lose it
        log.exception("stored PDF of enrolment %s: refresh failed (attempt %s)", enrolment_id,
                      attempt + 1)
        if attempt + 1 < RETRIES:
            schedule(app, enrolment_id, (delay(app) or 60) * 5 ** (attempt + 1), attempt + 1,
                     force=True)
        return None
    finally:
        gc.collect()  # a layout leaves its pages in reference cycles: free them between refreshes
    if laid_out is None:
        schedule(app, enrolment_id, delay(app) or 10, attempt, force=True)
    return laid_out


def init_app(app: Flask) -> None:
    """After each commit that wrote audit events, queue a refresh of each enrolment they name."""
    from sqlalchemy import event

    sessions, keep = app.extensions["roadmap.db"].sessions, bool(app.config.get("EXPORT_KEEP_FRESH"))

    @event.listens_for(sessions, "after_commit")
    def _queue(session: Any) -> None:
        if session.in_nested_transaction():
            return
        touched, actors = session.info.pop(TOUCHED, ()), session.info.pop(TOUCHED_BY, {})
        for enrolment_id in sorted(touched) if keep else ():
            try:
                schedule(app, enrolment_id)
            except Exception:  # noqa: BLE001 - the change is committed: never an error page
                log.exception("could not queue a refresh of enrolment %s's PDF", enrolment_id)
        for enrolment_id in sorted(touched) if quick.enabled(app) else ():
            try:  # the quick copy, at once: the button serves it until the refresh has run
                quick.after_change(app, enrolment_id, actors.get(enrolment_id, ()))
            except Exception:  # noqa: BLE001 - the change is committed: never an error page
                log.exception("could not queue the quick copy of enrolment %s", enrolment_id)

    @event.listens_for(sessions, "after_rollback")
    def _forget(session: Any) -> None:
        if not session.in_nested_transaction():
            session.info.pop(TOUCHED, None)
            session.info.pop(TOUCHED_BY, None)


def refresh_queue(app: Optional[Flask] = None) -> Huey:
    """The queue of stored-PDF refreshes (exports.fresh): a queue of its own, with a worker of
    its own (`roadmap export worker --refreshes`), so a click's job never waits behind one."""
    app = app or current_app
    existing = app.extensions.get("roadmap.exports.refresh_huey")
    if existing is not None:
        return existing
    huey = jobs.make_huey(app, "roadmap-refreshes", "refreshes.sqlite3")

    @huey.task(name="roadmap.export.refresh")
    def refresh_job(enrolment_id: int, attempt: int = 0) -> None:
        run(app, enrolment_id, attempt)

    app.extensions["roadmap.exports.refresh_huey"] = huey
    app.extensions["roadmap.exports.refresh"] = refresh_job
    return huey


def refresh_task(app: Flask) -> Any:
    """The task that brings an enrolment's stored PDFs up to date (exports.fresh)."""
    refresh_queue(app)
    return app.extensions["roadmap.exports.refresh"]

"""Export jobs: queued on huey, their state in a JSON file with a log beside what they make.

No table holds them: a job is a folder under EXPORT_DIR/jobs named by an unguessable id, and
only the person who asked for it can read it. The queue is SQLite in EXPORT_DIR by default,
Redis when ROADMAP_REDIS_URL is set; tests run jobs inline (huey's immediate mode).

A running job's worker touches a heartbeat file beside its state. A worker that dies (killed,
out of memory, its machine restarted) stops touching it: once the job has not been heard of
for EXPORT_HEARTBEAT_SECONDS it counts as failed, whoever looks first (its page, or a worker
before its next job), and its page offers to start it again. A job still queued that long while
no worker is alive fails the same way (liveness.py); a repeated ask reuses a job still to come
(repeats.py).
"""
from __future__ import annotations

import datetime as dt
import gc
import json
import logging
import os
import re
import secrets
import time
import traceback
from pathlib import Path
from typing import Any, Optional

from flask import Flask, current_app, g
from huey import Huey, RedisHuey, SqliteHuey

from roadmap.clock import day_of, today
from roadmap.db import database, utcnow, write_intent
from roadmap.exports import liveness, pruning, repeats
from roadmap.exports.liveness import NOT_STARTED_MESSAGE
from roadmap.exports.portfolio import setup

KINDS = {"pdf": ("portfolio.pdf", "application/pdf"), "zip": ("portfolio.zip", "application/zip")}
_JOB_ID = re.compile(r"^[A-Za-z0-9_-]{32}$")
FAILED_MESSAGE = ("The export could not be finished. Nothing was lost: try again, and if it "
                  "fails again tell your training hub, quoting reference {job_id}.")
STOPPED_MESSAGE = ("The export stopped before it was finished: the program making it stopped. "
                   "Nothing was lost: try again, and if it fails again tell your training hub, "
                   "quoting reference {job_id}.")
# An idle worker on the SQLite queue looks for a job this often (huey's default backs off to
# 10 s, all of it felt by the first person to click after a quiet spell); Redis wakes it at once.
IDLE_POLL = 0.1  # one small query of an idle queue: cheap; the quick copy starts sooner
WAIT_POLL = 0.05  # the export button, waiting for a quick job, reads its state file this often
log = logging.getLogger(__name__)


def folder(app: Flask, job_id: str) -> Path:
    """The folder of one job."""
    return setup(app).export_dir / "jobs" / job_id


def _write(path: Path, state: dict[str, Any]) -> None:
    temporary = path.with_suffix(f".{os.getpid()}.part")
    temporary.write_text(json.dumps(state, default=str))
    os.replace(temporary, path)


def update(app: Flask, job_id: str, **changes: Any) -> dict[str, Any]:
    """Change a job's state file; the file is replaced whole, so readers never see half."""
    path = folder(app, job_id) / "status.json"
    state = json.loads(path.read_text())
    state.update(changes)
    _write(path, state)
    return state


def create(app: Flask, user_id: int, enrolment_id: int, kind: str, content: bool,
           drafts: bool = False, name: str = "", position: Optional[int] = None) -> str:
    """A new job for a person, queued; its id. Drafts are in it only for their candidate.

    The same ask again (same enrolment, kind, content and drafts, and no change to the
    portfolio since: `position`, its newest audit event) while the person's previous job is
    queued or running, or done today, gets that job's id: a double click makes one export, not
    two, but an edit between the clicks makes a new one. `name`: the candidate's, for the file's
    name."""
    if pruning.due(setup(app).export_dir / "pruned"):
        pruning.prune(app)
    with repeats.held(setup(app).export_dir, user_id, enrolment_id, kind) as index:
        earlier = repeats.latest(index)
        state = read(app, earlier, user_id) if earlier else None
        if state is not None and repeats.reusable(state, content, drafts, position,
                                                  made_on(state), today()) and (
                state["state"] != "done" or output(app, str(earlier)).is_file()):
            return str(earlier)
        job_id = secrets.token_urlsafe(24)
        path = folder(app, job_id)
        path.mkdir(parents=True)
        _write(path / "status.json", {
            "user_id": user_id, "enrolment_id": enrolment_id, "kind": kind, "content": content,
            "drafts": drafts, "name": name, "position": position,
            "state": "queued", "percent": 0, "message": "Waiting to start",
            "created_at": utcnow().isoformat()})
        repeats.remember(index, job_id)
    queue(app).enqueue(task(app).s(job_id))
    return job_id


def made_on(state: dict[str, Any]) -> dt.date:
    """The day in England a job was asked for: the date in its file's name."""
    try:
        return day_of(dt.datetime.fromisoformat(str(state.get("created_at"))))
    except ValueError:
        return today()


def read(app: Flask, job_id: str, user_id: int) -> Optional[dict[str, Any]]:
    """A job's state, if the id is well formed, the job exists and is this person's.

    A running job whose worker has died, or a job queued too long with no worker alive to
    take it, is marked failed here, when it is looked at.
    """
    if not _JOB_ID.match(job_id or ""):
        return None
    try:
        state = json.loads((folder(app, job_id) / "status.json").read_text())
    except (OSError, ValueError):
        return None
    return _check_alive(app, job_id, state) if state.get("user_id") == user_id else None


def wait(app: Flask, job_id: str, user_id: int, seconds: float) -> Optional[dict[str, Any]]:
    """A person's job's state once it is done or failed, or after `seconds` if it is not."""
    deadline = time.monotonic() + seconds
    while True:
        state = read(app, job_id, user_id)
        if state is None or state["state"] in ("done", "failed") or time.monotonic() >= deadline:
            return state
        time.sleep(WAIT_POLL)


def _check_alive(app: Flask, job_id: str, state: dict[str, Any]) -> dict[str, Any]:
    """The state, or failed: if the job runs but its worker has not been heard of for too long,
    or if it is still queued that long after it was asked for while no worker is alive."""
    path, timeout = folder(app, job_id), liveness.timeout(app)
    if state.get("state") == "running":
        silent = time.time() - liveness.last_heard(path)
        if silent < timeout:
            return state
        log.warning("export %s: no heartbeat for %.0f s, its worker has stopped: marked failed",
                    job_id[:8], silent)
        message = STOPPED_MESSAGE
    elif liveness.never_started(state, setup(app).export_dir, timeout):
        log.warning("export %s: queued for over %.0f s and no export worker is running: "
                    "marked failed", job_id[:8], timeout)
        message = NOT_STARTED_MESSAGE
    else:
        return state
    failed = {"state": "failed", "message": message.format(job_id=job_id[:8]),
              "finished_at": utcnow().isoformat()}
    try:
        return update(app, job_id, **failed)
    except (OSError, ValueError):  # pruned meanwhile: say so all the same
        return {**state, **failed}


def sweep(app: Flask) -> int:
    """Mark failed every running job whose worker has died; how many there were (a worker runs
    this, so the queued jobs it is alive to take stay queued)."""
    failed = 0
    for status in (setup(app).export_dir / "jobs").glob("*/status.json"):
        try:
            state = json.loads(status.read_text())
        except (OSError, ValueError):
            continue
        failed += _check_alive(app, status.parent.name, state) is not state
    return failed


def _status(path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads((path / "status.json").read_text()))
    except (OSError, ValueError):
        return {}


def output(app: Flask, job_id: str) -> Path:
    """The file a finished job made."""
    state = json.loads((folder(app, job_id) / "status.json").read_text())
    return folder(app, job_id) / KINDS[state["kind"]][0]


def run(app: Flask, job_id: str) -> None:
    """Do one job; any failure is logged beside it and shown as a clear message, never raised."""
    from roadmap.cohorts.models import Enrolment
    from roadmap.exports import archive, portfolio, stored
    from roadmap.clock import today

    sweep(app)  # jobs a dead worker left running, before this one starts
    path = folder(app, job_id)
    if _status(path).get("state") != "queued":  # failed on its page while no worker ran
        log.info("export %s: no longer queued, not started", job_id[:8])
        return
    handler = logging.FileHandler(path / "log.txt")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    watched = [logging.getLogger("roadmap.exports"), logging.getLogger("weasyprint")]
    for logger in watched:
        logger.addHandler(handler)
    logging.getLogger("roadmap.exports").setLevel(logging.INFO)
    state = update(app, job_id, state="running", percent=1, message="Starting")
    log.info("export %s of enrolment %s started", state["kind"], state["enrolment_id"])

    def progress(percent: int, message: str) -> None:
        update(app, job_id, percent=min(percent, 99), message=message)

    reading = write_intent.set(False)  # a job only reads; inline (tests) it must not queue
    try:                                # behind the request's own write lock
        with liveness.heartbeat(path, liveness.timeout(app) / 4), app.app_context():
            session = database(app).sessions()
            try:
                enrolment = session.get(Enrolment, state["enrolment_id"])
                if enrolment is None:
                    raise LookupError("the enrolment no longer exists")
                target = path / KINDS[state["kind"]][0]
                if state["kind"] == "zip":
                    archive.export_zip(session, enrolment, today(), target, progress,
                                       stored.current_own(app, session, enrolment.id, today()))
                else:
                    target.write_bytes(portfolio.export_pdf(session, enrolment, today(),
                                                            state["content"], progress,
                                                            drafts=state.get("drafts", False)))
            finally:
                session.close()
                # Run inline (tests), templates may load the requester through this context's
                # own request session; close it, or it holds its transaction open.
                leaked = g.pop("db_session", None)
                if leaked is not None:
                    leaked.close()
        update(app, job_id, state="done", percent=100, message="Ready",
               finished_at=utcnow().isoformat())
        log.info("export finished: %s bytes", target.stat().st_size)
    except Exception:  # noqa: BLE001 - the job must record any failure, not lose it
        log.error("export failed\n%s", traceback.format_exc())
        update(app, job_id, state="failed", message=FAILED_MESSAGE.format(job_id=job_id[:8]),
               finished_at=utcnow().isoformat())
    finally:
        write_intent.reset(reading)
        for logger in watched:
            logger.removeHandler(handler)
        handler.close()
        # A render leaves hundreds of thousands of objects in reference cycles (page layouts,
        # PDF readers): free them now, while nobody waits, not in the middle of the next export.
        gc.collect()


def make_huey(app: Flask, name: str, filename: str) -> Huey:
    immediate = bool(app.config["TESTING"])
    if app.config.get("REDIS_URL"):
        return RedisHuey(name, url=app.config["REDIS_URL"], immediate=immediate)
    base = setup(app).export_dir
    base.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(base / filename), immediate=immediate)


def queue(app: Optional[Flask] = None) -> Huey:
    """The app's job queue, made on first use (never while the app is being built)."""
    app = app or current_app
    existing = app.extensions.get("roadmap.exports.huey")
    if existing is not None:
        return existing
    huey = make_huey(app, "roadmap-exports", "queue.sqlite3")

    @huey.task(name="roadmap.export")
    def export_job(job_id: str) -> None:
        run(app, job_id)

    app.extensions["roadmap.exports.huey"] = huey
    app.extensions["roadmap.exports.task"] = export_job
    return huey


def task(app: Flask) -> Any:
    """The export task of the app's queue."""
    queue(app)
    return app.extensions["roadmap.exports.task"]


def running(app: Flask) -> bool:
    """Whether a job queued now will be run: jobs run inline (tests), or an export worker has
    shown it is alive within EXPORT_HEARTBEAT_SECONDS (liveness.py)."""
    if getattr(queue(app), "immediate", False):
        return True
    return liveness.worker_alive(setup(app).export_dir, liveness.timeout(app))

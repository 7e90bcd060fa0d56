"""Whether the programs that make exports are alive, from files they touch in EXPORT_DIR.

A running job's worker touches a heartbeat file in the job's folder. Every export worker
(`roadmap export worker`, not `--refreshes`) also touches one shared file, EXPORT_DIR/worker.alive,
from the moment it starts, whether it is busy or idle: several workers on several hosts share the
folder, and any one's touch counts. A job still queued after EXPORT_HEARTBEAT_SECONDS while that
file is missing or as old has no worker to take it: its page says so instead of waiting for ever.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from flask import Flask

WORKER_FILE = "worker.alive"
NOT_STARTED_MESSAGE = ("The export could not start: the program that makes exports is not "
                       "running. Nothing was lost: try again in a few minutes, and if it fails "
                       "again tell your training hub, quoting reference {job_id}.")


def timeout(app: Flask) -> float:
    """Seconds without a sign of life after which a worker counts as stopped."""
    return max(float(app.config.get("EXPORT_HEARTBEAT_SECONDS") or 60), 4.0)


def _touching(path: Path, interval: float, stop: threading.Event) -> None:
    while True:
        try:
            path.touch()
        except OSError:  # a job's folder pruned meanwhile; a share briefly away
            if path.name != WORKER_FILE:
                return
        if stop.wait(interval):
            return


@contextmanager
def heartbeat(path: Path, interval: float) -> Iterator[None]:
    """Touch the job's heartbeat file every `interval` seconds from a thread of its own, so a
    long step of the layout still shows the worker is alive; it stops with the process."""
    stop = threading.Event()
    thread = threading.Thread(target=_touching, args=(path / "heartbeat", interval, stop),
                              name="export-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def keep_alive(export_dir: Path, interval: float) -> threading.Thread:
    """Touch EXPORT_DIR/worker.alive now and every `interval` seconds, from a daemon thread that
    lasts as long as the worker's process (the file is left behind: other workers share it)."""
    export_dir.mkdir(parents=True, exist_ok=True)
    (export_dir / WORKER_FILE).touch()
    thread = threading.Thread(target=_touching, args=(export_dir / WORKER_FILE, interval,
                                                      threading.Event()),
                              name="export-worker-alive", daemon=True)
    thread.start()
    return thread


def last_heard(path: Path) -> float:
    """When a job's worker last showed it was alive: its heartbeat, or its last progress."""
    found = []
    for name in ("heartbeat", "status.json"):
        try:
            found.append((path / name).stat().st_mtime)
        except OSError:
            continue
    return max(found, default=0.0)


def worker_alive(export_dir: Path, seconds: float) -> bool:
    """Whether some export worker has touched the shared file within `seconds`."""
    try:
        return (export_dir / WORKER_FILE).stat().st_mtime > time.time() - seconds
    except OSError:
        return False


def never_started(state: dict[str, Any], export_dir: Path, seconds: float) -> bool:
    """Whether a job is queued for longer than `seconds` with no worker alive to take it."""
    if state.get("state") != "queued":
        return False
    try:
        created = dt.datetime.fromisoformat(str(state.get("created_at"))).timestamp()
    except ValueError:
        return False
    return created < time.time() - seconds and not worker_alive(export_dir, seconds)

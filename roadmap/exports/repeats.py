"""A repeated ask (a double click, a second tab) reuses the person's job that is still to come,
or the one made today while the portfolio has not changed since (the export page starts one
before the button is pressed: the button then finds it made).

EXPORT_DIR/jobs-by/<user>-<enrolment>-<kind> names the latest job that person asked for of that
enrolment and kind, so a new ask reads one small file, never every job's folder. The file is
replaced whole (written beside, then renamed); a lock on jobs-by/.lock keeps two asks at the
same moment (two app processes) from both finding no job and both making one.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

FOLDER = "jobs-by"


def _index(export_dir: Path, user_id: int, enrolment_id: int, kind: str) -> Path:
    return export_dir / FOLDER / f"{int(user_id)}-{int(enrolment_id)}-{kind}"


@contextmanager
def held(export_dir: Path, user_id: int, enrolment_id: int, kind: str) -> Iterator[Path]:
    """The index file of this person's jobs of this enrolment and kind, under the lock: check
    it and make the job (not run it) inside the block, so the lock is held for milliseconds."""
    index = _index(export_dir, user_id, enrolment_id, kind)
    index.parent.mkdir(parents=True, exist_ok=True)
    with open(index.parent / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield index
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def latest(index: Path) -> Optional[str]:
    """The id of the job the index names, if any."""
    try:
        return index.read_text().strip() or None
    except OSError:
        return None


def reusable(state: dict[str, Any], content: bool, drafts: bool, position: Optional[int],
             made_on: dt.date, today: dt.date) -> bool:
    """Whether a job answers a new ask for the same thing: the same form (content, drafts), made
    at the portfolio's current audit `position`, and either still to come or, for a PDF,
    finished today (a file's pages carry the day it was made). A finished ZIP is made again:
    its PDF is the archival copy once that is current, which the finished one may predate.
    A failed job never answers."""
    if (state.get("content"), state.get("drafts"), state.get("position")) != (
            content, drafts, position) or position is None:
        return False
    return state.get("state") in ("queued", "running") or (
        state.get("state") == "done" and state.get("kind") == "pdf" and made_on == today)


def remember(index: Path, job_id: str) -> None:
    """Name `job_id` as the latest; readers see the old id or the new, never half of one."""
    temporary = index.with_name(f".{index.name}.{os.getpid()}.part")
    temporary.write_text(job_id)
    os.replace(temporary, index)


def prune(export_dir: Path, cutoff: float) -> None:
    """Forget index files last written before `cutoff` (their jobs are deleted by then)."""
    for index in (export_dir / FOLDER).glob("[0-9]*"):
        try:
            if index.stat().st_mtime < cutoff:
                index.unlink()
        except OSError:
            continue

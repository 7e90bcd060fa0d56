"""Export files do not outlive their use: finished jobs (they hold personal data) after a day,
cached parts unused for 30 days, local copies of attachment images, and the index files of
repeated asks. A new job prunes, at most every PRUNE_EVERY seconds (a prune walks the whole
part cache: not for every click)."""
from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path

from flask import Flask

from roadmap import storage
from roadmap.db import utcnow
from roadmap.exports import images, repeats
from roadmap.exports.portfolio import setup
from roadmap.storage import mirror

KEPT = dt.timedelta(hours=24)  # a finished export is deleted after this: it holds personal data
PRUNE_EVERY = 600  # seconds: a new job prunes old ones (and stale cached parts) this often


def prune(app: Flask, keep: dt.timedelta = KEPT) -> None:
    """Delete jobs older than `keep` (their files hold personal data), stale cached parts, and
    the local copies of attachment images an export took from object storage."""
    base = setup(app).export_dir / "jobs"
    cutoff = utcnow().timestamp() - keep.total_seconds()
    for job in base.glob("*/status.json"):
        try:
            if job.stat().st_mtime < cutoff:
                shutil.rmtree(job.parent, ignore_errors=True)
        except OSError:
            continue
    setup(app).cache.prune()
    legacy, store = setup(app).export_dir / mirror.LEGACY_FOLDER, storage.current(app)
    if not (isinstance(store, storage.LocalStore) and store.root.resolve() == legacy.resolve()):
        mirror.prune_older(legacy)  # never the attachments themselves
    images.prune(setup(app).image_dir)
    repeats.prune(setup(app).export_dir, cutoff)


def due(marker: Path) -> bool:
    """Whether PRUNE_EVERY has passed since the last prune (which walks the whole part cache:
    not for every click); marks it done now if so."""
    try:
        if marker.stat().st_mtime > time.time() - PRUNE_EVERY:
            return False
    except OSError:
        pass
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()
    return True

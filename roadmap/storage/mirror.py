"""Local copies of stored files, for readers that need a path (the PDF renderer).

WeasyPrint renders in other processes and may only read files under folders it is given.
With a local store those are the store's own files; with a bucket the export copies the
images it needs into a folder under EXPORT_DIR first, by content hash, and reuses them.
The copies are personal data: `prune` forgets those no export has used for a while.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from roadmap.storage.base import Store, checked
from roadmap.storage.local import LocalStore, write_atomically


def folder_for(store: Store, export_dir: Path) -> Path:
    """The folder the renderer reads attachments from for this store."""
    return store.root if isinstance(store, LocalStore) else export_dir / "attachments"


def local_copy(store: Store, key: str, folder: Path) -> Path:
    """The path of a key's bytes under `folder` (sha[:2]/sha), copied from the store if needed.

    MissingObject if the store does not have it.
    """
    key = checked(key)
    target = Path(folder) / key[:2] / key
    if isinstance(store, LocalStore) and store.root == Path(folder):
        return target  # the store's own file
    try:
        os.utime(target)  # kept, and now recently used
        return target
    except FileNotFoundError:
        pass
    write_atomically(target, store.get(key))
    return target


def prune(store: Store, export_dir: Path, max_age_days: float = 1) -> int:
    """Delete copies no export has used for `max_age_days`; how many went.

    With a local store there are no copies (and its folder must never be pruned).
    """
    if isinstance(store, LocalStore):
        return 0
    cutoff, gone = time.time() - max_age_days * 86400, 0
    for copy in folder_for(store, export_dir).glob("*/*"):
        try:
            if copy.is_file() and copy.stat().st_mtime < cutoff:
                copy.unlink()
                gone += 1
        except OSError:
            continue
    return gone

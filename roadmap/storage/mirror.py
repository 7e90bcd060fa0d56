"""Copies of stored files kept for the PDF renderer, and forgetting them.

The renderer reads files only from folders it is given, so exports keep print copies of
images under EXPORT_DIR (roadmap/exports/images.py); releases before print copies kept plain
copies in EXPORT_DIR/attachments. Both are personal data: `prune_older` forgets those no
export has used for a while.
"""
from __future__ import annotations

import time
from pathlib import Path

LEGACY_FOLDER = "attachments"  # plain copies made by releases before print copies


def prune_older(folder: Path, max_age_days: float = 1) -> int:
    """Delete files in folder/*/ that no export has used for `max_age_days`; how many went."""
    cutoff, gone = time.time() - max_age_days * 86400, 0
    for copy in Path(folder).glob("*/*"):
        try:
            if copy.is_file() and copy.stat().st_mtime < cutoff:
                copy.unlink()
                gone += 1
        except OSError:
            continue
    return gone

"""What the benchmarks share: the repository on the import path and the framework loaded once."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy.orm import Session  # noqa: E402

from roadmap.framework.models import FrameworkVersion  # noqa: E402


def framework(session: Session) -> FrameworkVersion:
    """The MSK FCP framework from capabilities/, loaded once (flushes, never commits)."""
    from roadmap.framework import loader, service

    version = service.latest_version(session, "msk-fcp")
    if version is None:
        result = loader.read_path(ROOT / "capabilities")
        assert result.ok, result.problems
        for loaded in result.frameworks:
            service.load_into_db(session, loaded.document, loaded.source_path)
        version = service.latest_version(session, "msk-fcp")
    assert version is not None
    return version


def percentile(values: list[float], share: float) -> float:
    """The value at a share (0 to 1) of the sorted values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]

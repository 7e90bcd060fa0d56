"""One stored-PDF refresh in a process of its own, as `roadmap export worker --refreshes` makes
it: a process that has refreshed another portfolio first (a long-lived worker has its fonts,
templates and WeasyPrint loaded, but serves many portfolios, so it remembers nothing of this
one). The child reports the CPU seconds of this refresh alone and its peak resident memory,
read from the kernel (getrusage), so nothing of the benchmark's own process is counted.

    python bench/pdf_refresh.py SETTINGS_JSON ENROLMENT_ID WARM_UP_ID   (run by bench/pdf_fresh.py)
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ("DATABASE_URL", "EXPORT_DIR", "ATTACHMENT_DIR", "MAIL_FOLDER", "ARGON2_PROFILE",
            "EXPORT_WORKERS", "CREDENTIAL_KEY_FILE", "ENV", "WTF_CSRF_ENABLED")


def in_own_process(app: Any, enrolment_id: int, warm_up_id: int) -> dict[str, Any]:
    """Refresh an enrolment's stored PDFs in a child process that refreshed `warm_up_id` first:
    wall and CPU seconds of the one refresh, peak bytes, and the forms it laid out."""
    settings = {key: app.config[key] for key in SETTINGS}
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("ROADMAP_")},
           "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, __file__, json.dumps(settings), str(enrolment_id),
                           str(warm_up_id)], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _child(settings: dict[str, Any], enrolment_id: int, warm_up_id: int) -> None:
    sys.path.insert(0, str(ROOT))
    import gc

    from roadmap import create_app
    from roadmap.exports import stored

    app = create_app(settings)
    stored.refresh(app, warm_up_id)
    gc.collect()  # as the worker does between jobs
    cpu, start = time.process_time(), time.perf_counter()
    laid_out = stored.refresh(app, enrolment_id)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes
    print(json.dumps({"cpu": cpu, "wall": wall, "peak": peak, "laid_out": laid_out}))


if __name__ == "__main__":
    _child(json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))

"""One stored-PDF refresh in a process of its own, as `roadmap export worker --refreshes` makes
it: a fresh interpreter (the refresh worker serves many portfolios, so it remembers nothing of
this one: no rendered Markdown, no parts), WeasyPrint imported before the clock starts (a
worker imports it once). The child reports its own CPU seconds and its peak resident memory,
read from the kernel (getrusage), so nothing of the benchmark's own process is counted.

    python bench/pdf_refresh.py SETTINGS_JSON ENROLMENT_ID   (run by bench/pdf_fresh.py)
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


def in_own_process(app: Any, enrolment_id: int) -> dict[str, Any]:
    """Refresh an enrolment's stored PDFs in a child process: wall and CPU seconds, peak bytes,
    and the forms it laid out."""
    settings = {key: app.config[key] for key in SETTINGS}
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("ROADMAP_")},
           "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, json.dumps(settings), str(enrolment_id)],
                          env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    found = json.loads(done.stdout.strip().splitlines()[-1])
    found["wall"] = time.perf_counter() - start
    return found


def _child(settings: dict[str, Any], enrolment_id: int) -> None:
    sys.path.insert(0, str(ROOT))
    from roadmap import create_app
    from roadmap.exports import render, stored  # noqa: F401 - WeasyPrint, imported once per worker

    app = create_app(settings)
    cpu = time.process_time()
    laid_out = stored.refresh(app, enrolment_id)
    cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes
    print(json.dumps({"cpu": cpu, "peak": peak, "laid_out": laid_out}))


if __name__ == "__main__":
    _child(json.loads(sys.argv[1]), int(sys.argv[2]))

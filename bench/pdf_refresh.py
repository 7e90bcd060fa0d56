"""One stored-PDF refresh in a process of its own, as `roadmap export worker --refreshes` makes
it: a process that has refreshed another portfolio first (a long-lived worker has its fonts,
templates and WeasyPrint loaded, but serves many portfolios, so it remembers nothing of this
one). The child reports the CPU seconds of this refresh alone and its peak resident memory,
read from the kernel (getrusage), so nothing of the benchmark's own process is counted.

    python bench/pdf_refresh.py SETTINGS_JSON ENROLMENT_ID WARM_UP_ID   (run by bench/pdf_fresh.py)

Standalone, to measure a refresh's memory without the whole PDF benchmark: seeds the demo with
candidate1 grown to --items items (bench/pdf.py) into FOLDER once and reuses it after, then
lays out both portfolios afresh (their notes removed) in a child as above; --own wants the
candidate's own form too, so the refresh lays out both forms.

    python bench/pdf_refresh.py --standalone FOLDER [--items 200] [--own]
"""
from __future__ import annotations

import argparse
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


def standalone(folder: Path, items: int, own: bool) -> dict[str, Any]:
    """Seed `folder` unless it is seeded, then one refresh in its own process, laid out afresh."""
    sys.path.insert(0, str(ROOT))
    import sqlalchemy as sa

    from bench.pdf import seed
    from roadmap import create_app, migrate
    from roadmap.cohorts.models import Enrolment
    from roadmap.db import database
    from roadmap.exports import stored

    seeded = folder / "seeded.json"
    app = create_app({"ENV": "development", "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
                      "ARGON2_PROFILE": "fast", "EXPORT_DIR": str(folder / "exports"),
                      "EXPORT_WORKERS": 0, "ATTACHMENT_DIR": str(folder / "attachments"),
                      "MAIL_FOLDER": str(folder / "mail"), "WTF_CSRF_ENABLED": False})
    if not seeded.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        migrate.upgrade(app.config["DATABASE_URL"])
        enrolment_id = seed(app, items)
        with app.app_context():  # another demo portfolio, as bench/pdf_fresh.py warms up with
            session = database(app).sessions()
            warm_up = session.scalar(sa.select(Enrolment.id).where(Enrolment.id != enrolment_id)
                                     .order_by(Enrolment.id).limit(1))
            session.close()
        seeded.write_text(json.dumps({"enrolment": enrolment_id, "warm_up": warm_up}))
    ids = json.loads(seeded.read_text())
    for enrolment_id in ids.values():  # no note: each refresh lays out
        for found in stored.folder(app, enrolment_id).glob("*.json"):
            found.unlink()
    wanted = stored.folder(app, ids["enrolment"]) / stored.WANTED
    if own:
        stored.want_own(app, ids["enrolment"])
    else:
        wanted.unlink(missing_ok=True)
    return in_own_process(app, ids["enrolment"], ids["warm_up"])


if __name__ == "__main__":
    if sys.argv[1] == "--standalone":
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--standalone", type=Path, required=True)
        parser.add_argument("--items", type=int, default=200)
        parser.add_argument("--own", action="store_true")
        args = parser.parse_args()
        made = standalone(args.standalone, args.items, args.own)
        print(f"{made['cpu']:.2f} s CPU, {made['wall']:.2f} s wall, peak {made['peak'] / 2**20:.0f} MB,"
              f" laid out {', '.join(made['laid_out'] or [])}")
    else:
        _child(json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))

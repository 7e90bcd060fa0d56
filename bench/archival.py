"""Benchmark the archival PDF: the tagged PDF/A-3a pass against the same pass untagged.

Seeds as bench/pdf.py does (the demo, candidate1 grown to --items items; --items 0 keeps the
demo's own portfolio, its biggest), then times, alternating which goes first:

  untagged  archival.archival_pdf(tagged=False): the one-pass document, no tags, no PDF/A
  tagged    archival.archival_pdf(): tagged PDF/A-3a, data.json and the signed manifest
            embedded (the stored copy, made in the background)

and checks the tagged file with `roadmap export check`'s code (check.check).

    .venv/bin/python bench/archival.py [--items 200] [--repeat 2]
"""
from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main() -> None:
    """Seed, then time the untagged and the tagged pass in one run and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    from bench.pdf import seed
    from roadmap import create_app, migrate
    from roadmap.cohorts.models import Enrolment
    from roadmap.credentials import keys
    from roadmap.db import database
    from roadmap.exports import archival, check

    folder = Path(tempfile.mkdtemp(prefix="roadmap-bench-archival-"))
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    migrate.upgrade(url)
    keys.generate(folder / "signing.pem")
    app = create_app({"ENV": "development", "DATABASE_URL": url, "ARGON2_PROFILE": "fast",
                      "EXPORT_DIR": str(folder / "exports"),
                      "ATTACHMENT_DIR": str(folder / "attachments"),
                      "MAIL_FOLDER": str(folder / "mail"),
                      "CREDENTIAL_KEY_FILE": str(folder / "signing.pem")})
    print(f"seeding {args.items or 'the demo'} items ...", flush=True)
    enrolment_id = seed(app, args.items)
    session = database(app).sessions()
    today = dt.date.today()
    runs: dict[str, list[tuple[float, float]]] = {"untagged": [], "tagged": []}
    sizes = {}
    with app.test_request_context():
        enrolment = session.get(Enrolment, enrolment_id)
        for number in range(args.repeat):
            order = ("untagged", "tagged") if number % 2 == 0 else ("tagged", "untagged")
            for kind in order:
                wall, cpu = time.perf_counter(), time.process_time()
                pdf = archival.archival_pdf(session, enrolment, today, tagged=kind == "tagged")
                runs[kind].append((time.perf_counter() - wall, time.process_time() - cpu))
                sizes[kind] = pdf
                print(f"run {number + 1} {kind:8}: {runs[kind][-1][0]:6.2f} s wall, "
                      f"{runs[kind][-1][1]:6.2f} s CPU, {len(pdf) // 1024} KB", flush=True)
        started = time.perf_counter()
        report = check.check(sizes["tagged"])
        checked = time.perf_counter() - started
    untagged = statistics.median(w for w, _ in runs["untagged"])
    tagged = statistics.median(w for w, _ in runs["tagged"])
    cpu = {kind: statistics.median(c for _, c in found) for kind, found in runs.items()}
    print(f"untagged one pass:        {untagged:6.2f} s wall, {cpu['untagged']:6.2f} s CPU "
          f"(medians of {args.repeat})")
    print(f"tagged PDF/A-3a, signed:  {tagged:6.2f} s wall, {cpu['tagged']:6.2f} s CPU "
          f"({100 * (cpu['tagged'] / cpu['untagged'] - 1):+.0f} % CPU; wall time moves with "
          "other work on a shared machine)")
    print(f"check of the tagged file: {checked:6.2f} s, intact: {report.intact}, "
          f"{report.claims.get('pages')} pages")
    print(f"peak memory of this process: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"files in {folder}")


if __name__ == "__main__":
    main()

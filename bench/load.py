"""Load-test Roadmap with locust against gunicorn on loopback, and check issue 9's targets.

    .venv/bin/python bench/load.py --database-url postgresql://postgres@127.0.0.1:5432/roadmap_bench_100

Seed the database first with bench/seed.py (its accounts file is found by the database URL).
A mixed workload (bench/locustfile.py: candidates adding evidence, supervisors signing or
returning, hub leads on dashboards) runs for --duration seconds with --users people. Printed
per request type and overall: requests a second, median, p95, p99 and errors; and the median
of our pages against the median of a bare Flask app in the same server, as a ratio.
People start at --spawn-rate a second and sign in through the real pages first; pages are
measured from the moment the last of them has signed in, for --duration seconds. Signing in
is printed but kept out of the page figures: it costs an argon2id hash by design.
Exit 1 when a target is missed: p95 at most 200 ms and no errors.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import percentile  # noqa: E402
from bench.server import BIN, ROOT, CpuMeter, Server, find_accounts  # noqa: E402

P95_TARGET_MS = 200
SIGN_IN = "sign-in"
BARE = "bare flask"


Sample = tuple[str, float, float, str]  # name, start (epoch s), milliseconds, failure or ""


def run_locust(server: Server, accounts_path: str, users: int, seconds: int,
               spawn_rate: float) -> list[Sample]:
    """Run the workload headless in its own process; every request's (name, start, ms, failure)."""
    with tempfile.TemporaryDirectory(prefix="roadmap-locust-") as folder:
        samples = Path(folder) / "samples.json"
        env = {**os.environ, "BENCH_ACCOUNTS": accounts_path, "BENCH_SAMPLES": str(samples)}
        subprocess.run([str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                        "--users", str(users), "--spawn-rate", str(spawn_rate), "--run-time", f"{seconds}s",
                        "--host", server.url, "--only-summary", "--loglevel", "WARNING",
                        "--stop-timeout", "10"],
                       env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if not samples.is_file():
            raise SystemExit("locust wrote no samples; run it by hand to see why")
        return [tuple(s) for s in json.loads(samples.read_text())]  # type: ignore[misc]


def summarise(times: list[float], errors: int, seconds: float) -> dict[str, float]:
    """Requests a second, median, p95, p99 (ms) and errors of a group of requests."""
    return {"count": len(times), "rps": len(times) / seconds, "median": statistics.median(times),
            "p95": percentile(times, 0.95), "p99": percentile(times, 0.99), "errors": errors}


def steady(samples: list[Sample]) -> tuple[list[Sample], float, float]:
    """Sign-ins over the whole run, pages from the moment the last person finished signing in
    (every user is then at work); the window's length and the sign-in phase's length."""
    first = min(s[1] for s in samples)
    signed_in = max((s[1] + s[2] / 1000 for s in samples if s[0].startswith(SIGN_IN)), default=first)
    kept = [s for s in samples if s[0].startswith(SIGN_IN) or s[1] >= signed_in]
    end = max(s[1] + s[2] / 1000 for s in samples)
    return kept, max(1.0, end - signed_in), signed_in - first


def report(samples: list[Sample], users: int, seconds: float) -> tuple[dict[str, Any], bool]:
    """Print the table and the targets; True when every target is met."""
    groups: dict[str, list[tuple[float, int]]] = defaultdict(list)
    failures: dict[str, int] = defaultdict(int)
    for name, _start, ms, failure in samples:
        groups[name].append((ms, 1 if failure else 0))
        if failure:
            failures[f"{name}: {failure}"] += 1
    rows = {name: summarise([ms for ms, _ in got], sum(f for _, f in got), seconds)
            for name, got in sorted(groups.items())}  # sign-in rates are over the window too
    pages = [(ms, f) for name, got in groups.items() if not name.startswith(SIGN_IN) and name != BARE
             for ms, f in got]
    overall = summarise([ms for ms, _ in pages], sum(f for _, f in pages), seconds)
    bare = rows.get(BARE)
    print(f"\n{'request':<34}{'count':>7}{'req/s':>8}{'median':>9}{'p95':>9}{'p99':>9}{'errors':>8}")
    for name, row in list(rows.items()) + [("OVERALL (pages, not sign-in)", overall)]:
        print(f"{name:<34}{row['count']:>7}{row['rps']:>8.1f}{row['median']:>7.0f}ms{row['p95']:>7.0f}ms"
              f"{row['p99']:>7.0f}ms{row['errors']:>8}")
    all_errors = sum(row["errors"] for row in rows.values())
    for text, count in sorted(failures.items(), key=lambda item: -item[1])[:10]:
        print(f"  error x{count}: {text}")
    ratio = overall["median"] / bare["median"] if bare and bare["median"] else float("nan")
    met_p95, met_errors = overall["p95"] <= P95_TARGET_MS, all_errors == 0
    print(f"\nusers {users}; load average now {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"p95 of pages      {overall['p95']:.0f} ms   target <= {P95_TARGET_MS} ms   "
          f"{'met' if met_p95 else 'NOT MET'}")
    print(f"errors            {all_errors}        target 0           {'met' if met_errors else 'NOT MET'}")
    if bare:
        print(f"bare Flask median {bare['median']:.1f} ms; our pages' median {overall['median']:.1f} ms: "
              f"ratio {ratio:.1f}x (the cost of our stack)")
    return {"rows": rows, "overall": overall, "ratio": ratio, "errors": all_errors}, met_p95 and met_errors


def main(argv: Optional[list[str]] = None) -> int:
    """Start gunicorn, run locust, print the figures; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--accounts", default=None, help="accounts JSON from bench/seed.py (found by URL)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60,
                        help="seconds of load measured once everyone has signed in")
    parser.add_argument("--sign-in-allowance", type=int, default=45,
                        help="seconds added to the run for everyone to sign in first")
    parser.add_argument("--spawn-rate", type=float, default=2, help="people starting a second")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--json", default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    accounts = find_accounts(args.database_url, args.accounts)
    print(f"load before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}; "
          f"gunicorn {args.workers} gthread workers x {args.threads} threads; "
          f"{args.users} users for {args.duration} s; scale {accounts.get('scale', '?')}%")
    with Server(args.database_url, args.workers, args.threads) as server, CpuMeter(server) as meter:
        samples = run_locust(server, accounts["_path"], args.users,
                             args.duration + args.sign_in_allowance, args.spawn_rate)
    kept, seconds, phase = steady(samples)
    print(f"everyone signed in after {phase:.0f} s; pages measured over the {seconds:.0f} s after that")
    figures, ok = report(kept, args.users, seconds)
    end = max(s[1] for s in samples)
    app_cpu, db_cpu = meter.between(end - seconds, end)
    served = sum(1 for s in kept if not s[0].startswith(SIGN_IN))
    if served:
        per = (app_cpu + db_cpu) * 1000 / served
        print(f"CPU per request in the window: app {app_cpu * 1000 / served:.0f} ms + PostgreSQL "
              f"{db_cpu * 1000 / served:.0f} ms; two cores of our own would serve about "
              f"{2000 / per:.0f} requests a second of this mix")
        figures["cpu_ms_per_request"] = {"app": app_cpu * 1000 / served, "database": db_cpu * 1000 / served}
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

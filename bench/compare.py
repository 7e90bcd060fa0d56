"""Compare candidate and dashboard page times at two scales (issue 9: within 1.5 times).

    .venv/bin/python bench/compare.py \\
        --small postgresql://postgres@127.0.0.1:5432/roadmap_bench_1 \\
        --large postgresql://postgres@127.0.0.1:5432/roadmap_bench_100

For each database in turn: gunicorn as in bench/load.py, one signed-in candidate after another
and each hub lead's cohorts; every page is asked --rounds times, one request at a time (so the
figure is the page's own cost, not queueing), after a warm-up. Candidates and cohorts are of
the same kind at both scales (same cohort size, same history), so what differs is table size.
Exit 1 when a page at the large scale takes more than 1.5 times its time at the small one.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Optional

import pyotp
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.forms import form_posting_to, ids_in  # noqa: E402
from bench.server import Server, find_accounts  # noqa: E402

RATIO_TARGET = 1.5
TYPICAL_ITEMS = 30  # evidence items in the portfolios compared


def signed_in(base: str, account: dict[str, Any], password: str) -> requests.Session:
    """A session signed in through the real pages (password, then code when asked)."""
    client = requests.Session()
    page = client.get(base + "/sign-in")
    form = form_posting_to(page.text, r"/sign-in$")
    data = dict(form.values() if form else [])
    data.update(email=account["email"], password=password)
    done = client.post(base + "/sign-in", data=data, allow_redirects=False)
    if "/sign-in/code" in done.headers.get("Location", ""):
        page = client.get(base + "/sign-in/code")
        form = form_posting_to(page.text, r"/sign-in/code$")
        data = dict(form.values() if form else [])
        data["code"] = pyotp.TOTP(account["totp_secret"]).now()
        client.post(base + "/sign-in/code", data=data, allow_redirects=False)
    return client


def timed(client: requests.Session, url: str) -> tuple[float, requests.Response]:
    """Milliseconds for one GET; a page that fails stops the comparison."""
    begin = time.perf_counter()
    answer = client.get(url)
    elapsed = (time.perf_counter() - begin) * 1000
    if answer.status_code != 200 or "/sign-in" in answer.url:
        raise SystemExit(f"{url} answered {answer.status_code} at {answer.url}")
    return elapsed, answer


def measure(database_url: str, people: int, rounds: int) -> dict[str, list[float]]:
    """Page name -> milliseconds, for a few candidates and every cohort of a few hub leads."""
    accounts = find_accounts(database_url)
    times: dict[str, list[float]] = {}
    rng = random.Random(3)
    with Server(database_url) as server:
        base = server.url
        # Candidates with portfolios of about the same size at both scales: only the tables grow.
        alike = sorted(accounts["candidates"], key=lambda a: (abs(a.get("items", 0) - TYPICAL_ITEMS), a["email"]))
        for account in alike[:people]:
            client = signed_in(base, account, accounts["password"])
            _ms, listing = timed(client, base + "/portfolio/evidence")
            items = ids_in(listing.text, r"/portfolio/evidence/(\d+)")
            pages = {"candidate: home": "/portfolio/", "candidate: portfolio list": "/portfolio/evidence"}
            if items:
                pages["candidate: open an item"] = f"/portfolio/evidence/{rng.choice(items)}"
            _run(client, base, pages, rounds, times)
        for account in accounts["hub_leads"][:max(1, people // 4)]:
            client = signed_in(base, account, accounts["password"])
            for cohort in account["cohorts"][:4]:
                _run(client, base, {"hub lead: cohort dashboard": f"/cohorts/{cohort}"}, rounds, times)
    return times


def _run(client: requests.Session, base: str, pages: dict[str, str], rounds: int,
         times: dict[str, list[float]]) -> None:
    for name, path in pages.items():
        timed(client, base + path)  # warm-up: first use of templates and plans
        for _ in range(rounds):
            times.setdefault(name, []).append(timed(client, base + path)[0])


def main(argv: Optional[list[str]] = None) -> int:
    """Measure both scales and print each page's ratio against the 1.5x target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", required=True, help="database URL seeded at 1%%")
    parser.add_argument("--large", required=True, help="database URL seeded at 100%%")
    parser.add_argument("--people", type=int, default=8, help="candidates measured (and a quarter as many hub leads)")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args(argv)
    import os

    print(f"load before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    small = measure(args.small, args.people, args.rounds)
    large = measure(args.large, args.people, args.rounds)
    ok = True
    print(f"\n{'page':<30}{'small median':>14}{'large median':>14}{'ratio':>8}  target <= {RATIO_TARGET}x")
    for name in small:
        a, b = statistics.median(small[name]), statistics.median(large.get(name, [float("nan")]))
        ratio = b / a
        ok &= ratio <= RATIO_TARGET
        print(f"{name:<30}{a:>12.1f}ms{b:>12.1f}ms{ratio:>7.2f}x  {'met' if ratio <= RATIO_TARGET else 'NOT MET'}")
    print(f"load after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

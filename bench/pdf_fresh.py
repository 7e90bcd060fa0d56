"""The stored PDF kept current (issue 18): the figures bench/pdf.py prints after its own.

  refresh      the background re-make after one change to a shared item: the supervisors'
               form (the candidate's own, with drafts, only while they look at their export
               page: measured once with it too), wall and CPU seconds, peak memory
  coalescing   changes committed in a row, and how many refreshes they queued
  current      click-to-download through the Flask test client while the stored PDF is current:
               the POST of the export button, the whole file read (p95 of --clicks)
  after change the click right after a change: the export page opened (which starts the
               reader's quick export), the button pressed 2 s later or at once, or with the page
               open before the change (and, a fourth case, that page's button pressed 1 s
               after the change, while the quick copy the change queued is being made); the
               download from the button or through the progress page, jobs run by a real
               `roadmap export worker`
  quick copy   the quick PDF each change queues at once (exports.quick): CPU and wall seconds
  national day 1,000 WPBAs a working day (bench/seed.py: 240,000 a year) times the refreshes a
               WPBA causes, times CPU seconds per refresh, as a share of one worker's day

The tagged render's time against the untagged one is printed when exports.archival exists.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import pdf_refresh  # noqa: E402

WPBAS_A_DAY = 1000  # bench/seed.py: about 240,000 WPBAs a year over 240 working days
# A WPBA shows in the PDF three times: written and submitted in one sitting (one refresh:
# they come within EXPORT_REFRESH_SECONDS of each other), then signed by the supervisor later.
REFRESHES_PER_WPBA = 2
# The quick copy is made at each commit, not gathered over minutes: each of the three shows.
QUICK_COPIES_PER_WPBA = 3
WORKING_DAY = 8 * 3600  # seconds: the changes come in working hours


IDLE_BEFORE_CLICK = 3.0  # seconds the worker waits idle before each click after a change
# Seconds between the export page loading and the button's press: a person reading its few
# lines (2 s is quick); 0, the instant it loads (no person is that fast: the bound); -1, the
# page was open before the change (another tab), so nothing was started before the press.
READING = (2.0, 0.0, -1.0, -2.0)
# -2 (a fourth case, added with the quick copy made at the change, exports.quick): the page
# open before the change as in -1, but the button pressed SOON_AFTER the change instead of
# IDLE_BEFORE_CLICK: the copy is then still being made, and the button waits for it.
SOON_AFTER = 1.0


def _reading_words(reading: float) -> str:
    if reading == -2:
        return f"page open before the change, button {SOON_AFTER:.0f} s after it"
    if reading < 0:
        return "page open before the change"
    return f"export page opened, button {reading:.0f} s later"


@contextmanager
def _export_worker(app: Any) -> Iterator[Path]:
    """`roadmap export worker` in a process of its own on the benchmark's database and folders,
    as production runs it (huey on SQLite); yields its log file."""
    settings = {key: str(app.config[key]) for key in (
        "DATABASE_URL", "EXPORT_DIR", "ATTACHMENT_DIR", "MAIL_FOLDER", "EXPORT_WORKERS",
        "ARGON2_PROFILE")}
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("ROADMAP_")},
           "PYTHONPATH": str(ROOT), "ROADMAP_ENV": "development",
           **{f"ROADMAP_{key}": value for key, value in settings.items()}}
    log = Path(app.config["EXPORT_DIR"]) / "bench-worker.log"
    with log.open("w") as sink:
        worker = subprocess.Popen([sys.executable, "-m", "roadmap", "export", "worker"], env=env,
                                  cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while "waiting for jobs" not in log.read_text():
            assert worker.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield log
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _click_as_a_browser(client: Any, url: str, worker_log: Path) -> tuple[float, str]:
    """The export button's POST, then what a browser does: take the download it answers with,
    or open the progress page, whose script asks for the job's state every 1.5 s (job.js), and
    take the download once it is ready. Seconds, and which."""
    start = time.perf_counter()
    response = client.post(url)
    if response.status_code == 200:
        body, path = response.get_data(), "downloaded from the button"
    else:
        assert response.status_code == 302, response.status_code
        job_page, path = response.headers["Location"], "through the progress page"
        client.get(job_page).get_data()
        while True:
            state = client.get(job_page + ".json").get_json()
            if state["state"] in ("done", "failed"):
                break
            time.sleep(1.5)
        assert state["state"] == "done", (state, worker_log.read_text()[-2000:])
        download = client.get(job_page + "/download")
        body = download.get_data()
        download.close()
    assert body.startswith(b"%PDF"), body[:200]
    return time.perf_counter() - start, path


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _change(app: Any, session: Any, enrolment_id: int, number: int) -> None:
    """One change through the portfolio service, as a candidate makes it: an audit event."""
    import sqlalchemy as sa

    from roadmap.accounts.models import User
    from roadmap.cohorts.models import Enrolment
    from roadmap.portfolio import service as portfolio
    from roadmap.portfolio.models import Evidence
    from roadmap.readers.models import shared

    enrolment = session.get(Enrolment, enrolment_id)
    candidate = session.get(User, enrolment.candidate_id)
    items = session.scalars(sa.select(Evidence).where(Evidence.enrolment_id == enrolment_id,
                                                      shared()).order_by(Evidence.id)).all()
    item = items[(number * 37) % len(items)]
    code = next(k for k, v in item.fields.items() if isinstance(v, str) and len(v) > 20)
    answers = {**item.fields, code: item.fields[code] + f" Changed for the benchmark ({number})."}
    portfolio.update_evidence(session, item, candidate, item.lock_version, item.title,
                              item.occurred_on, answers, portfolio.current_links(session, item))
    session.commit()


def _sign_in(client: Any, email: str, password: str) -> None:
    response = client.post("/sign-in", data={"email": email, "password": password})
    assert response.status_code == 302, response.data[:500]


def _queued_refreshes(app: Any) -> int:
    from roadmap.exports import fresh

    huey = fresh.refresh_queue(app)  # queued with a delay: in the queue until a consumer schedules it
    return sum(t.name == "roadmap.export.refresh" for t in [*huey.pending(), *huey.scheduled()])


def _quick_copy_cpu(app: Any, enrolment_id: int) -> tuple[float, float]:
    """The quick copy the change queues (exports.quick), made here as the job worker makes it
    (its render workers up, the parts of before cached): CPU seconds of this process, its
    render workers and the fork server, and wall seconds."""
    import gc

    from bench.pdf import _cpu_seconds, _fork_server, _workers
    from roadmap.exports import quick

    gc.collect()
    others = _workers() + _fork_server()
    before, cpu, start = _cpu_seconds(others), time.process_time(), time.perf_counter()
    made = quick.run(app, enrolment_id, "shared")
    wall = time.perf_counter() - start
    assert made is not None
    return time.process_time() - cpu + _cpu_seconds(others) - before, wall


def figures(app: Any, session: Any, enrolment_id: int, password: str, clicks: int,
            repeat: int) -> dict[str, Any]:
    """Measure and print; the figures, for the caller's summary."""
    from roadmap.accounts.models import User
    from roadmap.cohorts.models import Enrolment
    from roadmap.exports import stored

    found: dict[str, Any] = {}
    with app.app_context():
        enrolment = session.get(Enrolment, enrolment_id)
        email = session.get(User, enrolment.candidate_id).email
        refreshes = []
        warm_up = next(e.id for e in session.query(Enrolment).order_by(Enrolment.id)
                       if e.id != enrolment_id)  # another demo portfolio: the worker's last job
        quick_cpu = []
        for number in range(max(3, repeat)):  # no export worker yet: the change queues no copy
            _change(app, session, enrolment_id, 1600 + number)
            quick_cpu.append(_quick_copy_cpu(app, enrolment_id))
            print(f"quick copy after a change {number + 1}: {quick_cpu[-1][1]:.2f} s wall, "
                  f"{quick_cpu[-1][0]:.2f} s CPU (this process and its render workers)",
                  flush=True)
        found["quick_cpu"] = statistics.median(c for c, _w in quick_cpu)
        found["quick_wall"] = statistics.median(w for _c, w in quick_cpu)

        # The refreshes measured next clear the refresh these changes queued (coalescing below).
        for number in range(repeat):
            _change(app, session, enrolment_id, 1000 + number)
            refreshes.append(pdf_refresh.in_own_process(app, enrolment_id, warm_up))
            made = refreshes[-1]
            print(f"refresh {number + 1}: {made['wall']:5.2f} s wall, {made['cpu']:5.2f} s CPU, "
                  f"laid out {', '.join(made['laid_out'] or []) or 'nothing'}, peak "
                  f"{made['peak'] / 2**20:.0f} MB (in its own process)", flush=True)
        found["refresh_wall"] = statistics.median(r["wall"] for r in refreshes)
        found["refresh_cpu"] = statistics.median(r["cpu"] for r in refreshes)
        found["refresh_peak"] = max(r["peak"] for r in refreshes)
        stored.want_own(app, enrolment_id)  # the candidate opened their export page
        _change(app, session, enrolment_id, 1500)
        made = pdf_refresh.in_own_process(app, enrolment_id, warm_up)
        found["both_cpu"], found["both_peak"] = made["cpu"], made["peak"]
        print(f"refresh with the candidate's own form too: {made['cpu']:.2f} s CPU, laid out "
              f"{', '.join(made['laid_out'] or [])}, peak {made['peak'] / 2**20:.0f} MB", flush=True)

        before = _queued_refreshes(app)
        for number in range(10):
            _change(app, session, enrolment_id, 2000 + number)
        found["coalesced"] = _queued_refreshes(app) - before
        stored.refresh(app, enrolment_id)  # as the queued one would, a minute later

    client = app.test_client()
    _sign_in(client, email, password)
    url = f"/exports/enrolment/{enrolment_id}/pdf"
    times, size = [], 0
    for _ in range(clicks):
        start = time.perf_counter()
        response = client.post(url)
        body = response.get_data()
        times.append(time.perf_counter() - start)
        assert response.status_code == 200 and body.startswith(b"%PDF"), response.status_code
        size = len(body)
    found["current_p95"], found["current_median"] = _p95(times), statistics.median(times)
    found["size"] = size

    after: dict[float, list[float]] = {}
    paths: list[str] = []
    with _export_worker(app) as worker_log:
        for reading in READING:
            after[reading] = []
            for number in range(max(5, repeat)):
                with app.app_context():
                    _change(app, session, enrolment_id, 3000 + 100 * int(reading + 1) + number)
                # the worker sat idle, as it mostly does (or is still busy, 1 s after the change)
                time.sleep(SOON_AFTER if reading == -2 else IDLE_BEFORE_CLICK)
                if reading >= 0:  # the person opens the export page, reads it, presses the button
                    client.get(f"/exports/enrolment/{enrolment_id}").get_data()
                    time.sleep(reading)
                seconds, path = _click_as_a_browser(client, url, worker_log)
                after[reading].append(seconds)
                paths.append(path)
                print(f"click after change ({_reading_words(reading)}) {number + 1}: "
                      f"{seconds:5.2f} s ({path})", flush=True)
        # A portfolio nobody has exported by the button before: the refresh makes the archival
        # copy in one pass, so no part of it is cached and the click lays out every part.
        shutil.rmtree(Path(app.config["EXPORT_DIR"]) / "cache", ignore_errors=True)
        with app.app_context():
            _change(app, session, enrolment_id, 3900)
        time.sleep(IDLE_BEFORE_CLICK)
        found["first_click"] = _click_as_a_browser(client, url, worker_log)
        print(f"click after change, no part cached: {found['first_click'][0]:5.2f} s "
              f"({found['first_click'][1]})", flush=True)
    found["after_paths"] = ", ".join(f"{paths.count(p)} {p}" for p in sorted(set(paths)))
    found["after"] = {reading: (statistics.median(times), _p95(times))
                      for reading, times in after.items()}
    found["tagged"] = tagged_against_untagged(app, session, enrolment_id)
    return found


def tagged_against_untagged(app: Any, session: Any, enrolment_id: int) -> Optional[str]:
    """The hook for the tagged PDF/A render (exports.archival, another branch of issue 18):
    its time against the untagged single pass, once it is there."""
    try:
        from roadmap.exports.archival import archival_pdf  # type: ignore[import-not-found]
    except ImportError:
        return None
    from roadmap.cohorts.models import Enrolment
    from roadmap.exports.portfolio import single_pass_pdf

    with app.app_context():
        enrolment, today = session.get(Enrolment, enrolment_id), dt.date.today()
        start = time.perf_counter()
        archival_pdf(session, enrolment, today)
        tagged = time.perf_counter() - start
        start = time.perf_counter()
        single_pass_pdf(session, enrolment, today)
        untagged = time.perf_counter() - start
    return f"{tagged:6.2f} s tagged PDF/A-3 against {untagged:.2f} s untagged ({tagged / untagged:.2f} x)"


def report(found: dict[str, Any], warm_wall: float) -> None:
    """The summary lines."""
    print(f"stored PDF, click-to-download when current: p95 {found['current_p95']:.3f} s, "
          f"median {found['current_median']:.3f} s ({found['size'] / 2**20:.1f} MB read whole; "
          f"target p95 <= 1 s)")
    for reading, (median, p95) in found["after"].items():
        print(f"click-to-download right after a change, {_reading_words(reading)}: median "
              f"{median:.2f} s, p95 {p95:.2f} s")
    print(f"  (all {found['after_paths']}; the jobs run by `roadmap export worker` in its own "
          f"process, idle {IDLE_BEFORE_CLICK:.0f} s before each change's page; target <= warm "
          f"{warm_wall:.2f} s plus the download)")
    print(f"  ...for a portfolio never exported by the button (no part cached): "
          f"{found['first_click'][0]:.2f} s ({found['first_click'][1]})")
    print(f"background refresh per change:             {found['refresh_cpu']:.1f} s CPU "
          f"({found['refresh_wall']:.1f} s wall, median), peak {found['refresh_peak'] / 2**20:.0f}"
          f" MB in its own process (target <= 500 MB); "
          f"{found['both_cpu']:.1f} s CPU with the candidate's own form (drafts) as well, "
          f"peak {found['both_peak'] / 2**20:.0f} MB")
    print(f"coalescing: 10 changes in a row queued {found['coalesced']} refresh(es)")
    print(f"quick copy per change (exports.quick, made at each commit): "
          f"{found['quick_cpu']:.2f} s CPU, {found['quick_wall']:.2f} s wall (median)")
    quick_day = WPBAS_A_DAY * QUICK_COPIES_PER_WPBA * found["quick_cpu"]
    print(f"national day, quick copies: {WPBAS_A_DAY} WPBAs x {QUICK_COPIES_PER_WPBA} commits x "
          f"{found['quick_cpu']:.2f} s = {quick_day / 3600:.1f} CPU hours: "
          f"{quick_day / WORKING_DAY:.2f} of one worker over an 8-hour working day (the job "
          f"worker's; on top of the refreshes below)")
    day = WPBAS_A_DAY * REFRESHES_PER_WPBA * found["refresh_cpu"]
    print(f"national day: {WPBAS_A_DAY} WPBAs x {REFRESHES_PER_WPBA} refreshes x "
          f"{found['refresh_cpu']:.1f} s = {day / 3600:.1f} CPU hours: {day / WORKING_DAY:.2f} "
          f"of one worker over an 8-hour working day, {day / 86400:.2f} over 24 hours "
          f"(every portfolio the size of this one; a WPBA meets a portfolio of 54 items on "
          f"average, 113 at the 90th centile: bench/portfolio_sizes.py; with every candidate's own "
          f"form kept too: {WPBAS_A_DAY * REFRESHES_PER_WPBA * found['both_cpu'] / WORKING_DAY:.2f})")
    print(f"tagged render against untagged:  {found['tagged'] or 'not measured: exports.archival is not in this branch'}")

"""Concurrency soak: eight people at once against a real threaded server, on either database.

Six candidates write drafts, autosave, edit and submit; two supervisors read their inbox and
return items. Meanwhile every session is made due for its once-a-minute touch, so reading
pages writes too, as it does all day on a busy hub. No response may be a server error, and
every write the server acknowledged must be in the database afterwards.
"""
from __future__ import annotations

import datetime as dt
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Iterator

import pyotp
import pytest
import requests
import sqlalchemy as sa
from werkzeug.serving import make_server

from bench.forms import form_posting_to, ids_in
from roadmap.accounts.models import UserSession
from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
from roadmap.db import utcnow
from roadmap.portfolio.models import DraftAutosave, Evidence, EvidenceComment
from roadmap.supervision.models import SupervisorAssignment
from tests.fixtures.apps import TEST_PASSWORD
from tests.fixtures.msk import msk_document

CANDIDATES, SUPERVISORS = 6, 2
SECONDS = 30  # the soak's length, sign-ins included, on a quiet machine
ROUNDS = 5  # per candidate at most: ten requests a round, four of them writes
LEAST_ROUNDS = 2  # ...and at least, however slow the machine: all six overlap in each
TEXT = "Reviewed the plan with the patient and agreed exercises and a follow-up in two weeks."


@pytest.fixture
def server(app: Any) -> Iterator[str]:
    """The real app behind werkzeug's threaded server on a free local port."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    runner = threading.Thread(target=httpd.serve_forever, daemon=True)
    runner.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    runner.join(10)


@pytest.fixture
def people(session: Any, make_user: Any) -> dict[str, list[Any]]:
    """Six enrolled candidates, each with one of two supervisors as primary; committed."""
    from roadmap.framework.service import load_into_db

    loaded = msk_document()
    version, _ = load_into_db(session, loaded.document, loaded.source_path)
    hub = TrainingHub(name="Soak hub")
    cohort = Cohort(hub=hub, name="Soak cohort")
    session.add_all([hub, cohort])
    session.commit()
    secret = pyotp.random_base32()
    supervisors = [make_user(f"soak.sup{n}@example.nhs.uk", roles=("supervisor",),
                             full_name=f"Supervisor {n}", totp_secret=secret)
                   for n in range(SUPERVISORS)]
    candidates = []
    day = dt.date.today()
    for n in range(CANDIDATES):
        candidate = make_user(f"soak.cand{n}@example.nhs.uk", full_name=f"Candidate {n}")
        enrolment = Enrolment(candidate_id=candidate.id, cohort_id=cohort.id,
                              framework_version_id=version.id,
                              enrolled_on=day - dt.timedelta(days=60),
                              stage2_started_on=day - dt.timedelta(days=30),
                              target_on=day + dt.timedelta(days=150))
        session.add(enrolment)
        session.flush()
        session.add(SupervisorAssignment(enrolment_id=enrolment.id, kind="primary",
                                         supervisor_id=supervisors[n % SUPERVISORS].id,
                                         starts_on=day - dt.timedelta(days=60)))
        candidates.append(candidate)
    session.commit()
    return {"candidates": candidates, "supervisors": supervisors, "secret": [secret]}


@dataclass
class Tally:
    """What every thread saw: server errors, and the writes the server acknowledged."""

    requests: int = 0
    errors: list[str] = field(default_factory=list)
    titles: dict[int, str] = field(default_factory=dict)  # evidence id -> last saved title
    submitted: set[int] = field(default_factory=set)
    returned: set[int] = field(default_factory=set)
    autosaved: dict[int, str] = field(default_factory=dict)  # user id -> last kept note
    rounds: dict[int, int] = field(default_factory=dict)  # candidate's user id -> rounds done
    lock: threading.Lock = field(default_factory=threading.Lock)


class Browser:
    """One person's cookie jar; every response is counted and server errors kept."""

    def __init__(self, base: str, tally: Tally) -> None:
        self.base, self.tally, self.http = base, tally, requests.Session()

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One request, without following redirects (a redirect is the acknowledgement)."""
        response = self.http.request(method, self.base + path, allow_redirects=False,
                                     timeout=60, **kwargs)
        with self.tally.lock:
            self.tally.requests += 1
            if response.status_code >= 500:
                self.tally.errors.append(f"{method} {path}: {response.status_code} "
                                         f"{response.text[:300]!r}")
        return response

    def sign_in(self, email: str, secret: str | None = None) -> None:
        """Password, then the authenticator code when asked."""
        done = self.call("POST", "/sign-in", data={"email": email, "password": TEST_PASSWORD})
        if done.headers.get("Location", "").endswith("/sign-in/code"):
            done = self.call("POST", "/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
        assert done.status_code == 302, done.text[:500]


def _answer(found: dict[str, Any]) -> str:
    day = dt.date.today() - dt.timedelta(days=3)
    part = found["name"].rpartition("-")[2]
    if part in ("day", "month", "year"):  # the NHS.UK date input's three boxes
        return str(getattr(day, part))
    if found["kind"] == "date" or found["name"].endswith("_on"):
        return day.isoformat()
    return "3" if found["kind"] == "number" else TEXT


def _post_form(browser: Browser, page_path: str, pattern: str,
               extra: dict[str, str]) -> requests.Response | None:
    """Open a page and post its form as a person would, with our own values on top."""
    page = browser.call("GET", page_path)
    form = form_posting_to(page.text, pattern, page_path)
    if page.status_code != 200 or form is None:
        return None
    data = [(k, v) for k, v in form.values(_answer) if k not in extra] + list(extra.items())
    return browser.call("POST", form.action, data=data)


def _candidate(browser: Browser, user_id: int, deadline: float) -> None:
    tally = browser.tally
    for round_number in range(ROUNDS):
        with tally.lock:
            tally.rounds[user_id] = round_number  # those before this one are done
        if round_number >= LEAST_ROUNDS and time.monotonic() > deadline:
            return
        browser.call("GET", "/portfolio/")
        browser.call("GET", "/portfolio/evidence")
        title = f"Soak {user_id}-{round_number}"
        created = _post_form(browser, "/portfolio/evidence/new/learning_log",
                             r"/portfolio/evidence/new/", {"title": title, "action": "draft"})
        match = re.search(r"/portfolio/evidence/(\d+)$",
                          created.headers.get("Location", "") if created is not None else "")
        note = f"note {round_number}"
        kept = browser.call("POST", "/portfolio/autosave",
                            data={"path": "/portfolio/soak-notes", "note": note})
        if kept.status_code == 200 and kept.json().get("saved"):
            with tally.lock:
                tally.autosaved[user_id] = note
        if not match:
            continue
        item = int(match.group(1))
        with tally.lock:
            tally.titles[item] = title
        edited = _post_form(browser, f"/portfolio/evidence/{item}/edit",
                            rf"/portfolio/evidence/{item}/edit",
                            {"title": title + " edited", "action": "draft"})
        if edited is not None and edited.status_code == 302:
            with tally.lock:
                tally.titles[item] = title + " edited"
        sent = _post_form(browser, f"/portfolio/evidence/{item}/submit",
                          rf"/portfolio/evidence/{item}/submit", {"confirm_pid": "y"})
        if sent is not None and sent.status_code == 302 and \
                sent.headers["Location"].endswith(f"/portfolio/evidence/{item}"):
            with tally.lock:
                tally.submitted.add(item)
        browser.call("GET", f"/portfolio/evidence/{item}")
    with tally.lock:
        tally.rounds[user_id] = ROUNDS


def _supervisor(browser: Browser, candidates_done: threading.Event) -> None:
    tally = browser.tally
    while not candidates_done.is_set():
        inbox = browser.call("GET", "/supervision")
        items = [i for i in ids_in(inbox.text, r"/supervision/items/(\d+)")
                 if i not in tally.returned]
        if not items:
            time.sleep(0.2)
            continue
        item = items[0]
        back = _post_form(browser, f"/supervision/items/{item}",
                          rf"/supervision/items/{item}/return", {"comment": "Please add a plan."})
        if back is not None and back.status_code == 302 and \
                back.headers["Location"].endswith("/supervision"):
            with tally.lock:
                tally.returned.add(item)


def _make_sessions_due(app: Any, stop: threading.Event) -> None:
    """Keep every session over a minute old, so each request also touches its session."""
    engine = app.extensions["roadmap.db"].engine
    while not stop.wait(0.25):
        try:
            with engine.begin() as connection:
                connection.execute(sa.update(UserSession).values(
                    last_seen_at=utcnow() - dt.timedelta(minutes=2)))
        except sa.exc.OperationalError:
            continue  # the server's writers come first; try again on the next beat


def test_eight_people_at_once_get_no_server_error_and_lose_nothing(app, server, people, session):
    tally = Tally()
    started = time.monotonic()
    deadline = started + SECONDS - 5  # leave time for the last round to finish
    secret = people["secret"][0]
    browsers: list[tuple[Browser, Any]] = []
    for person in people["candidates"] + people["supervisors"]:
        browser = Browser(server, tally)
        browser.sign_in(person.email, secret)
        browsers.append((browser, person))
    stop = threading.Event()
    toucher = threading.Thread(target=_make_sessions_due, args=(app, stop), daemon=True)
    toucher.start()
    candidates_done = threading.Event()
    writers = [threading.Thread(target=_candidate, args=(b, p.id, deadline))
               for b, p in browsers if p in people["candidates"]]
    readers = [threading.Thread(target=_supervisor, args=(b, candidates_done))
               for b, p in browsers if p not in people["candidates"]]
    for thread in writers + readers:
        thread.start()
    for thread in writers:
        thread.join(SECONDS * 6)
    candidates_done.set()
    for thread in readers:
        thread.join(SECONDS)
    stop.set()
    toucher.join(10)
    elapsed = time.monotonic() - started

    assert not tally.errors, f"{len(tally.errors)} server errors, first: {tally.errors[:3]}"
    # Every candidate finished at least LEAST_ROUNDS whole rounds (a thread that died on an
    # unexpected response stops counting), and nobody hung: how many requests fit in the time
    # depends on the machine's load, so it is not counted.
    assert all(tally.rounds.get(p.id, 0) >= LEAST_ROUNDS for p in people["candidates"]), \
        tally.rounds
    assert not any(thread.is_alive() for thread in writers + readers), elapsed
    assert tally.submitted and tally.returned  # both kinds of writer got through
    session.rollback()
    session.expire_all()
    found = {e.id: e for e in session.scalars(sa.select(Evidence).where(
        Evidence.id.in_(list(tally.titles))))}
    assert set(found) == set(tally.titles), "an acknowledged item is missing"
    for item, title in tally.titles.items():
        assert found[item].title == title
    for item in tally.submitted - tally.returned:
        assert found[item].status == "submitted", (item, found[item].status)
    for item in tally.returned:
        assert found[item].status == "returned"
    commented = set(session.scalars(sa.select(EvidenceComment.evidence_id).where(
        EvidenceComment.kind == "return")))
    assert tally.returned <= commented
    notes = {row.user_id: row.data["note"][0] for row in session.scalars(
        sa.select(DraftAutosave).where(DraftAutosave.path == "/portfolio/soak-notes"))}
    assert notes == tally.autosaved

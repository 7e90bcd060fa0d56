"""The mixed workload of bench/load.py: candidates add evidence, supervisors review, hub leads
watch dashboards, and everyone now and then asks the bare Flask app beside Roadmap.

Run by bench/load.py (locust as a subprocess, because locust monkey-patches with gevent).
Each simulated person signs in through the real pages (password, then authenticator code),
from a loopback address of their own, as real people come from addresses of their own.
Every request's name, time and outcome is kept and written to $BENCH_SAMPLES at the end.
"""
from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
import sys
from pathlib import Path
from typing import Any, Optional

import pyotp
from locust import HttpUser, between, events, task
from requests.adapters import HTTPAdapter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.forms import Form, form_posting_to, ids_in  # noqa: E402

ACCOUNTS = json.loads(Path(os.environ["BENCH_ACCOUNTS"]).read_text())
SAMPLES: list[tuple[str, float, float, str]] = []  # name, start, milliseconds, failure or ""
_next = {role: itertools.count() for role in ("candidates", "supervisors", "hub_leads")}
_address = itertools.count(2)
WORDS = ("Assessment of shoulder pain with a clear plan and safety-netting advice. "
         "Discussed options and agreed a review in four weeks.")


@events.request.add_listener
def _keep(request_type: str, name: str, response_time: float, exception: Any,
          start_time: float = 0.0, **_: Any) -> None:
    SAMPLES.append((name, start_time, response_time, str(exception)[:200] if exception else ""))


@events.quitting.add_listener
def _write(**_: Any) -> None:
    target = os.environ.get("BENCH_SAMPLES")
    if target:
        Path(target).write_text(json.dumps(SAMPLES))


class SourceAddress(HTTPAdapter):
    """Connect from one loopback address (127.0.0.x), like one person's own machine."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def _answer(field: dict[str, Any]) -> str:
    if field["name"] == "title":
        return f"Load test {random.choice(('CBD', 'case', 'clinic'))} {random.randint(1, 9999)}"
    if field["kind"] == "date" or field["name"].endswith("_on"):
        return (dt.date.today() - dt.timedelta(days=random.randint(1, 20))).isoformat()
    if field["kind"] == "number":
        return "3"
    return WORDS


class Person(HttpUser):
    """Someone signed in with an account from the seeded list."""

    abstract = True
    role = "candidates"
    # Reading a page before the next click: people read a portfolio item or a dashboard for
    # several seconds at least (and an item they assess for minutes), so 3 to 12 s is brisk.
    wait_time = between(3, 12)

    def on_start(self) -> None:
        people = ACCOUNTS[self.role]
        self.account = people[next(_next[self.role]) % len(people)]
        n = next(_address)
        self.client.mount("http://", SourceAddress(f"127.0.{n // 250}.{n % 250 + 2}"))
        self.sign_in()

    def sign_in(self) -> None:
        """Password, then the authenticator code when asked (the real pages, CSRF and all)."""
        page = self.client.get("/sign-in", name="sign-in: form")
        form = form_posting_to(page.text, r"/sign-in$")
        data = dict(form.values() if form else [])
        data.update(email=self.account["email"], password=ACCOUNTS["password"])
        done = self.client.post("/sign-in", data=data, name="sign-in: password", allow_redirects=False)
        if "/sign-in/code" in done.headers.get("Location", ""):
            page = self.client.get("/sign-in/code", name="sign-in: code form")
            form = form_posting_to(page.text, r"/sign-in/code$")
            data = dict(form.values() if form else [])
            data["code"] = self.code()
            self.client.post("/sign-in/code", data=data, name="sign-in: code", allow_redirects=False)

    def code(self) -> str:
        """The current code of the account's authenticator app."""
        return pyotp.TOTP(self.account["totp_secret"]).now()

    def post_form(self, form: Form, name: str, extra: Optional[dict[str, str]] = None,
                  expect: str = "") -> Any:
        """Post a form with its hidden fields and answers, like pressing its button; it failed
        unless the answer lands on a page matching `expect` (a refused form shows itself again)."""
        data = form.values(_answer) + list((extra or {}).items())
        with self.client.post(form.action, data=data, name=name, catch_response=True) as answer:
            if answer.ok and expect and not re.search(expect, answer.url):
                answer.failure(f"ended on {answer.url}, not {expect}")
        return answer

    @task(1)
    def bare(self) -> None:
        """The bare Flask app in the same server: the floor."""
        self.client.get("/bare/", name="bare flask")


class Candidate(Person):
    """Looks at their portfolio, opens items, writes a draft, edits it and submits it."""

    role = "candidates"
    weight = 5

    @task(4)
    def home(self) -> None:
        self.client.get("/portfolio/", name="candidate: home")

    @task(4)
    def portfolio(self) -> None:
        page = self.client.get("/portfolio/evidence", name="candidate: portfolio list")
        items = ids_in(page.text, r"/portfolio/evidence/(\d+)")
        if items:
            self.client.get(f"/portfolio/evidence/{random.choice(items)}", name="candidate: open an item")

    @task(2)
    def add_evidence(self) -> None:
        kind = random.choice(("cbd", "learning_log", "cbd"))
        page = self.client.get(f"/portfolio/evidence/new/{kind}", name="candidate: new item form")
        form = form_posting_to(page.text, r"/portfolio/evidence/new/", page.url)
        if form is None:
            return
        saved = self.post_form(form, "candidate: create a draft", {"action": "draft"},
                               r"/portfolio/evidence/\d+$")
        match = re.search(r"/portfolio/evidence/(\d+)", saved.url)
        if not match:
            return
        item = int(match.group(1))
        for step, label, extra in (("edit", "edit a draft", {"action": "draft"}),
                                   ("submit", "submit", {"confirm_pid": "y"})):
            page = self.client.get(f"/portfolio/evidence/{item}/{step}",
                                   name=f"candidate: {step} form")
            form = form_posting_to(page.text, rf"/portfolio/evidence/{item}/{step}", page.url)
            if form is not None:
                self.post_form(form, f"candidate: {label}", extra, rf"/portfolio/evidence/{item}$")


class Supervisor(Person):
    """Works through the inbox: opens an item, then signs or returns it."""

    role = "supervisors"
    weight = 3

    @task(4)
    def inbox(self) -> None:
        page = self.client.get("/supervision", name="supervisor: inbox")
        items = ids_in(page.text, r"/supervision/items/(\d+)")
        if not items:
            return
        item = random.choice(items)
        page = self.client.get(f"/supervision/items/{item}", name="supervisor: open an item")
        if random.random() < 0.7:
            form = form_posting_to(page.text, rf"/supervision/items/{item}$")
            if form is None:
                return
            checked = self.post_form(form, "supervisor: assess", None,
                                     rf"/supervision/items/{item}/check$")
            confirm = form_posting_to(checked.text, rf"/supervision/items/{item}/check$",
                                      checked.url)
            if confirm is not None:  # the check page: read back, then sign there
                needs = any(f["name"] == "identity" for f in confirm.fields)
                extra = {"identity": self.code()} if needs else {}
                confirm.fields = [f for f in confirm.fields if f["name"] != "identity"]
                self.post_form(confirm, "supervisor: sign", extra, r"/supervision$")
        else:
            form = form_posting_to(page.text, rf"/supervision/items/{item}/return")
            if form is not None:
                self.post_form(form, "supervisor: return", {"comment": "Please expand the plan."},
                               r"/supervision$")


class HubLead(Person):
    """Watches the hub's cohorts: the dashboard and its CSV."""

    role = "hub_leads"
    weight = 2

    @task(4)
    def dashboard(self) -> None:
        cohort = random.choice(self.account["cohorts"])
        self.client.get(f"/cohorts/{cohort}", name="hub lead: cohort dashboard")

    @task(1)
    def csv(self) -> None:
        cohort = random.choice(self.account["cohorts"])
        self.client.get(f"/cohorts/{cohort}/dashboard.csv", name="hub lead: dashboard CSV")

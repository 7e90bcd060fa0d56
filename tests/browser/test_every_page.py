"""Every page, for every kind of person in the demo, at 320, 390 and 1280 px wide.

The demo (as `roadmap demo` builds it, copied from the worker's one build) is served; each
kind of person it holds signs in through the real forms, and the pages they reach are found once
(links followed from their home page, and every GET route they may use filled with the demo's
ids: tests/browser/site.py). Then each page is loaded once and looked at in each width in turn
(tests/browser/looks.py): it must not scroll sideways, in the page or in a box of it, show
markup as text, or lack its one h1 or its title; and it must pass axe-core against WCAG 2.2 AA
in the phone layout (320 px) and the desktop one (1280 px). 390 px is the same layout as 320
with more room, so axe is not run there again. axe-core is given to the looking context once, as
a script every document it opens runs first, rather than sent into each page after it loads.

The people are split into PARTS tests, so that the suite's workers share the work.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional
from urllib.parse import urlsplit

import pyotp
import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext
from sqlalchemy.orm import Session

from roadmap import create_app
from tests.fixtures.apps import app_settings
from tests.fixtures.databases import empty_database, forget_database

from tests.fixtures.demo import DEMO_PASSWORD, DemoSnapshot, put_demo

from .axe import axe_source
from .looks import look_at_widths
from .server import serving
from .personas import Persona, personas
from .site import Site, discover

PASSWORD = DEMO_PASSWORD
WIDTHS = {320: True, 390: False, 1280: True}  # width: run axe-core there too?
HEIGHT = 800
PARTS = 3


@dataclass
class Demo:
    """The demo served for the browser, its people, and what was learnt about each once."""

    app: Flask
    origin: str
    session: Session
    personas: list[Persona]
    states: dict[Persona, Optional[dict[str, Any]]] = field(default_factory=dict)
    sites: dict[Persona, Site] = field(default_factory=dict)
    shapes: set[Any] = field(default_factory=set)
    finding: float = 0.0  # seconds spent finding the pages (the rest: looking at them)

    def context(self, browser: Browser, persona: Persona, width: int) -> BrowserContext:
        """A browser context, first of the given width, signed in as the persona."""
        if persona not in self.states:
            self.states[persona] = self._sign_in(browser, persona)
        context = browser.new_context(viewport={"width": width, "height": HEIGHT},
                                      base_url=self.origin, locale="en-GB",
                                      timezone_id="Europe/London",
                                      storage_state=self.states[persona])
        context.set_default_timeout(15_000)
        # Compiled by the browser as each page starts, not sent over for every page: the
        # script is half a megabyte. Like evaluate, it is not subject to the page's CSP.
        context.add_init_script(script=axe_source())
        return context

    def _sign_in(self, browser: Browser, persona: Persona) -> Optional[dict[str, Any]]:
        """Sign in through the real forms, once a run; the cookies are kept for every width."""
        if persona.email is None:
            return None
        context = browser.new_context(base_url=self.origin)
        try:
            page = context.new_page()
            page.goto("/sign-in")
            page.get_by_label("Email address").fill(persona.email)
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state("load")
            if urlsplit(page.url).path == "/sign-in/code" and persona.totp_secret:
                page.get_by_label("Security code").fill(pyotp.TOTP(persona.totp_secret).now())
                page.get_by_role("button", name="Continue").click()
                page.wait_for_load_state("load")
            if urlsplit(page.url).path.startswith("/sign-in"):
                pytest.fail(f"{persona.label} did not get past {page.url}", pytrace=False)
            return context.storage_state()
        finally:
            context.close()

    def site(self, persona: Persona, context: BrowserContext) -> Site:
        """The pages the persona reaches, found once a run with their signed-in context."""
        if persona not in self.sites:
            self.session.rollback()  # see what the pages looked at so far wrote, as they did
            started = time.perf_counter()
            self.sites[persona] = discover(self.app, self.session, self.origin, context.request,
                                           persona, self.shapes)
            self.finding += time.perf_counter() - started
        return self.sites[persona]


@pytest.fixture(scope="module")
def demo(migrated_template: str, database_folder: Any, tmp_path_factory: pytest.TempPathFactory,
         request: pytest.FixtureRequest, demo_snapshot: DemoSnapshot) -> Iterator[Demo]:
    """The demo data in a database of this module's own, served on a free port."""
    folder = tmp_path_factory.mktemp("every-page")
    url = empty_database(migrated_template, database_folder, folder.name)
    app = create_app({**app_settings(url, folder, request), "WTF_CSRF_ENABLED": True})
    put_demo(app, demo_snapshot)
    session = app.extensions["roadmap.db"].sessions()
    try:
        with serving(app) as origin:
            yield Demo(app, origin, session, personas(session))
    finally:
        session.close()
        app.extensions["roadmap.db"].engine.dispose()
        forget_database(url)


def look_at_every_page(browser: Browser, demo: Demo, persona: Persona) -> tuple[int, list[str]]:
    """Load each of the persona's pages once, look at it in every width; (pages, problems)."""
    first = next(iter(WIDTHS))
    context = demo.context(browser, persona, first)
    problems: list[str] = []
    try:
        site = demo.site(persona, context)
        problems += [f"{persona.label}: {failure}" for failure in site.failures]
        start = "/home" if persona.email else "/sign-in"
        if start not in site.answered:
            problems.append(f"{persona.label} never reached {start}: the guard looked at nothing")
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(f"console error: {message.text}")
                if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(f"JavaScript error: {error}"))
        for url in site.pages:
            page.set_viewport_size({"width": first, "height": HEIGHT})
            response = page.goto(url)
            status = response.status if response is not None else 0
            if status != 200:
                problems.append(f"{persona.label}, {url}: answered {status} in the browser")
                continue
            for width, found in look_at_widths(page, WIDTHS, HEIGHT).items():
                problems += [f"{persona.label}, {url} at {width}px: {problem}"
                             for problem in found]
            problems += [f"{persona.label}, {url}: {error}" for error in errors]
            errors.clear()
        return len(site.pages), problems
    finally:
        context.close()


@pytest.mark.parametrize("part", range(PARTS), ids=[f"part{n + 1}of{PARTS}" for n in range(PARTS)])
def test_every_page_for_everyone_fits_and_reads_well(part: int, demo: Demo, browser: Browser,
                                                      record_property: Any) -> None:
    started, found_before = time.perf_counter(), demo.finding
    problems: list[str] = []
    looked = 0
    counts = []
    mine = demo.personas[part::PARTS]
    for persona in mine:
        pages, found = look_at_every_page(browser, demo, persona)
        looked += pages
        problems += found
        counts.append(f"{pages} for {persona.label}")
    seconds = time.perf_counter() - started
    record_property("pages", looked)
    record_property("seconds", round(seconds, 1))
    fetched = sum(demo.sites[persona].fetched for persona in mine)
    print(f"\n{looked} pages for {len(mine)} of {len(demo.personas)} kinds of person, each at "
          f"{', '.join(map(str, WIDTHS))}px, in {seconds:.1f}s ({fetched} fetched to find them "
          f"in {demo.finding - found_before:.1f}s): " + ", ".join(counts))
    assert not problems, f"{len(problems)} problem(s) on the pages people see:\n" + "\n".join(
        f"- {problem}" for problem in problems)

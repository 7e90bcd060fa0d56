"""Browser fixtures: the app on a real port, one Chromium per run, a fresh page per test."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Callable, Iterator, Optional
from urllib.parse import urlsplit

import pyotp
import pytest
from flask import Flask
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response, sync_playwright

from tests.fixtures.apps import TEST_PASSWORD

from .axe import axe_source, click_and_check, visit
from .server import CHROMIUM_ARGS, serving

HERE = Path(__file__).resolve().parent
DESKTOP = {"width": 1280, "height": 800}

def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test in this folder `browser`, so `-m "not browser"` leaves them out."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """CSRF protection on: a real browser posts the real token, as in production."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app on this test's database, served on 127.0.0.1 and a free port; yields its base URL."""
    with serving(app) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, shared by every test of the run."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium is not installed: browser tests need Debian's `chromium` package "
                    "(apt-get install chromium); Playwright cannot download its own here.",
                    pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageProblems:
    """What went wrong in the browser while a test ran: console errors and failed loads."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.problems: list[str] = []
        self.documents: set[str] = set()
        self.navigations = 0  # documents the page has asked for so far
        self.asked = ""  # the last of them
        self.started: dict[Request, int] = {}  # other requests on their way: navigations then

    def _ours(self, url: str) -> bool:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}" == self.origin

    def on_request(self, request: Request) -> None:
        """A page asks only our own server for anything: no third-party requests."""
        if request.url.startswith(("http:", "https:", "ws:", "wss:")) and not self._ours(request.url):
            self.problems.append(f"request to another site: {request.method} {request.url}")
        if request.is_navigation_request():
            self.navigations += 1
            self.asked = request.url.split("#")[0]
            return
        # The browser may report a script's request only after the page has asked for the next
        # document (a click while the request was on its way): the request's Referer names
        # the document that made it, and one that is not the document last asked for left.
        referer = request.headers.get("referer")
        made_by_one_before = referer is not None and referer.split("#")[0] != self.asked
        self.started[request] = self.navigations - made_by_one_before

    def on_response(self, response: Response) -> None:
        """Note documents (their status is the test's to check); any other failure is a fault."""
        request = response.request
        if request.resource_type == "document":
            self.documents.add(response.url)
        elif response.status >= 400 and self._ours(response.url):
            self.problems.append(f"{response.status} for {request.resource_type} {response.url}")

    def on_request_failed(self, request: Request) -> None:
        """A request to our server that never got an answer. A script's background request
        that the browser cut short because the page went on to another (the person clicked
        while it was on its way) is what browsers do, not a fault."""
        left = self.navigations > self.started.pop(request, self.navigations)
        if left and request.failure == "net::ERR_ABORTED" and request.method == "GET":
            return
        if self._ours(request.url):
            self.problems.append(f"request failed ({request.failure}): {request.method} {request.url}")

    def on_console(self, message: ConsoleMessage) -> None:
        """Console errors, including CSP violations; a document's own error status is left to
        `visit` and `check_page`, which assert the status the test expects."""
        if message.type != "error":
            return
        source = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and source in self.documents:
            return
        self.problems.append(f"console error at {source or 'an unknown place'}: {message.text}")

    def on_page_error(self, error: Exception) -> None:
        """An uncaught exception in the page's JavaScript."""
        self.problems.append(f"uncaught JavaScript error: {error}")


@pytest.fixture
def page_problems(live_server: str) -> PageProblems:
    """The problems the `page` fixture collects; tests may inspect or clear `.problems`."""
    return PageProblems(live_server)


@pytest.fixture
def page(browser: Browser, live_server: str, page_problems: PageProblems) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies) aimed at the live server.

    Relative URLs resolve against the live server. The test fails if the page logged a console
    error, a request to our server failed or answered 400 or more for anything but the document
    itself, or the page asked another site for anything.
    """
    context = browser.new_context(viewport=DESKTOP, base_url=live_server, locale="en-GB",
                                  timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    # axe-core (half a megabyte) is compiled by the browser as each document starts, rather
    # than sent into every page a test checks (tests/browser/axe.py); not subject to the CSP.
    context.add_init_script(script=axe_source())
    browser_page = context.new_page()
    browser_page.on("request", page_problems.on_request)
    browser_page.on("response", page_problems.on_response)
    browser_page.on("requestfailed", page_problems.on_request_failed)
    browser_page.on("requestfinished", lambda request: page_problems.started.pop(request, None))
    browser_page.on("console", page_problems.on_console)
    browser_page.on("pageerror", page_problems.on_page_error)
    yield browser_page
    # What went wrong while the test ran: closing the window cuts short whatever a script had
    # on its way (as a person closing a tab does), which is no fault of the page.
    problems = list(page_problems.problems)
    context.close()
    if problems:
        pytest.fail("the browser reported problems:\n" + "\n".join(
            f"- {problem}" for problem in problems), pytrace=False)


@pytest.fixture
def sign_in(page: Page) -> Callable[..., Page]:
    """Sign in through the real form: `sign_in(email, password=TEST_PASSWORD, totp_secret=None)`.

    Types the email address and password, answers the security code step when a TOTP secret is
    given, and returns the page on the landing page, each page checked with axe on the way.
    """
    def act(email: str, password: str = TEST_PASSWORD, totp_secret: Optional[str] = None) -> Page:
        visit(page, "/sign-in")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        click_and_check(page.get_by_role("button", name="Sign in"))
        if urlsplit(page.url).path == "/sign-in/code":
            if totp_secret is None:
                pytest.fail(f"{email} was asked for a security code: pass totp_secret", pytrace=False)
            page.get_by_label("Security code").fill(pyotp.TOTP(totp_secret).now())
            click_and_check(page.get_by_role("button", name="Continue"))
        if urlsplit(page.url).path.startswith("/sign-in"):
            pytest.fail(f"{email} did not get past {page.url}: "
                        f"{page.locator('main').inner_text()[:300]}", pytrace=False)
        return page

    return act

"""The browser tests' fault collector (tests/browser/conftest.py PageProblems) can fail, and
does not fail for what browsers do: a script's request cut short because the person went on to
another page is not a fault; the same request failing while the page stays is."""
from __future__ import annotations

from typing import Any, Optional

from playwright.sync_api import Page

from .conftest import PageProblems


def _ask_in_background(page: Page, path: str) -> None:
    page.evaluate("path => { fetch(path).catch(() => {}); }", path)


def test_a_request_cut_short_by_going_to_another_page_is_not_a_fault(
        page: Page, page_problems: PageProblems, live_server: str) -> None:
    page.goto(live_server + "/sign-in")
    held: list[Any] = []
    page.route("**/still-on-its-way.json", lambda route: held.append(route))  # never answered
    with page.expect_request("**/still-on-its-way.json"):
        _ask_in_background(page, "/still-on-its-way.json")
    with page.expect_event("requestfailed"):
        page.goto(live_server + "/verify")  # the person clicked on
    assert page_problems.problems == []


def test_a_request_failing_while_the_page_stays_is_a_fault(
        page: Page, page_problems: PageProblems, live_server: str) -> None:
    page.goto(live_server + "/sign-in")
    page.route("**/cut.json", lambda route: route.abort("aborted"))
    with page.expect_event("requestfailed"):
        _ask_in_background(page, "/cut.json")
    assert page_problems.problems == [
        f"request failed (net::ERR_ABORTED): GET {live_server}/cut.json"]
    page_problems.problems.clear()  # reported: the fixture's own check would fail the test


class _Request:
    """What the collector reads of a request, in the order the browser may report them."""

    def __init__(self, url: str, navigation: bool = False, referer: Optional[str] = None) -> None:
        self.url, self.method, self.failure = url, "GET", "net::ERR_ABORTED"
        self.resource_type = "document" if navigation else "fetch"
        self.headers = {"referer": referer} if referer else {}
        self._navigation = navigation

    def is_navigation_request(self) -> bool:
        return self._navigation


def test_a_request_reported_after_the_next_page_was_asked_for_is_judged_by_its_own_page() -> None:
    """Seen in the export tests: the landing page's script asks for the offline forms, the test
    goes on at once, and the browser reports the script's request only after the next page's,
    then cuts it short. The request's Referer says which page made it."""
    origin = "http://127.0.0.1:1"
    problems = PageProblems(origin)
    problems.on_request(_Request(f"{origin}/home", navigation=True))
    problems.on_request(_Request(f"{origin}/exports/enrolment/1", navigation=True))
    late = _Request(f"{origin}/offline/forms/1.json", referer=f"{origin}/home")
    problems.on_request(late)
    problems.on_request_failed(late)
    assert problems.problems == []
    # The page now shown asking for something that is cut short while it stays: a fault.
    own = _Request(f"{origin}/offline/forms/1.json", referer=f"{origin}/exports/enrolment/1")
    problems.on_request(own)
    problems.on_request_failed(own)
    assert problems.problems == [f"request failed (net::ERR_ABORTED): GET {origin}/offline/forms/1.json"]

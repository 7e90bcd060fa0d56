"""The browser tests' fault collector (tests/browser/conftest.py PageProblems) can fail, and
does not fail for what browsers do: a script's request cut short because the person went on to
another page is not a fault; the same request failing while the page stays is."""
from __future__ import annotations

from typing import Any

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

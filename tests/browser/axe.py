"""Every page a browser test visits must pass axe-core with no violation: visit, check, report."""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import pytest
from playwright.sync_api import Locator, Page

AXE_FILE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.2 AA as axe tags it (2.2 only adds AA rules), plus axe's own best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@lru_cache(maxsize=1)
def axe_source() -> str:
    """The axe-core script installed by npm; a clear failure when npm install has not run."""
    if not AXE_FILE.is_file():
        pytest.fail(f"axe-core is missing ({AXE_FILE.name} not found under node_modules/axe-core): "
                    "run `npm install` at the repository root", pytrace=False)
    return AXE_FILE.read_text(encoding="utf-8")


def format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    """One readable paragraph per broken rule: id, impact, help, and where it fails."""
    lines = [f"axe found {len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact') or 'no impact given'}): "
                     f"{violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}: {node['html'][:160]}")
    return "\n".join(lines)


# What has already passed in this test process: the window's size and the document's markup,
# hashed. The same markup in the same window is the same page to axe (the stylesheets and
# scripts are the run's one build), so a test that checks a page again after looking at it (a
# journey's pages at two widths, after the click that opened them), or a page another test
# already checked (the sign-in form), does not pay for axe twice. Anything changed (a message,
# a checked box, an open details, a name) is new. The one thing every rendering of a form
# changes is the value of its hidden CSRF token, which nothing shows or reads aloud: it is left
# out of the markup hashed.
_PASSED: set[str] = set()
STATE = "() => innerWidth + 'x' + innerHeight + '\\n' + document.documentElement.outerHTML"
_CSRF_VALUE = re.compile(r'(<input\b[^>]*\bname="csrf_token"[^>]*\bvalue=")[^"]*(")')


def _state(page: Page) -> str:
    """The window's size and the page's markup (its CSRF tokens' values left out), hashed."""
    markup = _CSRF_VALUE.sub(r"\1\2", page.evaluate(STATE))
    return hashlib.sha256(markup.encode("utf-8", "surrogatepass")).hexdigest()


def assert_accessible(page: Page) -> None:
    """Run axe-core in the page as it is now and fail on any violation.

    The test contexts give every document the script as it starts (an init script); a page
    without it gets it through Playwright's evaluate. Neither is governed by the page's
    Content-Security-Policy; a <script> tag with inline content would be refused by our CSP, and
    turning the CSP off would hide real violations (inline scripts or styles) from these tests.
    """
    page.wait_for_load_state("load")
    state = _state(page)
    if state in _PASSED:
        return
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    results = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags},
                                      resultTypes: ["violations"]})""",
        AXE_TAGS,
    )
    violations = results["violations"]
    if violations:
        pytest.fail(format_violations(page.url, violations), pytrace=False)
    _PASSED.add(state)


def assert_reflows(page: Page) -> None:
    """No sideways scrolling at the current viewport width (WCAG 1.4.10, reflow)."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    content = page.evaluate("document.documentElement.scrollWidth")
    assert content <= width, (
        f"{page.url} is {content}px wide in a {width}px viewport: it scrolls sideways")


def document_status(page: Page) -> int:
    """The HTTP status of the document now shown, as the browser recorded it."""
    return page.evaluate(
        "() => performance.getEntriesByType('navigation')[0]?.responseStatus ?? 0")


def check_page(page: Page, status: Optional[int] = None) -> Page:
    """After a click or a form post: the new page loaded without error and passes axe.

    `status` is the exact HTTP status expected; by default any status below 400 is accepted.
    """
    page.wait_for_load_state("load")
    shown = document_status(page)
    if status is None:
        assert shown < 400, f"{page.url} answered {shown}"
    else:
        assert shown == status, f"{page.url} answered {shown}, expected {status}"
    assert_accessible(page)
    return page


def visit(page: Page, url: str, status: Optional[int] = None) -> Page:
    """Go to a URL (relative to the live server), check its status, and check it with axe."""
    response = page.goto(url)
    assert response is not None, f"no response for {url}"
    if status is None:
        assert response.status < 400, f"{url} answered {response.status}"
    else:
        assert response.status == status, f"{url} answered {response.status}, expected {status}"
    assert_accessible(page)
    return page


def click_and_check(target: Locator, status: Optional[int] = None) -> Page:
    """Click something that loads a new page (a link, a form's button), then check that page.

    Waits for a new document even when it has the same URL, as when a form shows its errors.
    """
    page = target.page
    page.evaluate("window.roadmapPreviousPage = true")
    target.click()
    page.wait_for_function("() => window.roadmapPreviousPage !== true")
    return check_page(page, status)

"""The supervisor grades each heading of a CBD, reads it all back on the check-answers page,
confirms who they are there and signs, in Chromium at 1280 px and on a 390 px phone.

Every page passes axe and does not scroll sideways at either width. With SCREENS_DIR set
to a folder (docs/screens), the assessing and check-answers pages are saved there as PNGs.
"""
from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path
from typing import Any, Callable

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from roadmap.accounts.models import UserSession
from tests.fixtures.apps import TEST_PASSWORD

from .axe import assert_accessible, assert_reflows, check_page, click_and_check, visit

WIDTHS = {"phone": 390, "desktop": 1280}


def _at_each_width(page: Page, name: str) -> None:
    """The page passes axe and reflows at each width; saved as a screenshot when asked."""
    page.evaluate("document.activeElement && document.activeElement.blur()")  # no focus ring
    for width in WIDTHS.values():
        page.set_viewport_size({"width": width, "height": 900})
        assert_reflows(page)
        assert_accessible(page)
        folder = os.environ.get("SCREENS_DIR")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            _save(page.screenshot(full_page=True, type="png"), Path(folder) / f"{name}-{width}.png")
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})


def _save(png: bytes, path: Path) -> None:
    """A screenshot as a 256-colour PNG: the pages are flat colour, and the file stays small."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as shot:
        shot.convert("RGB").quantize(colors=256).save(path, optimize=True)


def _choose(page: Page, legend: str, option: str) -> None:
    """Pick a radio option inside the fieldset whose legend is given."""
    page.get_by_role("group", name=legend).get_by_label(option, exact=True).check()


def test_grade_each_heading_check_and_sign(page: Page, sign_in: Callable[..., Page], team: Any,
                                           make_item: Any, session: Any) -> None:
    item = make_item("cbd", headings=("1", "3"))
    title = item.title
    sign_in(team.primary.email, totp_secret=team.secret)
    visit(page, f"/supervision/items/{item.id}")
    expect(page.get_by_role("heading", name="Grade for each capability heading")).to_be_visible()
    _choose(page, "1. Communication", "C: Capable")
    _choose(page, "3. History-taking", "E: Excellent")
    _choose(page, "Overall judgement", "C: Capable")
    page.get_by_label("The candidate's reasoning and judgement").fill(
        "Clear reasoning about red flags; the plan was safe and specific.")
    page.get_by_label("What to develop", exact=False).first.fill(
        "Explain the imaging criteria to the patient.")
    _at_each_width(page, "supervisor-assessing")
    # The sign-in was moments ago: make it old, so the check page asks who they are.
    for record in session.scalars(sa.select(UserSession)):
        record.reauthenticated_at = record.reauthenticated_at - dt.timedelta(minutes=10)
    session.commit()
    click_and_check(page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("heading", name="Check your assessment before you sign")
           ).to_be_visible()
    expect(page.locator("main")).to_contain_text("E: Excellent")
    expect(page.locator("main")).to_contain_text("Primary supervisor")
    _at_each_width(page, "check-answers")
    page.get_by_label("Your password or a security code from your app").fill("not my password")
    click_and_check(page.get_by_role("button", name="Sign as Dr Primary"), status=400)
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    expect(page.locator("#identity-error")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Clear reasoning about red flags")
    _at_each_width(page, "check-answers-wrong-password")
    page.get_by_label("Your password or a security code from your app").fill(TEST_PASSWORD)
    click_and_check(page.get_by_role("button", name="Sign as Dr Primary"))
    expect(page.get_by_text(f"You signed “{title}” on ")).to_be_visible()
    check_page(page)

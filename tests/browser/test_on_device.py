"""The assessor signs on the candidate's phone, then confirms from their inbox; at 390 and
1280 px every page passes axe and none scrolls sideways."""
from __future__ import annotations

import re
from typing import Any, Callable

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from roadmap.feedback import links
from roadmap.portfolio.models import Evidence

from tests.fixtures.apps import TEST_PASSWORD

from .axe import assert_reflows, click_and_check, visit


@pytest.mark.parametrize("width", [390, 1280])
def test_the_assessor_signs_on_the_phone_and_confirms_by_email(
        page: Page, sign_in: Callable[..., Page], session: Any, team: Any, make_item: Any,
        monkeypatch: Any, width: int, page_problems: Any) -> None:
    cot = make_item("cot", status="draft")
    cot_id = cot.id
    sent: list[str] = []
    monkeypatch.setattr(links, "new_token", lambda: sent.append(f"dev{len(sent)}z" * 4) or sent[-1])
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(team.candidate.email)
    visit(page, f"/portfolio/evidence/{cot_id}")
    click_and_check(page.get_by_role("link", name=re.compile("^Hand to your assessor")))
    assert_reflows(page)
    click_and_check(page.get_by_role("link", name="Hand to your assessor"))
    assert_reflows(page)
    expect(page.get_by_text("Jo Candidate must not fill it in")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main menu")).to_have_count(0)
    click_and_check(page.get_by_role("button", name="Sign as the assessor"), status=400)
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_reflows(page)
    for fieldset in page.locator("fieldset", has=page.get_by_label("C: Capable", exact=True)).all():
        fieldset.get_by_label("C: Capable", exact=True).check()
    page.get_by_label("What went well").fill("Clear, structured history.")
    page.get_by_label("What to develop").fill("Safety-net earlier.")
    page.get_by_label("Your full name").fill("Dr On Spot")
    page.get_by_label("Your job title or role").fill("GP partner")
    page.get_by_role("radio", name=re.compile("^GMC")).check()
    page.get_by_label("Your registration number").fill("7654321")
    page.get_by_label("Your work email address").fill(team.candidate.email)
    page.get_by_role("checkbox", name=re.compile("I am not Jo Candidate")).check()
    click_and_check(page.get_by_role("button", name="Sign as the assessor"), status=400)
    expect(page.get_by_role("link", name=re.compile("This is Jo Candidate's own email address"))
           ).to_be_visible()
    page.get_by_label("Your work email address").fill("on.spot@nhs.net")
    page.get_by_role("checkbox", name=re.compile("I am not Jo Candidate")).check()
    click_and_check(page.get_by_role("button", name="Sign as the assessor"))
    expect(page.get_by_role("heading", name=re.compile("hand the phone back"))).to_be_visible()
    assert_reflows(page)
    # Leaving assessor mode takes the candidate's password.
    click_and_check(page.get_by_role("link", name=re.compile("enter my password to leave assessor mode")))
    page.get_by_label(re.compile("password", re.I)).first.fill(TEST_PASSWORD)
    click_and_check(page.get_by_role("button", name=re.compile("Continue|Confirm")))
    expect(page.get_by_text("Waiting for the assessor to confirm by email")).to_be_visible()
    assert_reflows(page)
    # The page sends the form with fetch (so a dropped connection keeps it on the device:
    # test_assess_offline.py); a refusal then shows the portfolio's messages as a page.
    page_problems.problems = [p for p in page_problems.problems
                              if not ("400 for fetch" in p and p.endswith("/on-device/assess"))]
    # The assessor opens the link from their email on their own device.
    page.context.clear_cookies()
    visit(page, f"/feedback/confirm/{sent[-1]}")
    assert_reflows(page)
    expect(page.get_by_text("Dr On Spot", exact=True)).to_be_visible()
    click_and_check(page.get_by_role("button", name="Confirm my assessment"))
    expect(page.get_by_role("heading", name="Assessment signed")).to_be_visible()
    assert_reflows(page)
    session.rollback()
    assert session.scalar(sa.select(Evidence.status).where(Evidence.id == cot_id)) == "signed"

"""The learning needs analysis in Chromium: the candidate's form, then the reviewer confirms it."""
from __future__ import annotations

from typing import Any, Callable

from playwright.sync_api import Page, expect

from tests.fixtures.lna import png

from .axe import assert_reflows, click_and_check, visit

PAGE = "/portfolio/learning-needs-analysis"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def test_the_candidate_sends_the_analysis_and_the_reviewer_confirms_it(
        page: Page, sign_in: Callable[..., Page], lna: Any, tmp_path: Any) -> None:
    page.set_viewport_size(PHONE)
    sign_in(lna.candidate.email)
    click_and_check(page.get_by_role("link", name="Start your learning needs analysis"))
    assert_reflows(page)
    click_and_check(page.get_by_role("button", name="Send for confirmation"), status=400)
    expect(page.locator("#answer_details-error")).to_contain_text(
        "Enter details of your earlier study")
    assert_reflows(page)
    page.get_by_label("An FCP taught module").check()
    page.get_by_label("Details of your earlier study").fill(
        "MSc Advanced Practice, University of Leeds, 2023: the FCP module.")
    click_and_check(page.get_by_role("button", name="Save draft"))
    expect(page.get_by_text("Your draft is saved.")).to_be_visible()
    scan = tmp_path / "msc.png"
    scan.write_bytes(png())
    page.get_by_label("Upload a certificate or transcript").set_input_files(str(scan))
    click_and_check(page.get_by_role("button", name="Upload file"))
    expect(page.get_by_role("link", name="msc.png", exact=True)).to_be_visible()
    page.set_viewport_size(DESKTOP)
    visit(page, PAGE)
    assert_reflows(page)
    click_and_check(page.get_by_role("button", name="Send for confirmation"))
    expect(page.get_by_text("You sent your analysis")).to_be_visible()
    page.set_viewport_size(PHONE)
    assert_reflows(page)

    page.context.clear_cookies()
    page.set_viewport_size(DESKTOP)
    sign_in(lna.reviewer.email, totp_secret=lna.secret)
    click_and_check(page.get_by_role("link", name="1 learning needs analysis waits for you"))
    assert_reflows(page)
    click_and_check(page.get_by_role("link", name="Lena Learner"))
    assert_reflows(page)
    expect(page.get_by_text("University of Leeds")).to_be_visible()
    page.get_by_label("Taught route").check()
    page.locator("#credit_0").check()
    click_and_check(page.get_by_role("button", name="Confirm the analysis"), status=400)
    expect(page.locator("#evidence_0-error")).to_contain_text("Choose the evidence")
    page.set_viewport_size(PHONE)
    assert_reflows(page)
    page.locator("#evidence_0").select_option(label="File: msc.png")
    page.locator("#note_0").fill("The MSc module covered shared decision making.")
    click_and_check(page.get_by_role("button", name="Confirm the analysis"))
    expect(page.get_by_text("The analysis is confirmed.")).to_be_visible()
    expect(page.get_by_text("Certificate: Shared decision making")).to_be_visible()
    assert_reflows(page)
    page.set_viewport_size(DESKTOP)
    assert_reflows(page)

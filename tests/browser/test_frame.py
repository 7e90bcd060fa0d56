"""The service frame in a real browser: the footer's public pages, on a phone and a desktop."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .axe import assert_accessible, assert_reflows, click_and_check, visit

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
FOOTER = ("Accessibility statement", "Privacy notice", "Cookies", "Contact and help")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_footer_pages_are_reached_without_signing_in_and_pass_axe(page: Page, viewport):
    page.set_viewport_size(viewport)
    visit(page, "/sign-in")
    expect(page.locator(".roadmap-phase-banner")).to_contain_text("Beta")
    assert_reflows(page)
    for name in FOOTER:
        click_and_check(page.get_by_role("contentinfo").get_by_role("link", name=name))
        expect(page.get_by_role("heading", level=1)).to_contain_text(name.split(" and ")[0])
        assert_reflows(page)
        assert_accessible(page)
        visit(page, "/sign-in")

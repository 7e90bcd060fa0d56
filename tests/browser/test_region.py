"""A region in Chromium: its lead reads the hubs side by side, one hub's page and its charts; an
administrator sets a region up. Every page is visited at 390 px and at 1280 px: axe finds no
violation and nothing scrolls sideways."""
from __future__ import annotations

from typing import Any, Callable

import pyotp
from playwright.sync_api import Page, expect

from bench.dashboard import framework, seed
from roadmap.clock import today
from roadmap.regions.service import assign_regional_lead, create_region

from .axe import assert_reflows, check_page, click_and_check, visit

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def at_both_widths(page: Page) -> None:
    """The page as it is now, on a phone and on a desktop: axe clean, no sideways scroll."""
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.reload()
        check_page(page)
        assert_reflows(page)


def test_a_regional_lead_reads_the_region_and_one_hub(page: Page, sign_in: Callable[..., Page],
                                                      make_user: Callable[..., Any],
                                                      session: Any) -> None:
    version = framework(session)
    region = create_region(session, "Buckinghamshire, Oxfordshire and Berkshire West ICS", 50, by=None)
    for name, candidates in (("Thames Valley Training Hub", 30), ("Milton Keynes Training Hub", 12),
                             ("A training hub with a very long name indeed, as some are", 6)):
        seed(session, candidates, 6, today(), hub_name=name, version=version, region_id=region.id)
    session.commit()
    secret = pyotp.random_base32()
    lead = make_user("region@example.nhs.uk", roles=("regional_lead",), totp_secret=secret)
    assign_regional_lead(session, region, lead, by=None)
    session.commit()

    page.set_viewport_size(PHONE)
    sign_in(lead.email, totp_secret=secret)
    expect(page.get_by_role("heading", name="Your region")).to_be_visible()
    at_both_widths(page)
    click_and_check(page.get_by_role("link", name=region.name))
    expect(page.get_by_role("heading", level=1)).to_have_text(region.name)
    expect(page.get_by_role("table", name="Candidates by state, hub by hub")).to_be_visible()
    expect(page.get_by_text("fewer than 5").first).to_be_attached()
    at_both_widths(page)
    page.get_by_text("Stage 2 sign-offs by quarter: the figures as a table").click()
    assert_reflows(page)
    page.set_viewport_size(PHONE)
    click_and_check(page.get_by_role("table", name="Candidates by state, hub by hub")
                    .get_by_role("link", name="Milton Keynes Training Hub"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Milton Keynes Training Hub")
    expect(page.locator("svg.roadmap-chart")).to_have_count(2)
    at_both_widths(page)


def test_an_administrator_creates_a_region_and_adds_its_lead(page: Page,
                                                             sign_in: Callable[..., Page],
                                                             make_user: Callable[..., Any]) -> None:
    secret = pyotp.random_base32()
    make_user("admin@example.nhs.uk", roles=("admin",), totp_secret=secret)
    make_user("ics@example.nhs.uk", roles=("supervisor",), full_name="Imogen Lead")
    page.set_viewport_size(PHONE)
    sign_in("admin@example.nhs.uk", totp_secret=secret)
    visit(page, "/regions/")  # on a phone the header keeps the admin's many links under "More"
    at_both_widths(page)
    click_and_check(page.get_by_role("link", name="Create a region"))
    page.get_by_label("Stage 2 sign-offs a year (target, optional)").fill("a lot")
    click_and_check(page.get_by_role("button", name="Save"))
    expect(page.locator("#name-error")).to_contain_text("Enter the region's name")
    at_both_widths(page)
    page.get_by_label("Name").fill("Frimley ICS")
    page.get_by_label("Stage 2 sign-offs a year (target, optional)").fill("30")
    click_and_check(page.get_by_role("button", name="Save"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Who leads Frimley ICS")
    page.get_by_label("Full name").fill("Imogen Lead")
    page.get_by_label("Work email address").fill("ics@example.nhs.uk")
    click_and_check(page.get_by_role("button", name="Add regional lead"))
    expect(page.get_by_text("Imogen Lead now leads Frimley ICS.")).to_be_visible()
    at_both_widths(page)
    click_and_check(page.get_by_role("link", name="Frimley ICS"))
    expect(page.get_by_text("No training hub belongs to this region yet.")).to_be_visible()
    at_both_widths(page)

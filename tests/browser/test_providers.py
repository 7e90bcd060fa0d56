"""The education provider in Chromium: a reviewer approves a portfolio; providers are set up.

Every page added for providers, and each hub page changed for them, is visited at 390 px and
at 1280 px: axe finds no violation and nothing scrolls sideways.
"""
from __future__ import annotations

from typing import Any, Callable

import pyotp
from playwright.sync_api import Page, expect

from bench.dashboard import framework
from roadmap.cohorts import service as cohorts
from roadmap.cohorts.models import Enrolment
from roadmap.providers.models import EducationProvider

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


def test_a_reviewer_signs_in_and_approves_a_portfolio(page: Page, sign_in: Callable[..., Page],
                                                      app: Any, waiting: Any) -> None:
    app.config["PROVIDER_SAMPLE_PERCENT"] = 0  # no audit sample: this approval is the last
    team = waiting.team
    page.set_viewport_size(PHONE)
    sign_in(waiting.first.email, totp_secret=team.secret)
    expect(page.get_by_text("1 portfolio signed off by a supervisor waits for your review"))\
        .to_be_visible()
    at_both_widths(page)  # the home page, with the reviewer's section
    page.set_viewport_size(PHONE)
    click_and_check(page.get_by_role("link", name="Reviews"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Portfolios waiting for your review")
    expect(page.get_by_text("Since today", exact=True)).to_be_visible()
    at_both_widths(page)
    click_and_check(page.get_by_role("link", name=team.candidate.full_name))
    expect(page.get_by_text("Dr Primary, primary supervisor")).to_be_visible()
    at_both_widths(page)
    # Referring back without a reason is refused beside the field, and nothing is decided.
    page.set_viewport_size(PHONE)
    click_and_check(page.get_by_role("button", name="Continue to refer back"), status=400)
    expect(page.locator("#refer-reason-error")).to_contain_text("Say why you refer")
    assert_reflows(page)
    click_and_check(page.get_by_role("button", name="Continue to approve"))
    expect(page.get_by_role("heading", name="Check your decision before you make it")
           ).to_be_visible()
    at_both_widths(page)
    page.set_viewport_size(PHONE)
    click_and_check(page.get_by_role("button", name=f"Approve as {waiting.first.full_name}"))
    expect(page.get_by_text("You approved the portfolio.")).to_be_visible()
    expect(page.get_by_text("Nothing is waiting for your review.")).to_be_visible()
    assert_reflows(page)


def test_an_administrator_sets_up_a_provider_and_its_reviewer(
        page: Page, sign_in: Callable[..., Page], make_user: Callable[..., Any]) -> None:
    secret = pyotp.random_base32()
    make_user("admin@example.nhs.uk", roles=("admin",), full_name="Ada Admin", totp_secret=secret)
    sign_in("admin@example.nhs.uk", totp_secret=secret)
    click_and_check(page.get_by_role("link", name="Education providers"))
    at_both_widths(page)
    click_and_check(page.get_by_role("link", name="Add an education provider"))
    at_both_widths(page)
    page.set_viewport_size(PHONE)
    click_and_check(page.get_by_role("button", name="Add provider"))
    expect(page.locator("#name-error")).to_contain_text("Enter the provider's name")
    assert_reflows(page)
    page.get_by_label("Name").fill("University of Example")
    click_and_check(page.get_by_role("button", name="Add provider"))
    expect(page.get_by_role("heading", level=1)).to_have_text("University of Example")
    click_and_check(page.get_by_role("button", name="Add reviewer"), status=400)
    expect(page.locator("#full_name-error")).to_be_visible()
    assert_reflows(page)
    page.get_by_label("Full name").fill("Rhea Reviewer")
    page.get_by_label("Work email address").fill("rhea@example.ac.uk")
    click_and_check(page.get_by_role("button", name="Add reviewer"))
    expect(page.get_by_text("Rhea Reviewer now reviews for University of Example.")).to_be_visible()
    at_both_widths(page)


def test_a_hub_lead_names_the_provider_on_the_enrolment_pages(
        page: Page, sign_in: Callable[..., Page], make_user: Callable[..., Any],
        session: Any) -> None:
    version = framework(session)
    hub = cohorts.create_hub(session, "Thames Valley Training Hub", None, 50, None)
    cohort = cohorts.create_cohort(session, hub, "Spring 2026", None, None)
    session.add(EducationProvider(name="University of Example"))
    session.commit()
    secret = pyotp.random_base32()
    make_user("lead@example.nhs.uk", roles=("hub_lead",), hub_id=hub.id, totp_secret=secret)
    sign_in("lead@example.nhs.uk", totp_secret=secret)
    visit(page, f"/cohorts/{cohort.id}/enrol")
    at_both_widths(page)
    page.get_by_label("Full name").fill("Jamie Patel")
    page.get_by_label("Work email address").fill("jamie@example.nhs.uk")
    page.get_by_label("Roadmap", exact=True).select_option(str(version.id))
    enrolled = page.get_by_role("group", name="Enrolment date")
    for box, value in (("Day", "6"), ("Month", "1"), ("Year", "2026")):
        enrolled.get_by_label(box).fill(value)
    page.get_by_label("Education provider").select_option(label="University of Example")
    click_and_check(page.get_by_role("button", name="Enrol and send invitation"))
    expect(page.get_by_text("Jamie Patel is enrolled")).to_be_visible()
    at_both_widths(page)
    page.get_by_label("Education provider").select_option(label="None (portfolio route without a provider)")
    click_and_check(page.get_by_role("button", name="Save education provider"))
    expect(page.get_by_text("The enrolment names no education provider now.")).to_be_visible()
    session.rollback()
    assert session.query(Enrolment).one().provider_id is None


def test_a_long_unbroken_referral_reason_wraps_on_a_phone(
        page: Page, sign_in: Callable[..., Page], waiting: Any) -> None:
    long_word = "https://example.org/" + "unbroken" * 40  # one word far wider than a phone
    sign_in(waiting.first.email, totp_secret=waiting.team.secret)
    page.set_viewport_size(PHONE)
    visit(page, f"/provider/rounds/{waiting.round.id}")
    page.get_by_label("Why are you referring it back?").fill(f"See {long_word}")
    click_and_check(page.get_by_role("button", name="Continue to refer back"))
    expect(page.get_by_text(long_word, exact=False).first).to_be_visible()
    assert_reflows(page)  # read back on the check page, wrapped
    click_and_check(page.get_by_role("button", name=f"Refer back as {waiting.first.full_name}"))
    visit(page, f"/provider/rounds/{waiting.round.id}")
    expect(page.get_by_text(long_word, exact=False).first).to_be_visible()
    assert_reflows(page)

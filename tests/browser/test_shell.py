"""The shell of the service in a real browser: sign in and out, home, errors, styles, phones."""
from __future__ import annotations

import re
from typing import Any, Callable

import pyotp
from playwright.sync_api import Page, expect

from tests.fixtures.apps import TEST_PASSWORD

from .axe import assert_reflows, click_and_check, visit

NHS_BLUE = "rgb(0, 94, 184)"


def type_credentials(page: Page, email: str, password: str) -> None:
    """Fill the sign-in form as a person would, press the button and check the next page."""
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    click_and_check(page.get_by_role("button", name="Sign in"))


def test_sign_in_page_is_accessible(page: Page) -> None:
    """The sign-in page, the first page everyone sees, passes axe."""
    visit(page, "/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Roadmap")


def test_candidate_signs_in_to_their_home(page: Page, make_user: Callable[..., Any]) -> None:
    """A candidate types their email address and password and lands on their home page."""
    make_user(email="cara@example.nhs.uk", full_name="Cara Candidate", roles=("candidate",))
    visit(page, "/sign-in")
    type_credentials(page, "cara@example.nhs.uk", TEST_PASSWORD)
    assert page.url.endswith("/home")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Cara Candidate")
    expect(page.get_by_role("heading", name="Your Roadmap portfolio")).to_be_visible()


def test_wrong_password_shows_the_error_beside_the_field(
        page: Page, make_user: Callable[..., Any]) -> None:
    """A wrong password keeps the person on the form with the error summary and the message."""
    make_user(email="cara@example.nhs.uk", roles=("candidate",))
    visit(page, "/sign-in")
    type_credentials(page, "cara@example.nhs.uk", "not the password")
    assert page.url.endswith("/sign-in")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text("Enter a correct email address and password")
    expect(page.locator("#email-error")).to_contain_text("Enter a correct email address and password")
    expect(page.get_by_label("Email address")).to_have_value("cara@example.nhs.uk")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")


def test_supervisor_signs_in_with_a_security_code(page: Page, make_user: Callable[..., Any]) -> None:
    """A supervisor must give the code from their authenticator app before reaching home."""
    secret = pyotp.random_base32()
    make_user(email="sam@example.nhs.uk", full_name="Sam Supervisor", roles=("supervisor",),
              totp_secret=secret)
    visit(page, "/sign-in")
    type_credentials(page, "sam@example.nhs.uk", TEST_PASSWORD)
    assert page.url.endswith("/sign-in/code")
    page.get_by_label("Security code").fill(pyotp.TOTP(secret).now())
    click_and_check(page.get_by_role("button", name="Continue"))
    assert page.url.endswith("/home")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Sam Supervisor")
    expect(page.get_by_role("heading", name="Candidates you supervise")).to_be_visible()


def test_signing_out_ends_the_session(page: Page, make_user: Callable[..., Any],
                                      sign_in: Callable[..., Page]) -> None:
    """The header's Sign out button returns to sign in, and home then asks to sign in again."""
    user = make_user(roles=("candidate",))
    sign_in(user.email)
    click_and_check(page.get_by_role("button", name="Sign out"))
    assert page.url.endswith("/sign-in")
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    visit(page, "/home")
    assert "/sign-in" in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Roadmap")


def test_page_not_found_is_accessible(page: Page) -> None:
    """The 404 page uses the service's layout and passes axe."""
    visit(page, "/no-such-page", status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")


def test_nhsuk_styles_and_scripts_are_applied(page: Page, make_user: Callable[..., Any],
                                              sign_in: Callable[..., Page]) -> None:
    """The NHS.UK stylesheet and our script are served and take effect on real pages."""
    visit(page, "/sign-in")
    header = page.locator("header.nhsuk-header")
    expect(header).to_have_css("background-color", NHS_BLUE)
    expect(page.locator("body")).to_have_class(re.compile(r"\bnhsuk-frontend-supported\b"))
    user = make_user(roles=("candidate",))
    sign_in(user.email)
    expect(page.locator("header.nhsuk-header")).to_have_css("background-color", NHS_BLUE)


def test_home_on_a_phone_is_accessible(page: Page, make_user: Callable[..., Any],
                                       sign_in: Callable[..., Page]) -> None:
    """On a phone-sized screen sign-in and home pass axe and never scroll sideways."""
    page.set_viewport_size({"width": 390, "height": 844})
    visit(page, "/sign-in")
    assert_reflows(page)
    user = make_user(roles=("candidate", "supervisor"), totp_secret=pyotp.random_base32())
    sign_in(user.email, totp_secret=user.totp_secret)
    assert page.url.endswith("/home")  # checked with axe at this width by sign_in
    assert_reflows(page)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

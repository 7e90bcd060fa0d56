"""The educational supervisor in Chromium, on a phone (390 px) and a desktop (1280 px): the hub
assigns one, they read the candidate's pages and record a progress review, the candidate responds."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from playwright.sync_api import Page, expect

import sqlalchemy as sa

from roadmap.cohorts.models import Cohort
from roadmap.supervision.models import SupervisorAssignment

from .axe import assert_reflows, check_page, click_and_check, visit

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _both_widths(page: Page, status: int | None = None) -> None:
    """The page as it is now, checked with axe and for sideways scrolling at both widths."""
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        check_page(page, status)
        assert_reflows(page)


def test_a_progress_review_is_recorded_and_answered(
        page: Page, sign_in: Callable[..., Page], session: Any, team: Any,
        make_user: Callable[..., Any]) -> None:
    reviewer = make_user("edsup@example.nhs.uk", roles=("supervisor",), full_name="Eda Educational",
                         totp_secret=team.secret)
    session.add(SupervisorAssignment(enrolment_id=team.enrolment.id, supervisor_id=reviewer.id,
                                     kind="educational", starts_on=dt.date(2026, 1, 5)))
    session.commit()

    page.set_viewport_size(PHONE)
    sign_in(reviewer.email, totp_secret=team.secret)
    _both_widths(page)  # their home page: the candidate, nothing waiting on them
    visit(page, "/supervision")
    expect(page.get_by_text("Nothing to sign: you review progress")).to_be_visible()
    _both_widths(page)
    page.set_viewport_size(PHONE)
    click_and_check(page.get_by_role("link", name="Jo Candidate"))
    _both_widths(page)
    page.set_viewport_size(PHONE)
    click_and_check(page.get_by_role("link", name="1. ", exact=False).first)
    expect(page.get_by_role("heading", name="The supervisor's rating")).to_be_visible()
    _both_widths(page)
    page.set_viewport_size(PHONE)
    page.go_back()
    click_and_check(page.get_by_role("link", name="Record a progress review"))
    _both_widths(page)
    page.set_viewport_size(PHONE)
    click_and_check(page.get_by_role("button", name="Record the review"), status=400)
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    _both_widths(page, 400)
    groups = page.locator("fieldset").filter(has=page.get_by_label("On track", exact=True))
    for index in range(groups.count()):  # each heading's progress, not the date's three boxes
        groups.nth(index).get_by_label("On track", exact=True).check()
    groups.first.get_by_label("Some concerns", exact=True).check()
    page.get_by_label("Concerns (optional)").fill("Few CBDs on this heading so far.")
    page.get_by_label("Actions agreed with the candidate (optional)").fill("Two CBDs by May.")
    click_and_check(page.get_by_role("button", name="Record the review"))
    expect(page.get_by_text("Your progress review is recorded.")).to_be_visible()
    expect(page.get_by_text("The candidate has not responded yet.")).to_be_visible()
    _both_widths(page)

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    sign_in(team.candidate.email)
    visit(page, "/portfolio/readers")
    expect(page.get_by_text("Educational supervisor")).to_be_visible()
    _both_widths(page)
    visit(page, "/portfolio/")
    _both_widths(page)
    page.set_viewport_size(PHONE)
    click_and_check(page.get_by_role("link", name="Progress reviews"))
    _both_widths(page)
    page.set_viewport_size(PHONE)
    click_and_check(page.get_by_role("link", name="Review of", exact=False))
    expect(page.get_by_text("Few CBDs on this heading so far.")).to_be_visible()
    _both_widths(page)
    page.set_viewport_size(PHONE)
    page.get_by_label("Your response").fill("Agreed. I will book two CBDs, one on Mrs Hill's knee.")
    click_and_check(page.get_by_role("button", name="Send your response"), status=400)
    expect(page.get_by_text("This may identify a patient", exact=False).first).to_be_visible()
    _both_widths(page, 400)  # a patient's title and name: the candidate is asked to look again
    page.get_by_label("I have checked what I wrote and none of it identifies a patient").check()
    click_and_check(page.get_by_role("button", name="Send your response"))
    expect(page.get_by_text("Your response is saved.")).to_be_visible()
    expect(page.get_by_role("button", name="Send your response")).to_have_count(0)
    _both_widths(page)


def test_the_hub_lead_assigns_an_educational_supervisor(
        page: Page, sign_in: Callable[..., Page], session: Any, team: Any,
        make_user: Callable[..., Any]) -> None:
    hub_id = session.scalar(sa.select(Cohort.hub_id).where(Cohort.id == team.enrolment.cohort_id))
    lead = make_user("lead@example.nhs.uk", roles=("hub_lead",), full_name="Lee Lead",
                     hub_id=hub_id, totp_secret=team.secret)
    make_user("eda@example.nhs.uk", roles=("supervisor",), full_name="Eda Educational")
    page.set_viewport_size(PHONE)
    sign_in(lead.email, totp_secret=team.secret)
    visit(page, f"/enrolments/{team.enrolment.id}/supervisors")
    _both_widths(page)
    page.set_viewport_size(PHONE)
    chosen = page.get_by_label("Educational supervisor", exact=True)
    chosen.select_option(label="Dr Primary")
    click_and_check(page.get_by_role("button", name="Assign educational supervisor"), status=400)
    expect(page.get_by_text("the educational supervisor must be someone else").first).to_be_visible()
    _both_widths(page, 400)
    page.set_viewport_size(PHONE)
    page.get_by_label("Educational supervisor", exact=True).select_option(label="Eda Educational")
    click_and_check(page.get_by_role("button", name="Assign educational supervisor"))
    expect(page.get_by_text("Eda Educational is now the educational supervisor of Jo Candidate."))\
        .to_be_visible()
    expect(page.get_by_text("Eda Educational, since", exact=False)).to_be_visible()
    _both_widths(page)

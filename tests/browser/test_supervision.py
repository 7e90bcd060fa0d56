"""A supervisor signs a WPBA; the backup signs Stage 2 for an absent primary, in Chromium."""
from __future__ import annotations

from typing import Any, Callable

import pytest
from playwright.sync_api import Page, expect


from .axe import check_page, click_and_check, visit


def _choose(page: Page, legend: str, option: str) -> None:
    """Pick a radio option inside the fieldset whose legend is given."""
    page.get_by_role("group", name=legend).get_by_label(option, exact=True).check()


def test_supervisor_assesses_and_signs_a_cot(page: Page, sign_in: Callable[..., Page],
                                              team: Any, make_item: Any) -> None:
    item = make_item("cot")
    item_title = item.title
    sign_in(team.primary.email, totp_secret=team.secret)
    visit(page, "/supervision")
    click_and_check(page.get_by_role("link", name=item_title))
    expect(page.get_by_role("heading", name="Your assessment")).to_be_visible()
    for fieldset in page.locator("fieldset").all():
        fieldset.get_by_label("C: Capable", exact=True).check()
    page.get_by_label("What went well", exact=False).first.fill("Clear, structured history.")
    page.get_by_label("What to develop", exact=False).first.fill("Explore the impact on work earlier.")
    click_and_check(page.get_by_role("button", name="Continue"))
    click_and_check(page.get_by_role("button", name="Sign as Dr Primary"))
    expect(page.get_by_text(f"You signed “{item_title}” on ")).to_be_visible()
    expect(page.get_by_role("heading", name="Recently signed by you")).to_be_visible()
    expect(page.get_by_text("primary supervisor")).to_be_visible()


# On version 1 the supervisor's sign-off completes Stage 2 at once; on version 2 it waits for
# the education provider (tests/browser/test_providers.py).
@pytest.mark.msk_v1
def test_backup_signs_stage2_acting_for_the_primary(page: Page, sign_in: Callable[..., Page],
                                                    ready_for_stage2: Any, session: Any) -> None:
    from roadmap.supervision import signoff

    team = ready_for_stage2
    signoff.candidate_sign(session, team.enrolment, "stage2", team.candidate, ["candidate_own_work"])
    session.commit()
    sign_in(team.backup.email, totp_secret=team.secret)
    visit(page, f"/supervision/candidates/{team.enrolment.id}")
    click_and_check(page.get_by_role("link", name="Stage 2", exact=False).first)
    page.get_by_label("I have reviewed the portfolio", exact=False).check()
    page.get_by_label("Why are you signing for the primary supervisor?").fill(
        "Dr Primary is on long-term leave")
    click_and_check(page.get_by_role("button", name="Continue"))
    click_and_check(page.get_by_role("button", name="Sign as Bea Backup"))
    expect(page.get_by_text("Verification code")).to_be_visible()
    signatures = page.locator("main li", has_text="Bea Backup")
    expect(signatures).to_contain_text("backup supervisor acting for the primary supervisor")
    expect(signatures).to_contain_text("Dr Primary is on long-term leave")
    check_page(page)

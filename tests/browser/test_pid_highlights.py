"""The patient-details prompt on the pages issue 22 highlighted last, in Chromium: a backup's
reason for signing a stage, a provider's referral reason and a progress review's agreed
actions, each holding an NHS number, show it highlighted with the box to confirm; each page
passes axe and does not scroll sideways at 390 and 1280 px. One test, few page loads: the
stage is signed past its prompt, which makes the round the provider's page judges."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from playwright.sync_api import Page, expect

from roadmap.supervision import signoff
from roadmap.supervision.models import SupervisorAssignment
from tests.fixtures.providers import CANDIDATE_DECLARATIONS, latest_round

from .axe import assert_reflows, check_page, click_and_check, visit

NUMBER = "943 476 5919"
CONFIRM = "I have checked what I wrote and none of it identifies a patient"


def _prompted(page: Page) -> None:
    """The refused page: the number highlighted, the box to confirm, at both widths."""
    expect(page.locator("mark.roadmap-pid").first).to_contain_text(NUMBER)
    expect(page.get_by_label(CONFIRM)).to_be_visible()
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        check_page(page, 400)
        assert_reflows(page)


def test_stage_referral_and_progress_review_prompts_show_the_highlight(
        page: Page, sign_in: Callable[..., Page], session: Any, reviewing: Any,
        make_user: Callable[..., Any]) -> None:
    team = reviewing.team
    signoff.candidate_sign(session, team.enrolment, "stage2", team.candidate,
                           CANDIDATE_DECLARATIONS)
    educational = make_user("edsup@example.nhs.uk", roles=("supervisor",),
                            full_name="Eda Educational", totp_secret=team.secret)
    session.add(SupervisorAssignment(enrolment_id=team.enrolment.id, supervisor_id=educational.id,
                                     kind="educational", starts_on=dt.date(2026, 1, 5)))
    session.commit()

    sign_in(team.backup.email, totp_secret=team.secret)
    visit(page, f"/stages/{team.enrolment.id}/stage2")
    page.get_by_label("I have reviewed the portfolio", exact=False).check()
    page.get_by_label("Why are you signing for the primary supervisor?").fill(
        f"Dr Primary is on leave after the complaint about {NUMBER}")
    click_and_check(page.get_by_role("button", name="Continue"), status=400)
    _prompted(page)
    page.get_by_label(CONFIRM).check()
    click_and_check(page.get_by_role("button", name="Continue"))
    click_and_check(page.get_by_role("button", name="Sign as Bea Backup"))

    page.context.clear_cookies()
    sign_in(reviewing.first.email, totp_secret=team.secret)
    session.rollback()
    visit(page, f"/provider/rounds/{latest_round(session, team).id}")
    page.get_by_label("Why are you referring it back?").fill(f"See the letter about {NUMBER}.")
    click_and_check(page.get_by_role("button", name="Continue to refer back"), status=400)
    _prompted(page)

    page.context.clear_cookies()
    sign_in(educational.email, totp_secret=team.secret)
    visit(page, f"/supervision/candidates/{team.enrolment.id}/progress-reviews/new")
    groups = page.locator("fieldset").filter(has=page.get_by_label("On track", exact=True))
    for index in range(groups.count()):
        groups.nth(index).get_by_label("On track", exact=True).check()
    page.get_by_label("Actions agreed with the candidate (optional)").fill(
        f"Two CBDs by May; not the patient {NUMBER} again.")
    click_and_check(page.get_by_role("button", name="Record the review"), status=400)
    _prompted(page)

"""A supervisor signs Stage 2 off past unmet guidance, giving a reason for each, in Chromium.

On a phone and on a desktop: the stage page with its reason fields, the errors beside them,
and where the stage waits afterwards, each page checked with axe and for sideways scrolling.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from playwright.sync_api import Page, expect

from roadmap.supervision import signoff
from roadmap.supervision.models import CapabilityRating, StageSignOff

from .axe import assert_reflows, check_page, click_and_check, visit

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _gates_only(session: Any, team: Any, make_item: Any) -> None:
    """Stage 1 done, every heading rated capable by both, the candidate has signed Stage 2."""
    session.add(StageSignOff(enrolment_id=team.enrolment.id, stage_code="stage1",
                             status="complete",
                             completed_at=dt.datetime(2026, 2, 1, tzinfo=dt.timezone.utc)))
    for capability in make_item.capabilities.values():
        for kind, person in (("self", team.candidate), ("supervisor", team.primary)):
            session.add(CapabilityRating(enrolment_id=team.enrolment.id,
                                         capability_id=capability.id, rater_kind=kind,
                                         rating="capable", rated_by_id=person.id))
    session.commit()
    make_item("cbd", status="submitted", headings=("1", "2"))
    signoff.candidate_sign(session, team.enrolment, "stage2", team.candidate,
                           ["candidate_own_work"])
    session.commit()


def test_supervisor_gives_a_reason_for_each_unmet_guidance_item(
        page: Page, sign_in: Callable[..., Page], session: Any, team: Any,
        make_item: Any) -> None:
    _gates_only(session, team, make_item)
    url = f"/stages/{team.enrolment.id}/stage2"
    sign_in(team.primary.email, totp_secret=team.secret)
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        visit(page, url)
        assert_reflows(page)
        expect(page.get_by_role("heading", name="Must be met")).to_be_visible()
        expect(page.get_by_role("group", name="Guidance not met: say why you sign off without it")
               ).to_be_visible()
    page.set_viewport_size(PHONE)
    page.get_by_label("I have reviewed the portfolio", exact=False).check()
    click_and_check(page.get_by_role("button", name="Continue"), status=400)
    assert_reflows(page)
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("There is a problem")
    reason = page.get_by_label("Multi-source feedback: a round with responses")
    expect(reason).to_have_attribute("aria-describedby", "reason-msf-hint reason-msf-error")
    expect(page.locator("#reason-msf-error")).to_contain_text("Say why you sign off")
    page.set_viewport_size(DESKTOP)
    check_page(page, status=400)
    assert_reflows(page)
    for field in page.locator("textarea[name^='reason-']").all():
        field.fill("Seen in practice; agreed with the employer.")
    page.get_by_label("I have reviewed the portfolio", exact=False).check()
    click_and_check(page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("heading", name="Check your sign-off before you sign")).to_be_visible()
    click_and_check(page.get_by_role("button", name="Sign as Dr Primary"))
    expect(page.get_by_text("Seen in practice; agreed with the employer.").first).to_be_visible()
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        check_page(page)
        assert_reflows(page)


def test_everyone_sees_where_stage_2_waits_on_a_phone_and_a_desktop(
        page: Page, sign_in: Callable[..., Page], session: Any, team: Any,
        make_user: Callable[..., Any]) -> None:
    from roadmap.cohorts.models import Cohort
    from tests.providers.approvals import approve, name_provider, provider, reviewer, stage_in

    north = provider(session, "Northern Education Provider")
    name_provider(session, team.enrolment, north)
    done = stage_in(session, team.enrolment, "stage1", "complete")
    approve(session, done, north, reviewer(session, make_user, north))
    stage_in(session, team.enrolment, "stage2", "supervisor_signed",
             signed_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=12))
    hub_id = session.get(Cohort, team.enrolment.cohort_id).hub_id
    make_user("lead@example.nhs.uk", roles=("hub_lead",), hub_id=hub_id, totp_secret=team.secret)
    waits = "Waiting for the education provider (Northern Education Provider) since"
    visits = {
        team.candidate.email: ["/home", f"/stages/{team.enrolment.id}/stage2",
                               f"/verify/{done.verification_code}"],
        team.primary.email: [f"/supervision/candidates/{team.enrolment.id}"],
        "lead@example.nhs.uk": [f"/cohorts/{team.enrolment.cohort_id}?risk=provider",
                                f"/hubs/{hub_id}"],
    }
    for email, paths in visits.items():
        page.context.clear_cookies()
        sign_in(email, totp_secret=team.secret)
        for path in paths:
            for size in (PHONE, DESKTOP):
                page.set_viewport_size(size)
                visit(page, path)
                assert_reflows(page)
            if "/verify/" in path:
                expect(page.get_by_text("Approved by the education provider")).to_be_visible()
            elif "/hubs/" not in path:
                expect(page.get_by_text(waits).first).to_be_visible()


LONG_WORD = "https://example.org/" + "unbroken" * 40  # one word far wider than a phone


def test_a_long_unbroken_reason_wraps_on_a_phone(page: Page, sign_in: Callable[..., Page],
                                                 session: Any, team: Any,
                                                 make_item: Any) -> None:
    _gates_only(session, team, make_item)
    url = f"/stages/{team.enrolment.id}/stage2"
    sign_in(team.primary.email, totp_secret=team.secret)
    page.set_viewport_size(PHONE)
    visit(page, url)
    for field in page.locator("textarea[name^='reason-']").all():
        field.fill(f"Agreed with the employer, see {LONG_WORD}")
    page.get_by_label("I have reviewed the portfolio", exact=False).check()
    click_and_check(page.get_by_role("button", name="Continue"))
    expect(page.get_by_text(LONG_WORD, exact=False).first).to_be_visible()
    assert_reflows(page)  # read back on the check page, wrapped
    click_and_check(page.get_by_role("button", name="Sign as Dr Primary"))
    expect(page.get_by_text(LONG_WORD, exact=False).first).to_be_visible()
    assert_reflows(page)

"""The candidate's "who can see your portfolio" pages, on a phone, in Chromium."""
from __future__ import annotations

from typing import Any, Callable

from playwright.sync_api import Page, expect

from roadmap import clock
from roadmap.readers import service as readers
from roadmap.readers.models import Opened
from roadmap.supervision import assignments, review
from tests.fixtures.msk import assessor_answers

from .axe import assert_reflows, click_and_check, visit


def test_candidate_sees_who_can_read_and_who_opened_what_on_a_phone(
        page: Page, sign_in: Callable[..., Page], session: Any, team: Any, make_item: Any,
        make_user: Callable[..., Any]) -> None:
    item = make_item("cbd", status="submitted", to=team.backup)
    review.sign_evidence(session, item.id, team.backup, assessor_answers(make_item, "cbd"),
                         item.lock_version, clock.today())
    newcomer = make_user("new@example.nhs.uk", roles=("supervisor",), full_name="Nia Newcomer")
    assignments.assign(session, team.enrolment, newcomer, "backup", clock.today(), None)
    session.commit()
    readers.record(session, team.primary, team.enrolment, Opened.ITEM, former=False,
                   evidence_id=item.id, label=item.title)  # the primary opened the item
    session.commit()

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(team.candidate.email)
    click_and_check(page.get_by_role("link", name="Who can see it"))
    assert_reflows(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Who can see your portfolio")
    expect(page.get_by_text("Nia Newcomer")).to_be_visible()
    expect(page.get_by_text("Only the items they signed themselves, as they signed them")).to_be_visible()
    click_and_check(page.get_by_role("link", name="Everything anyone else opened, and when"))
    assert_reflows(page)
    expect(page.get_by_role("link", name=item.title)).to_be_visible()
    visit(page, "/portfolio/readers/opened?page=2")

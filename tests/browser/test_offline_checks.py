"""The offline page's own checks and focus (issue 21 #5): a type with templates moves focus to
its first question as one without does; the definition's limits (the most words, a number for
hours) are checked on the device as the server will, beside the field, and nothing is kept."""
from __future__ import annotations

from typing import Any, Callable

from playwright.sync_api import Page, expect

from tests.portfolio.world import build_world

from .axe import assert_accessible, visit
from .test_offline import drafts_on_device, forget_offline_noise, installed


def test_offline_focus_and_limits(page: Page, session: Any, make_user: Callable[..., Any],
                                  sign_in: Callable[..., Page], page_problems: Any) -> None:
    world = build_world(session, make_user)
    sign_in(world.candidate.email)
    visit(page, "/portfolio/")
    installed(page, f"/offline/forms/{world.version.id}.json")
    page.context.set_offline(True)
    page.goto("/offline")
    page.get_by_role("button", name="New Reflection").click()
    expect(page.get_by_role("heading", name="Which kind of reflection?")).to_be_focused()

    page.get_by_role("button", name="New Learning log entry").click()
    expect(page.get_by_role("heading", name="New: Learning log entry")).to_be_focused()
    page.get_by_label("Title").fill("A course on tendons")
    page.get_by_label("Time spent (hours)").fill("two")
    page.get_by_role("button", name="Keep on this device").click()
    expect(page.locator("#answer_hours-error")).to_contain_text("Time spent (hours) must be a number")
    assert_accessible(page)
    page.get_by_label("Time spent (hours)").fill("250")
    page.get_by_role("button", name="Keep on this device").click()
    expect(page.locator("#answer_hours-error")).to_contain_text("must be between 0 and 100")
    assert drafts_on_device(page) == []

    page.get_by_role("button", name="New Case-based discussion (CBD)").click()
    page.get_by_label("Title").fill("Hip pain")
    page.get_by_label("Summary of the case").fill("word " * 151)
    page.get_by_role("button", name="Keep on this device").click()
    expect(page.locator("#answer_case_summary-error")).to_contain_text("must be 150 words or fewer")
    assert drafts_on_device(page) == []
    page.get_by_label("Summary of the case").fill("word " * 150)
    page.get_by_role("button", name="Keep on this device").click()
    expect(page.get_by_text('"Hip pain" is kept on this device.')).to_be_visible()
    page.context.set_offline(False)
    forget_offline_noise(page_problems)

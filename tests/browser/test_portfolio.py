"""The candidate's portfolio in Chromium: create, tag, attach, save a draft, submit; the matrix updates."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import pytest
from playwright.sync_api import Page, expect

from roadmap.portfolio.models import Evidence
from tests.fixtures import documents
from tests.portfolio.world import build_world

from .axe import click_and_check, visit
from .looks import look


def matrix_row(page: Page, code: str) -> Any:
    return page.locator(f'#matrix tr[data-capability="{code}"]')


def test_candidate_records_a_cbd_and_the_matrix_updates(page: Page, session: Any,
                                                        make_user: Callable[..., Any],
                                                        sign_in: Callable[..., Page],
                                                        tmp_path: Any, app: Any) -> None:
    app.config["ATTACHMENT_DIR"] = str(tmp_path / "files")
    world = build_world(session, make_user)
    sign_in(world.candidate.email)
    visit(page, "/portfolio/")
    expect(matrix_row(page, "4")).to_contain_text("0 of 3")
    expect(matrix_row(page, "4")).to_contain_text("None yet")

    click_and_check(page.get_by_role("link", name="Add evidence").first)
    click_and_check(page.get_by_role("link", name="Case-based discussion (CBD)"))
    page.get_by_label("Title").fill("Knee pain after a fall")
    day = page.get_by_role("group", name="Date", exact=True)
    for box, value in zip(("Day", "Month", "Year"), dt.date.today().strftime("%d %m %Y").split()):
        day.get_by_label(box).fill(value)
    page.get_by_label("Summary of the case").fill(
        "Knee pain and swelling after a twisting fall. I applied the **Ottawa** knee rules.")
    page.get_by_role("group", name="Complexity").get_by_label("Medium").check()
    page.get_by_label("4. Physical assessment").check()
    click_and_check(page.get_by_role("button", name="Save draft"))
    expect(page.get_by_text("Your draft is saved.")).to_be_visible()
    expect(page.locator("strong", has_text="Ottawa")).to_be_visible()  # Markdown, rendered

    fake = tmp_path / "photo.png"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n but not an image")
    page.get_by_label("Attach a file").set_input_files(str(fake))
    click_and_check(page.get_by_role("button", name="Attach file"), status=400)
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("not a PNG image")
    expect(page.locator("#file-error")).to_contain_text("not a PNG image")

    pdf = tmp_path / "notes.pdf"
    pdf.write_bytes(documents.pdf("Notes from the shoulder clinic teaching session"))
    for name in ("notes.pdf", "wrong.pdf"):
        pdf = pdf.rename(tmp_path / name)
        page.get_by_label("Attach a file").set_input_files(str(pdf))
        click_and_check(page.get_by_role("button", name="Attach file"))
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    click_and_check(page.get_by_role("link", name="Remove wrong.pdf"))
    click_and_check(page.get_by_role("button", name="Remove the file"))
    expect(page.get_by_text("wrong.pdf was removed.")).to_be_visible()
    expect(page.get_by_role("link", name="notes.pdf", exact=True)).to_be_visible()

    visit(page, "/portfolio/")
    expect(matrix_row(page, "4")).to_contain_text("0 of 3")  # a draft does not count yet

    visit(page, "/portfolio/evidence")
    click_and_check(page.get_by_role("link", name="Knee pain after a fall"))
    click_and_check(page.get_by_role("link", name="Submit to a supervisor"))
    expect(page.get_by_label(f"{world.primary.full_name} (primary supervisor)")).to_be_checked()
    click_and_check(page.get_by_role("button", name="Submit"))
    expect(page.get_by_text(f"Submitted to {world.primary.full_name}. They have been sent an email.")).to_be_visible()

    visit(page, "/portfolio/")
    expect(matrix_row(page, "4")).to_contain_text("1 of 3")
    expect(matrix_row(page, "4")).to_contain_text("Under way")
    expect(page.get_by_role("heading", name="Waiting on a supervisor")).to_be_visible()


def test_pid_findings_are_highlighted_before_submitting(page: Page, session: Any,
                                                        make_user: Callable[..., Any],
                                                        sign_in: Callable[..., Page]) -> None:
    world = build_world(session, make_user)
    sign_in(world.candidate.email)
    visit(page, "/portfolio/evidence/new/learning_log")
    page.get_by_label("Title").fill("A learning event")
    day = page.get_by_role("group", name="Date", exact=True)
    for box, value in zip(("Day", "Month", "Year"), dt.date.today().strftime("%d %m %Y").split()):
        day.get_by_label(box).fill(value)
    page.get_by_role("group", name="What prompted it?").get_by_label("A clinical case").check()
    page.get_by_label("What happened").fill("Mr Smith, NHS number 943 476 5919, attended.")
    page.get_by_label("What you learned").fill("To check red flags first.")
    page.get_by_label("1. Communication").check()
    click_and_check(page.get_by_role("button", name="Save and continue to submit"))
    expect(page.locator("mark.roadmap-pid")).to_have_count(2)
    click_and_check(page.get_by_role("button", name="Submit"))
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("confirm that none of it identifies")
    page.get_by_label("I have checked the highlighted text").check()
    click_and_check(page.get_by_role("button", name="Submit"))
    expect(page.get_by_text("They have been sent an email.")).to_be_visible()


def test_answers_are_saved_automatically_every_30_seconds(page: Page, session: Any,
                                                          make_user: Callable[..., Any],
                                                          sign_in: Callable[..., Page]) -> None:
    world = build_world(session, make_user)
    sign_in(world.candidate.email)
    page.clock.install()
    visit(page, "/portfolio/evidence/new/learning_log")
    page.get_by_label("Title").fill("Typed, never saved")
    page.get_by_label("What you learned").fill("Something worth keeping")
    # The status shows once the response's headers arrive; wait for its end too, or the next
    # page load would cut the response off mid-way.
    with page.expect_request_finished(lambda request: request.url.endswith("/portfolio/autosave")):
        page.clock.run_for(31_000)
    expect(page.locator("#autosave-status")).to_contain_text("Saved automatically")
    # The tab closes; opening the form again offers the answers back.
    visit(page, "/portfolio/evidence/new/learning_log")
    expect(page.get_by_label("Title")).to_have_value("Typed, never saved")
    expect(page.get_by_label("What you learned")).to_have_value("Something worth keeping")
    expect(page.get_by_text("We kept the answers you were typing automatically on")).to_be_visible()


LONG_TITLE = "Log " + "W" * 60  # a pasted identifier or a run of one key: one word, no spaces


@pytest.mark.parametrize("width", [390, 1280])
def test_a_title_with_no_spaces_wraps_in_the_evidence_list(page: Page, session: Any,
                                                           make_user: Callable[..., Any],
                                                           sign_in: Callable[..., Page],
                                                           width: int) -> None:
    """Issue 17 #3: a 60-character word in a title made the list 944px wide on a phone and
    1663px on a desktop, pushing Kind, Date and Status off the screen."""
    world = build_world(session, make_user, prefix=f"long{width}")
    kind = world.kind(session, "learning_log")
    session.add(Evidence(enrolment_id=world.enrolment.id, evidence_type_id=kind.id, title=LONG_TITLE,
                         fields={}, status="draft", created_by_id=world.candidate.id,
                         occurred_on=dt.date.today()))
    session.commit()
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(world.candidate.email)
    visit(page, "/portfolio/evidence")
    expect(page.get_by_role("link", name=LONG_TITLE)).to_be_visible()
    assert look(page, axe=False) == []

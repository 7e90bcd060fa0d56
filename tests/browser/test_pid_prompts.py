"""The patient-details prompts in Chromium: a supervisor's flagged feedback, a patient's flagged
PSQ comment and a flagged file name each show the highlighted text and the confirmation, pass
axe and do not scroll sideways at 320, 390 and 1280 px; confirming then goes through."""
from __future__ import annotations

import io
from typing import Any, Callable

import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import Page, expect

from roadmap.feedback.models import FeedbackResponse
from roadmap.portfolio.models import Attachment

from .axe import click_and_check, visit
from .looks import look_at_widths
from .test_feedback import RATINGS, _psq_link

NAMED = "Safety-netted well; the patient, NHS number 943 476 5919, understood the plan."
WIDTHS = {320: True, 390: False, 1280: True}


def _looks_right(page: Page) -> None:
    """The highlighted text and its box are there, and the page reads at every width."""
    expect(page.locator("mark.roadmap-pid").first).to_contain_text("943 476 5919")
    problems = look_at_widths(page, WIDTHS, 900)
    assert not any(problems.values()), problems
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_supervisors_flagged_feedback_then_confirmed(page: Page, sign_in: Callable[..., Page],
                                                       team: Any, make_item: Any) -> None:
    item = make_item("cot")
    sign_in(team.primary.email, totp_secret=team.secret)
    visit(page, f"/supervision/items/{item.id}")
    for fieldset in page.locator("fieldset").all():
        fieldset.get_by_label("C: Capable", exact=True).check()
    page.get_by_label("What went well", exact=False).first.fill(NAMED)
    page.get_by_label("What to develop", exact=False).first.fill("Explore the impact on work.")
    click_and_check(page.get_by_role("button", name="Continue"), status=400)
    _looks_right(page)
    page.get_by_label("none of it identifies a patient", exact=False).first.check()
    click_and_check(page.get_by_role("button", name="Continue"))
    click_and_check(page.get_by_role("button", name="Sign as Dr Primary"))
    expect(page.get_by_text(f"You signed “{item.title}” on ")).to_be_visible()


def test_a_patients_flagged_comment_then_confirmed(page: Page, app: Any, session: Any, team: Any,
                                                   make_item: Any) -> None:
    path = _psq_link(app, session, team, make_item)
    visit(page, path)
    page.get_by_role("group", name="How was your appointment?").get_by_label("Face to face").check()
    for legend in RATINGS:
        page.get_by_role("group", name=legend).get_by_label("Very good", exact=True).check()
    page.get_by_label("Anything else you would like to say").fill(NAMED)
    click_and_check(page.get_by_role("button", name="Send my answers"), status=400)
    # The patient is asked about themselves, not about "the patient" (issue 22).
    expect(page.get_by_text("This could show who you are, or who another patient is").first) \
        .to_be_visible()
    _looks_right(page)
    page.get_by_label("it does not include my name or anything that could identify me",
                      exact=False).check()
    click_and_check(page.get_by_role("button", name="Send my answers"))
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    session.rollback()
    assert session.scalar(sa.select(FeedbackResponse.answers))["comments"] == NAMED


def test_a_flagged_file_name_then_confirmed(page: Page, sign_in: Callable[..., Page], session: Any,
                                            team: Any, make_item: Any, tmp_path: Any) -> None:
    item = make_item("cbd", status="draft")
    # One long word: the highlighted name must wrap on a phone, not scroll sideways.
    name = "Dischargesummaryfromthefractureclinicwithitsfollowupplan 943 476 5919.png"
    picture = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (6, 4), "navy").save(buffer, "PNG")
    picture.write_bytes(buffer.getvalue())
    sign_in(team.candidate.email)
    visit(page, f"/portfolio/evidence/{item.id}")
    page.locator("#file").set_input_files(str(picture))
    click_and_check(page.get_by_role("button", name="Attach file"), status=400)
    _looks_right(page)
    page.locator("#file").set_input_files(str(picture))
    page.get_by_label("it identifies no patient", exact=False).check()
    click_and_check(page.get_by_role("button", name="Attach file"))
    session.rollback()
    assert session.scalar(sa.select(Attachment.filename)) == name


def test_a_pdf_with_an_nhs_number_inside_then_confirmed(page: Page, sign_in: Callable[..., Page],
                                                         session: Any, team: Any,
                                                         make_item: Any, tmp_path: Any) -> None:
    """Issue 22: what was found inside the file is listed, masked, with the box; the page reads
    at every width and passes axe; confirming (and choosing the file again) attaches it."""
    from tests.fixtures.documents import pdf
    item = make_item("cbd", status="draft")
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(pdf("Clinic letter", "Seen in clinic. " + NAMED))
    sign_in(team.candidate.email)
    visit(page, f"/portfolio/evidence/{item.id}")
    page.locator("#file").set_input_files(str(letter))
    click_and_check(page.get_by_role("button", name="Attach file"), status=400)
    expect(page.locator("#file-pid-found")).to_contain_text("NHS number, page 2")
    expect(page.locator("#file-pid-found")).to_contain_text("9•• 4•• 5•••")
    expect(page.locator("#file-pid-found")).not_to_contain_text("943 476 5919")
    problems = look_at_widths(page, WIDTHS, 900)
    assert not any(problems.values()), problems
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#file").set_input_files(str(letter))
    page.get_by_label("nothing in it identifies a patient", exact=False).check()
    click_and_check(page.get_by_role("button", name="Attach file"))
    session.rollback()
    assert session.scalar(sa.select(Attachment.filename)) == "letter.pdf"


def test_a_flagged_self_rating_justification_then_confirmed(
        page: Page, sign_in: Callable[..., Page], session: Any, team: Any) -> None:
    from roadmap.framework.models import Capability
    from roadmap.supervision.models import CapabilityRating
    capability = session.scalars(sa.select(Capability).where(
        Capability.framework_version_id == team.enrolment.framework_version_id)
        .order_by(Capability.position)).first()
    sign_in(team.candidate.email)
    visit(page, f"/portfolio/headings/{capability.id}")
    page.get_by_role("group", name="Your rating").get_by_role("radio").first.check()
    page.get_by_label("Why you chose this rating").fill(NAMED)
    click_and_check(page.get_by_role("button", name="Save rating"))
    _looks_right(page)
    page.get_by_label("none of it identifies a patient", exact=False).check()
    click_and_check(page.get_by_role("button", name="Save rating"))
    session.rollback()
    assert session.scalar(sa.select(CapabilityRating.justification)) == NAMED

"""PSQ on a phone, an MSF round, an external assessment and its dispute; every page passes axe."""
from __future__ import annotations

import re
from typing import Any, Callable

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from roadmap.feedback import links, rounds
from roadmap.feedback.models import FeedbackRater, FeedbackResponse

from .axe import assert_reflows, click_and_check, visit

PHONE = {"width": 390, "height": 844}
RATINGS = ("Making you feel welcome and at ease", "Listening to you",
           "Explaining your problem clearly", "Involving you in decisions about your care",
           "Giving you confidence in the plan", "Making clear what happens next",
           "Telling you what to do if things get worse", "Treating you with respect and dignity",
           "How far you trust this practitioner")


def _psq_link(app: Any, session: Any, team: Any, make_item: Any) -> str:
    item = make_item("psq", status="draft")
    with app.app_context():
        record = rounds.open_round(session, item, team.candidate)
        session.commit()
        return "/feedback/patient/" + links.derived_token(app.config["SECRET_KEY"], record.link_nonce)


def test_patient_answers_the_psq_on_a_phone(page: Page, app: Any, session: Any, team: Any,
                                            make_item: Any) -> None:
    path = _psq_link(app, session, team, make_item)
    page.set_viewport_size(PHONE)
    visit(page, path)
    assert_reflows(page)
    expect(page.get_by_role("heading", name="Your appointment with Jo Candidate")).to_be_visible()
    click_and_check(page.get_by_role("button", name="Send my answers"), status=400)
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_reflows(page)
    page.get_by_role("group", name="How was your appointment?").get_by_label("Face to face").check()
    for legend in RATINGS:
        page.get_by_role("group", name=legend).get_by_label("Very good", exact=True).check()
    page.get_by_label("Anything else you would like to say").fill("Very kind and clear.")
    click_and_check(page.get_by_role("button", name="Send my answers"))
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert_reflows(page)
    session.rollback()
    (response,) = session.scalars(sa.select(FeedbackResponse)).all()
    assert response.respondent_group == "patient" and response.answers["trust"] == "very_good"


def test_candidate_starts_an_msf_round_and_a_colleague_answers(
        page: Page, sign_in: Callable[..., Page], app: Any, session: Any, team: Any,
        make_item: Any, monkeypatch: Any) -> None:
    item = make_item("msf", status="draft")
    sent: list[str] = []
    monkeypatch.setattr(links, "new_token", lambda: sent.append(f"tok{len(sent)}x" * 4) or sent[-1])
    sign_in(team.candidate.email)
    visit(page, f"/feedback/rounds/{item.id}")
    click_and_check(page.get_by_role("button", name="Start collecting feedback"))
    page.get_by_label("Full name").fill("Pat Nurse")
    page.get_by_label("Work email address").fill("pat.nurse@example.nhs.uk")
    page.get_by_label("Role").fill("Practice nurse")
    page.get_by_role("radio", name=re.compile("^Clinical")).check()
    click_and_check(page.get_by_role("button", name="Email them a link"))
    expect(page.get_by_text("We emailed Pat Nurse their link.")).to_be_visible()
    page.set_viewport_size(PHONE)
    visit(page, f"/feedback/colleague/{sent[-1]}")
    assert_reflows(page)
    page.get_by_role("group", name="Professional behaviour").get_by_label(
        "Above what I expect").check()
    click_and_check(page.get_by_role("button", name="Send my answers"))
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    visit(page, f"/feedback/colleague/{sent[-1]}", status=410)
    expect(page.get_by_text("already been used")).to_be_visible()
    session.rollback()
    assert session.scalar(sa.select(FeedbackRater.responded)) is True


def test_psq_poster_and_an_assessment_by_ticket_then_disputed(
        page: Page, sign_in: Callable[..., Page], session: Any, team: Any, make_item: Any,
        monkeypatch: Any) -> None:
    psq = make_item("psq", status="draft")
    cot = make_item("cot", status="draft")
    cot_id, cot_title = cot.id, cot.title
    sent: list[str] = []
    monkeypatch.setattr(links, "new_token", lambda: sent.append(f"tick{len(sent)}y" * 4) or sent[-1])
    sign_in(team.candidate.email)
    visit(page, f"/feedback/rounds/{psq.id}")
    click_and_check(page.get_by_role("button", name="Start collecting feedback"))
    click_and_check(page.get_by_role("link", name="Open the poster", exact=False))
    expect(page.get_by_role("img", name="QR code that opens the questionnaire")).to_be_visible()
    visit(page, f"/feedback/items/{cot_id}/assessor")
    page.get_by_label("Assessor's full name").fill("Dr Ext")
    page.get_by_label("Assessor's work email address").fill("ext@example.nhs.uk")
    click_and_check(page.get_by_role("button", name="Email them the link"))
    page.context.clear_cookies()
    visit(page, f"/feedback/assess/{sent[-1]}")
    expect(page.get_by_role("heading", name="Assess Jo Candidate")).to_be_visible()
    rated = page.locator("fieldset", has=page.get_by_label("C: Capable", exact=True))
    for fieldset in rated.all():
        fieldset.get_by_label("C: Capable", exact=True).check()
    page.get_by_label("What went well").fill("Clear, structured history.")
    page.get_by_label("What to develop").fill("Safety-net earlier.")
    page.get_by_label("Your job title or role").fill("GP partner")
    click_and_check(page.get_by_role("button", name="Continue"), status=400)
    expect(page.get_by_role("link", name="Choose your professional regulator")).to_be_visible()
    page.get_by_role("radio", name=re.compile("^GMC")).check()
    page.get_by_label("Your registration number").fill("7654321")
    click_and_check(page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("heading", name="Check your assessment before you sign")).to_be_visible()
    page.get_by_role("checkbox", name=re.compile("I am not Jo Candidate")).check()
    click_and_check(page.get_by_role("button", name="Sign as Dr Ext"))
    expect(page.get_by_role("heading", name="Assessment signed")).to_be_visible()
    expect(page.get_by_text(cot_title, exact=False)).to_be_visible()
    visit(page, f"/feedback/assess/{sent[-1]}", status=410)
    # The primary supervisor finds it in their inbox, reads who signed, and disputes it.
    page.context.clear_cookies()
    sign_in(team.primary.email, totp_secret=team.secret)
    visit(page, "/supervision")
    expect(page.get_by_role("heading", name=re.compile("Signed by an external assessor"))).to_be_visible()
    click_and_check(page.get_by_role("link", name=cot_title))
    expect(page.get_by_text("GMC 7654321")).to_be_visible()
    click_and_check(page.get_by_role("button", name="Dispute this signature"), status=400)
    expect(page.get_by_role("link", name="Say why, for the candidate and the record")).to_be_visible()
    page.get_by_label("Why do you dispute it?").fill("Not registered with the GMC.")
    click_and_check(page.get_by_role("button", name="Dispute this signature"))
    expect(page.get_by_text("You disputed the signature.", exact=False)).to_be_visible()
    expect(page.get_by_text("Disputed", exact=True)).to_be_visible()

"""The assessor's page on the candidate's phone, opened online, signed after the connection went:
the answers are kept on the device and sent when it comes back (one assessment); opened with no
connection, the assessor's address shows only "hand the phone back", never the drafts."""
from __future__ import annotations

import re
from typing import Any, Callable

import sqlalchemy as sa
from flask import url_for
from playwright.sync_api import Page, expect

from roadmap.feedback.models import AssessmentTicket

from .axe import assert_accessible, visit
from .test_offline import drafts_on_device, forget_offline_noise

WAITING = "Waiting to sync: the confirmation email goes when you are back online."


def _fill(page: Page) -> None:
    for fieldset in page.locator("fieldset", has=page.get_by_label("C: Capable", exact=True)).all():
        fieldset.get_by_label("C: Capable", exact=True).check()
    page.get_by_label("What went well").fill("Clear, structured history.")
    page.get_by_label("What to develop").fill("Safety-net earlier.")
    page.get_by_label("Your full name").fill("Dr On Spot")
    page.get_by_label("Your job title or role").fill("GP partner")
    page.get_by_role("radio", name=re.compile("^GMC")).check()
    page.get_by_label("Your registration number").fill("7654321")
    page.get_by_label("Your work email address").fill("on.spot@nhs.net")
    page.get_by_role("checkbox", name=re.compile("I am not Jo Candidate")).check()


def test_signed_after_the_connection_went_is_kept_then_sent(
        page: Page, sign_in: Callable[..., Page], session: Any, team: Any, make_item: Any,
        page_problems: Any, app: Any) -> None:
    cot_id = make_item("cot", status="draft").id
    sign_in(team.candidate.email)
    visit(page, f"/feedback/items/{cot_id}/on-device")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => caches.keys().then(names => Promise.all(names.map(n => "
                           "caches.open(n).then(c => c.match('/offline'))))).then(f => f.some(Boolean))")
    assess = f"/feedback/items/{cot_id}/on-device/assess"
    visit(page, assess)
    _fill(page)
    page.context.set_offline(True)
    page.get_by_role("button", name="Sign as the assessor").click()
    expect(page.get_by_text(WAITING)).to_be_visible()
    assert_accessible(page)
    (kept,) = drafts_on_device(page)
    part = kept["assessment"]
    assert kept["evidenceId"] == str(cot_id) and kept["itemSynced"] and part["key"]
    assert part["assessor"]["name"] == "Dr On Spot" and part["lockVersion"] == kept["lockVersion"]
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(AssessmentTicket)) == 0

    page.context.set_offline(False)  # the page sends it, then hands the phone back
    expect(page.get_by_role("heading", name=re.compile("Signed: now hand the phone back"))).to_be_visible()
    assert drafts_on_device(page) == []
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(AssessmentTicket)) == 1

    # A draft of the candidate's is on the device; the assessor opens an address offline.
    with app.test_request_context():
        script = url_for("static", filename="drafts.js")
    page.evaluate("""async (script) => (await import(script)).put({id: "mine", typeCode: "cot",
        title: "My own draft", fields: [], state: "waiting"})""", script)
    page.context.set_offline(True)
    for address in (assess, "/portfolio/evidence"):
        page.goto(address)
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "You are offline: hand the phone back to the candidate")
        expect(page.get_by_role("button", name="Continue writing")).to_have_count(0)
        expect(page.get_by_text("Write a new draft")).to_have_count(0)
        expect(page.get_by_text("My own draft")).to_have_count(0)
    page.context.set_offline(False)
    forget_offline_noise(page_problems)

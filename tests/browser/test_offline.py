"""The installable app in Chromium with the network cut: drafts written offline are kept on the
device, found again after a reload, and saved to the portfolio when the connection returns; an
item changed elsewhere meanwhile shows both versions; sign-out clears the device; the service
worker keeps nothing of anyone's."""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Callable

import pyotp
import pytest
import sqlalchemy as sa
from flask import url_for
from playwright.sync_api import Page, expect

from roadmap.feedback.models import AssessmentTicket
from roadmap.portfolio import service
from roadmap.framework.models import Capability, Outcome
from roadmap.portfolio.models import Attachment, Evidence, EvidenceCapability
from tests.portfolio.world import build_world

from .axe import assert_accessible, click_and_check, visit
from .looks import look_at_widths

NHS_NUMBER = "943 476 5919"  # a valid check digit: the device refuses to keep it
OFFLINE_NOISE = ("ERR_INTERNET_DISCONNECTED", "Failed to fetch")


def fits(page: Page) -> None:
    """No sideways scroll at 390 and 1280 px, and axe clean; back to the desktop size."""
    found = look_at_widths(page, {390: True, 1280: False}, 800)
    assert found == {390: [], 1280: []}, found


def installed(page: Page, forms_url: str) -> None:
    """After a first visit: the worker controls the page and keeps the shell and the forms."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    visit(page, "/portfolio/evidence")  # now controlled: the forms go through the worker
    page.wait_for_function(
        """url => caches.keys().then(names => Promise.all(names.map(n => caches.open(n)
             .then(c => c.match(url))))).then(found => found.some(Boolean))""", arg=forms_url)


def forget_offline_noise(page_problems: Any) -> None:
    """Requests that failed because the test cut the network are what it asked for."""
    page_problems.problems = [p for p in page_problems.problems
                              if not any(noise in p for noise in OFFLINE_NOISE)]


def drafts_on_device(page: Page) -> list[dict[str, Any]]:
    return page.evaluate("""() => new Promise(done => {
        const req = indexedDB.open("roadmap-drafts", 1);
        req.onupgradeneeded = () => req.result.createObjectStore("drafts", {keyPath: "id"});
        req.onsuccess = () => {
          const all = req.result.transaction("drafts").objectStore("drafts").getAll();
          all.onsuccess = () => { req.result.close(); done(all.result); };
        };
      })""")


def test_a_cbd_and_a_reflection_written_offline_reach_the_portfolio(
        page: Page, session: Any, make_user: Callable[..., Any], sign_in: Callable[..., Page],
        page_problems: Any) -> None:
    world = build_world(session, make_user)
    sign_in(world.candidate.email)
    visit(page, "/portfolio/")
    installed(page, f"/offline/forms/{world.version.id}.json")

    page.context.set_offline(True)
    page.goto("/")  # the app opened from the home screen, with no signal
    expect(page.get_by_role("heading", name="Drafts on this device")).to_be_visible()
    expect(page.get_by_text("You are offline.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="New Case-based discussion (CBD)").click()
    page.get_by_label("Title").fill("Knee pain in clinic")
    page.get_by_label("Summary of the case").fill(f"Knee pain after a fall, NHS number {NHS_NUMBER}.")
    page.get_by_role("group", name="Complexity").get_by_label("Medium").check()
    page.get_by_label("4. Physical assessment").check()
    page.get_by_role("button", name="Keep on this device").click()
    expect(page.locator("#answer_case_summary-error")).to_contain_text("may identify a patient (an NHS number)")
    assert_accessible(page)
    assert drafts_on_device(page) == []  # nothing kept with a patient's number in it
    page.get_by_label("Summary of the case").fill("Knee pain after a fall. I applied the Ottawa rules.")
    page.get_by_role("button", name="Keep on this device").click()
    expect(page.get_by_text('"Knee pain in clinic" is kept on this device.')).to_be_visible()

    page.get_by_role("button", name="New Reflection").click()
    page.get_by_label("Gibbs' reflective cycle").check()
    page.get_by_role("button", name="Continue", exact=True).click()
    page.get_by_label("Title").fill("A hard conversation")
    page.get_by_label("A clinical case").check()
    page.get_by_label("Description - what happened?").fill("I explained a scan result.")
    page.get_by_role("button", name="Keep on this device").click()
    expect(page.get_by_text("2 drafts are waiting to sync.")).to_be_visible()
    fits(page)

    page.reload()  # still offline: the page and both drafts come from the device
    expect(page.locator("[data-draft]")).to_have_count(2)
    expect(page.get_by_role("heading", name="Knee pain in clinic")).to_be_visible()
    expect(page.get_by_role("heading", name="A hard conversation")).to_be_visible()
    page.get_by_role("button", name="Continue writing").first.click()
    expect(page.get_by_label("Title")).to_have_value("A hard conversation")
    assert_accessible(page)

    page.context.set_offline(False)  # the online event syncs them
    expect(page.get_by_text("2 drafts were saved to your portfolio.")).to_be_visible()
    expect(page.get_by_text("No drafts are waiting to sync.")).to_be_visible()
    forget_offline_noise(page_problems)
    assert drafts_on_device(page) == []

    visit(page, "/portfolio/evidence")
    expect(page.get_by_role("link", name="Knee pain in clinic")).to_be_visible()
    expect(page.get_by_role("link", name="A hard conversation")).to_be_visible()
    session.expire_all()
    titles = session.scalars(sa.select(Evidence.title).where(
        Evidence.enrolment_id == world.enrolment.id)).all()
    assert sorted(titles) == ["A hard conversation", "Knee pain in clinic"]
    click_and_check(page.get_by_role("link", name="Knee pain in clinic"))
    expect(page.get_by_text("I applied the Ottawa rules.")).to_be_visible()


def test_a_sync_repeated_makes_one_item(page: Page, session: Any, make_user: Callable[..., Any],
                                        sign_in: Callable[..., Page], app: Any) -> None:
    world = build_world(session, make_user)
    sign_in(world.candidate.email)
    visit(page, "/offline")
    draft = {"id": "0b9d2c2e-8d7e-4a43-9a51-3f3f0c1f2a11", "typeCode": "learning_log",
             "url": "/portfolio/evidence/new/learning_log", "title": "Twice sent",
             "fields": [["title", "Twice sent"], ["answer_what_happened", "A course."]]}
    with app.test_request_context():
        script = url_for("static", filename="sync.js")
    ids = page.evaluate("""async ([script, draft]) => {
        const { syncDraft } = await import(script);
        return [await syncDraft(draft), await syncDraft(draft)];
      }""", [script, draft])
    assert ids[0]["state"] == ids[1]["state"] == "synced"
    assert ids[0]["evidenceId"] == ids[1]["evidenceId"]
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(Evidence).where(
        Evidence.title == "Twice sent")) == 1


@pytest.mark.parametrize("choice", ["Keep mine", "Keep theirs", "Copy mine and start from theirs"])
def test_an_edit_made_elsewhere_meanwhile_shows_both_versions(
        page: Page, session: Any, make_user: Callable[..., Any], sign_in: Callable[..., Page],
        page_problems: Any, choice: str) -> None:
    world = build_world(session, make_user)
    kind = world.kind(session, "cbd")
    evidence = service.create_evidence(
        session, world.enrolment, world.candidate, kind, None, "Shoulder review",
        dt.date.today(), {"case_summary": "First words.", "complexity": "medium"},
        service.Links((), {}))
    session.commit()
    sign_in(world.candidate.email)
    visit(page, "/portfolio/")
    installed(page, f"/offline/forms/{world.version.id}.json")
    visit(page, f"/portfolio/evidence/{evidence.id}/edit")

    page.context.set_offline(True)
    page.get_by_label("Title").fill("Shoulder review, written in clinic")
    page.get_by_label("Summary of the case").fill("Seen with her son, call him on 07700 900123.")
    page.get_by_role("button", name="Save draft").click()  # checked on the device first
    expect(page.locator("#answer_case_summary-device-error")).to_contain_text(
        "may identify a patient (a phone number)")
    assert_accessible(page)
    assert drafts_on_device(page) == []
    page.get_by_label("Summary of the case").fill("My words from the clinic.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name="Shoulder review, written in clinic")).to_be_visible()
    expect(page.get_by_text("1 draft is waiting to sync.")).to_be_visible()

    # Meanwhile, on another device:
    session.refresh(evidence)
    service.update_evidence(session, evidence, world.candidate, evidence.lock_version,
                            "Shoulder review, from the laptop", dt.date.today(),
                            {"case_summary": "Their words from the laptop.", "complexity": "high"},
                            service.Links((), {}))
    session.commit()

    page.context.set_offline(False)
    card = page.locator("[data-draft]")
    expect(card).to_contain_text("Changed elsewhere: choose which version to keep")
    expect(card).to_contain_text("My words from the clinic.")
    expect(card).to_contain_text("Their words from the laptop.")
    # Issue 21 #5: what differs is marked; what is the same is listed once, apart.
    expect(card.locator(".nhsuk-tag", has_text="Changed").first).to_be_visible()
    expect(card.locator("details")).to_contain_text("The same in both versions")
    forget_offline_noise(page_problems)
    fits(page)
    session.commit()  # a fresh read of what the server saved
    session.expire_all()
    assert session.get(Evidence, evidence.id).title == "Shoulder review, from the laptop"  # kept
    session.commit()

    page.get_by_role("button", name=choice).click()
    if choice == "Copy mine and start from theirs":
        expect(page.get_by_label("Title")).to_have_value("Shoulder review, from the laptop")
        expect(page.locator("#offline-form details")).to_contain_text("My words from the clinic.")
        assert_accessible(page)
        page.get_by_label("Summary of the case").fill("Their words from the laptop. And mine.")
        page.get_by_role("button", name="Keep on this device").click()
    if choice == "Keep theirs":
        expect(page.get_by_text("the portfolio keeps its version")).to_be_visible()
    else:
        expect(page.get_by_text("1 draft was saved to your portfolio.")).to_be_visible()
    assert drafts_on_device(page) == []
    session.commit()
    session.expire_all()
    saved = session.get(Evidence, evidence.id)
    assert (saved.title, saved.fields["case_summary"]) == {
        "Keep mine": ("Shoulder review, written in clinic", "My words from the clinic."),
        "Keep theirs": ("Shoulder review, from the laptop", "Their words from the laptop."),
        "Copy mine and start from theirs": ("Shoulder review, from the laptop",
                                            "Their words from the laptop. And mine."),
    }[choice]


def test_sign_out_warns_then_clears_the_device(
        page: Page, session: Any, make_user: Callable[..., Any], sign_in: Callable[..., Page],
        page_problems: Any) -> None:
    world = build_world(session, make_user)
    sign_in(world.candidate.email)
    visit(page, "/portfolio/")
    installed(page, f"/offline/forms/{world.version.id}.json")
    page.context.set_offline(True)
    page.goto("/offline")
    page.get_by_role("button", name="New Learning log entry").click()
    page.get_by_label("Title").fill("A course on tendons")
    page.get_by_role("button", name="Keep on this device").click()
    expect(page.get_by_text("1 draft is waiting to sync.")).to_be_visible()
    page.goto("about:blank")  # left before the connection returns: the draft is not synced yet
    page.context.set_offline(False)
    forget_offline_noise(page_problems)
    visit(page, "/portfolio/")
    expect(page.locator("#drafts-waiting")).to_contain_text("1 draft is kept on this device")
    fits(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#sign-out-warning")).to_contain_text("Signing out deletes them")
    fits(page)
    click_and_check(page.get_by_role("button", name="Sign out and delete them"))
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    assert drafts_on_device(page) == []
    assert page.evaluate("localStorage.length") == 0
    # The worker may keep the shell again for the sign-in page; never the forms, nor a page.
    kept = page.evaluate("""async () => (await Promise.all((await caches.keys()).map(async n =>
        (await (await caches.open(n)).keys()).map(r => new URL(r.url).pathname)))).flat()""")
    assert not [url for url in kept if url.startswith("/offline/forms") or url.startswith("/portfolio")]


def test_the_worker_keeps_nobody_s_data(page: Page, session: Any, make_user: Callable[..., Any],
                                       sign_in: Callable[..., Page], live_server: str) -> None:
    first = build_world(session, make_user, prefix="a-")
    second = build_world(session, make_user, prefix="b-")
    people = [first.candidate, second.candidate, first.primary, second.primary]
    for world in (first, second):
        sign_in(world.candidate.email)
        visit(page, "/portfolio/")
        installed(page, f"/offline/forms/{world.version.id}.json")
        for path in ("/portfolio/evidence", "/portfolio/evidence/new", "/account", "/"):
            visit(page, path)
        kept = page.evaluate("""async () => {
            const found = [];
            for (const name of await caches.keys()) {
              const cache = await caches.open(name);
              for (const request of await cache.keys()) {
                const response = await cache.match(request);
                found.push({url: request.url, type: response.headers.get("Content-Type") || "",
                            cache: response.headers.get("Cache-Control") || "",
                            body: /image/.test(response.headers.get("Content-Type")) ? ""
                                  : await response.text()});
              }
            }
            return found;
          }""")
        urls = {k["url"].removeprefix(live_server) for k in kept}
        assert "/offline" in urls and f"/offline/forms/{world.version.id}.json" in urls
        for entry in kept:
            assert "no-store" not in entry["cache"], entry["url"]
            if "javascript" not in entry["type"] and "css" not in entry["type"]:
                assert "csrf_token" not in entry["body"], entry["url"]  # no form token
                assert "Sign out" not in entry["body"], entry["url"]  # no signed-in header
            for person in people:
                assert person.full_name not in entry["body"], (entry["url"], person.full_name)
                assert person.email not in entry["body"], (entry["url"], person.email)
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/sign-in")


def test_the_allow_list(page: Page, live_server: str) -> None:
    source = page.request.get(f"{live_server}/service-worker.js")
    assert source.headers["cache-control"] == "no-cache"
    visit(page, "/sign-in")
    allowed = page.evaluate("""source => {
        const self = {location: {origin: location.origin}, addEventListener() {}};
        const allowed = new Function("self", source + "; return allowed;")(self);
        return Object.fromEntries(["/offline", "/offline/forms/3.json",
          "/static/build/roadmap.0123456789ab.css", "/assets/nhsuk/x.0123456789ab.js",
          "/manifest.webmanifest", "/offline/icons/icon-192.png",
          "/portfolio/", "/portfolio/evidence/3", "/account", "/offline/forms/3.json?who=me",
          "/portfolio/evidence/3/attachments/1", "/static/build/roadmap.css", "/sign-in",
          "https://example.com/offline"].map(u => [u, allowed(new URL(u, location.origin).href)]));
      }""", source.text())
    assert [url for url, ok in allowed.items() if ok] == [
        "/offline", "/offline/forms/3.json", "/static/build/roadmap.0123456789ab.css",
        "/assets/nhsuk/x.0123456789ab.js", "/manifest.webmanifest", "/offline/icons/icon-192.png"]
    manifest = json.loads(page.request.get(f"{live_server}/manifest.webmanifest").text())
    assert manifest["display"] == "standalone" and manifest["start_url"]
    icon = page.request.get(f"{live_server}{manifest['icons'][0]['src']}")
    assert icon.headers["content-type"] == "image/png" and icon.body()[:4] == b"\x89PNG"


ASSESSOR_EMAIL = "on.spot@nhs.net"


def forget_refusals(page_problems: Any) -> None:
    """The assessor's part the test made the portfolio refuse (400, 409) is what it asked for."""
    page_problems.problems = [p for p in page_problems.problems if not (
        "on-device.json" in p or "status of 400" in p or "status of 409" in p)]


def test_the_assessor_signs_offline_and_confirms_after_the_sync(
        page: Page, session: Any, make_user: Callable[..., Any], sign_in: Callable[..., Page],
        page_problems: Any, mailbox: Any, app: Any) -> None:
    world = build_world(session, make_user)
    sign_in(world.candidate.email)
    visit(page, "/portfolio/")
    forms_url = f"/offline/forms/{world.version.id}.json"
    installed(page, forms_url)
    with app.test_request_context():
        fields_script = url_for("static", filename="fields.js")
    # A rating question offline shows each level's description under it, as the framework words it.
    hints = page.evaluate("""async ([script, url]) => {
        const { question } = await import(script);
        const forms = await (await fetch(url)).json();
        const spec = {code: "x", kind: "rating", scale: "capability", label: "A heading"};
        const node = question(spec, new URLSearchParams(), forms.scales);
        return [...node.querySelectorAll(".nhsuk-radios__hint")].map(n => n.textContent);
      }""", [fields_script, forms_url])
    assert hints[0] == "Not enough evidence yet to judge this heading." and len(hints) == 4
    page.context.set_offline(True)
    page.goto("/offline")
    page.get_by_role("button", name="New Case-based discussion (CBD)").click()
    page.get_by_label("Title").fill("Hip pain, assessed in clinic")
    page.get_by_label("Summary of the case").fill("Hip pain on walking. I examined and explained.")
    page.get_by_role("group", name="Complexity").get_by_label("Medium").check()
    page.get_by_label("4. Physical assessment").check()
    page.get_by_role("button", name="Keep on this device").click()

    page.get_by_role("button", name="Hand to your assessor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Assess the candidate's Case-based discussion (CBD)")
    expect(page.get_by_text("the candidate who handed you this phone").first).to_be_visible()
    expect(page.locator("#offline-drafts")).to_be_hidden()  # nothing else of the candidate's
    expect(page.get_by_text("Hip pain on walking. I examined and explained.")).to_be_visible()
    page.get_by_role("group", name="4. Physical assessment").get_by_label("C: Capable").check()
    page.get_by_label("The candidate's reasoning and judgement").fill(
        f"Sound reasoning; the patient's NHS number {NHS_NUMBER} was on the form.")
    page.get_by_role("group", name="Overall judgement").get_by_label("C: Capable").check()
    page.get_by_label("What to develop").fill("Safety-net earlier.")
    page.get_by_role("button", name="Sign as the assessor").click()
    expect(page.locator("#answer_reasoning-error")).to_contain_text("may identify a patient")
    expect(page.locator("#name-error")).to_contain_text("Enter your full name")
    fits(page)
    page.get_by_label("The candidate's reasoning and judgement").fill("Sound reasoning.")
    page.get_by_label("Your full name").fill("Dr On Spot")
    page.get_by_label("Your job title or role").fill("GP partner")
    page.get_by_role("radio", name=re.compile("^GMC")).check()
    page.get_by_label("Your registration number").fill("7654321")
    page.get_by_label("Your work email address").fill(world.candidate.email)  # refused at sync
    page.get_by_role("checkbox", name=re.compile("I am not the candidate who handed me")).check()
    page.get_by_role("button", name="Sign as the assessor").click()
    expect(page.get_by_role("heading", name="Thank you: hand the phone back")).to_be_visible()
    page.get_by_role("button", name="I am the candidate: back to my drafts").click()
    card = page.locator("[data-draft]")
    expect(card).to_contain_text("the assessor's confirmation email is sent when you are back online")
    assert_accessible(page)
    (kept,) = drafts_on_device(page)
    assert kept["assessment"]["assessor"]["name"] == "Dr On Spot" and kept["assessment"]["key"]

    page.context.set_offline(False)  # the item syncs; the assessor's address is refused
    expect(page.get_by_text("1 draft was saved to your portfolio.")).to_be_visible()
    expect(card).to_contain_text("This is Cara Candidate's own email address")
    forget_offline_noise(page_problems)
    forget_refusals(page_problems)
    fits(page)
    page.get_by_role("button", name="Hand the phone back to your assessor to fix it").click()
    expect(page.locator("#email-error")).to_contain_text("own email address")
    page.get_by_label("Your work email address").fill(ASSESSOR_EMAIL)
    page.get_by_role("checkbox", name=re.compile("I am not the candidate who handed me")).check()
    page.get_by_role("button", name="Sign as the assessor").click()
    (fixed,) = drafts_on_device(page)
    page.get_by_role("button", name="I am the candidate: back to my drafts").click()
    expect(page.get_by_text(f"we emailed {ASSESSOR_EMAIL} a link to confirm it")).to_be_visible()
    assert drafts_on_device(page) == []

    # A second sync of the same part (another tab, a retry) finds the first: one assessment.
    with app.test_request_context():
        script = url_for("static", filename="sync.js")
    again = page.evaluate("async ([script, draft]) => (await import(script)).syncAssessment(draft)",
                          [script, fixed])
    assert again["state"] == "sent"
    # Assessed against a version of the item that is not the latest: refused, explained, kept.
    with app.test_request_context():
        drafts_script = url_for("static", filename="drafts.js")
    stale = {**fixed, "assessment": {**fixed["assessment"], "key": "another-key", "lockVersion": 0}}
    page.evaluate("""async ([script, draft]) => {
        await (await import(script)).put(draft);
        window.dispatchEvent(new Event("online"));
      }""", [drafts_script, stale])
    expect(card).to_contain_text("The assessor's part was not sent: The item changed")
    expect(card).to_contain_text("they must assess it as it is now")
    assert_accessible(page)
    page.get_by_role("button", name="Delete the assessor's part").click()
    expect(page.get_by_text("The assessor's part was deleted from this device.")).to_be_visible()
    assert drafts_on_device(page) == []
    forget_refusals(page_problems)
    session.commit()
    item = session.scalar(sa.select(Evidence).where(Evidence.title == "Hip pain, assessed in clinic"))
    tickets = session.scalars(sa.select(AssessmentTicket).where(
        AssessmentTicket.evidence_id == item.id)).all()
    assert [(t.on_device, t.invited_email, t.used_at) for t in tickets] == [(True, ASSESSOR_EMAIL, None)]
    (message,) = mailbox.to(ASSESSOR_EMAIL)

    page.context.clear_cookies()  # the assessor, from their inbox on their own device
    visit(page, mailbox.link(message))
    expect(page.get_by_text("Dr On Spot", exact=True)).to_be_visible()
    click_and_check(page.get_by_role("button", name="Confirm my assessment"))
    expect(page.get_by_role("heading", name="Assessment signed")).to_be_visible()
    session.commit()
    session.expire_all()
    assert session.get(Evidence, item.id).status == "signed"

    secret = pyotp.random_base32()
    world.primary.totp_secret, world.primary.totp_confirmed_at = secret, dt.datetime.now(dt.timezone.utc)
    session.commit()
    sign_in(world.primary.email, totp_secret=secret)
    visit(page, f"/supervision/items/{item.id}")
    expect(page.get_by_text("On the candidate's device, then confirmed by the assessor")).to_be_visible()
    expect(page.get_by_text("Dr On Spot").first).to_be_visible()


def test_continue_writing_an_item_offline_keeps_its_outcome_and_files(
        page: Page, session: Any, make_user: Callable[..., Any], sign_in: Callable[..., Page],
        page_problems: Any) -> None:
    world = build_world(session, make_user)
    cap = session.scalar(sa.select(Capability).where(
        Capability.framework_version_id == world.version.id, Capability.code == "4"))
    outcome = Outcome(capability_id=cap.id, code="4.1", text="Examines the hip.", position=0)
    session.add(outcome)
    session.flush()
    evidence = service.create_evidence(
        session, world.enrolment, world.candidate, world.kind(session, "cbd"), None,
        "Hip review", dt.date.today(), {"case_summary": "First words.", "complexity": "low"},
        service.Links((cap.id,), {cap.id: outcome.id}))
    session.add(Attachment(evidence_id=evidence.id, filename="hip-notes.pdf",
                           media_type="application/pdf", size_bytes=10, sha256="0" * 64,
                           uploaded_by_id=world.candidate.id))
    session.commit()
    sign_in(world.candidate.email)
    visit(page, "/portfolio/")
    installed(page, f"/offline/forms/{world.version.id}.json")
    visit(page, f"/portfolio/evidence/{evidence.id}/edit")
    page.context.set_offline(True)
    page.get_by_label("Summary of the case").fill("Written in clinic.")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("button", name="Continue writing").click()
    expect(page.get_by_label("4. Physical assessment")).to_be_checked()
    expect(page.locator("#offline-files")).to_have_text(
        "Files are added once you are online. The files already attached to this item stay attached.")
    assert_accessible(page)
    page.get_by_label("Summary of the case").fill("Written in clinic, then continued.")
    page.get_by_role("button", name="Keep on this device").click()
    page.context.set_offline(False)
    expect(page.get_by_text("1 draft was saved to your portfolio.")).to_be_visible()
    forget_offline_noise(page_problems)
    session.commit()
    session.expire_all()
    saved = session.get(Evidence, evidence.id)
    assert saved.fields["case_summary"] == "Written in clinic, then continued."
    links = session.scalars(sa.select(EvidenceCapability).where(
        EvidenceCapability.evidence_id == evidence.id)).all()
    assert [(link.capability_id, link.outcome_id) for link in links] == [(cap.id, outcome.id)]
    assert session.scalars(sa.select(Attachment.filename).where(
        Attachment.evidence_id == evidence.id)).all() == ["hip-notes.pdf"]

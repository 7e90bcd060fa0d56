"""What candidates read: spoken to as "you", asked only what can be answered, shown enough to choose."""
from __future__ import annotations

import re

import sqlalchemy as sa

from roadmap import clock
from roadmap.framework.models import Capability
from roadmap.feedback.models import FeedbackRound
from roadmap.db import utcnow
from tests.feedback.helpers import open_round
from tests.fixtures.msk import TODAY

REFLECTION = "What the results tell you and what you will do"


def test_evidence_descriptions_speak_to_the_candidate(client, login, team):
    login(client, team.candidate)
    page = client.get("/portfolio/evidence/new").get_data(as_text=True)
    assert "You link up to three capability headings; your supervisor grades each of them." in page
    assert not re.search(r"[Tt]he candidate|rates themselves", page)


def test_an_msf_asks_for_no_reflection_until_its_results_are_released(
        client, login, session, team, make_item):
    login(client, team.candidate)
    new = client.get("/portfolio/evidence/new/msf").get_data(as_text=True)
    assert "Your self-assessment" in new and REFLECTION not in new
    # Nor its section: no heading, and no field the form does not hold (name="", unlabelled).
    assert "Your reflection on the results" not in new and 'name=""' not in new
    assert "once your supervisor has released them" in new
    item = make_item("msf", status="draft")
    item.fields = {**(item.fields or {}), "reflection": "Kept from before."}
    session.commit()
    open_round(client, item.id)
    before = client.get(f"/portfolio/evidence/{item.id}/edit").get_data(as_text=True)
    assert REFLECTION not in before
    round_ = session.query(FeedbackRound).filter_by(evidence_id=item.id).one()
    round_.released_at, round_.released_by_id = utcnow(), team.primary.id
    session.commit()
    after = client.get(f"/portfolio/evidence/{item.id}/edit").get_data(as_text=True)
    assert REFLECTION in after and "Kept from before." in after


def test_saving_before_the_results_keeps_any_reflection(client, login, session, team, make_item):
    """An answer the form did not ask is left as it was, never wiped by the save."""
    item = make_item("msf", status="draft")
    item.fields = {**(item.fields or {}), "reflection": "Kept from before."}
    session.commit()
    login(client, team.candidate)
    saved = client.post(f"/portfolio/evidence/{item.id}/edit", data={
        "title": "MSF autumn", "occurred_on": "2026-05-01", "action": "draft",
        "lock_version": str(item.lock_version), "form_token": "a-token-of-this-form",
        "answer_self_professional_behaviour": "meets",
        "answer_self_clinical_performance": "meets"})
    assert saved.status_code == 302, saved.data[:2000]
    session.refresh(item)
    assert item.title == "MSF autumn" and item.fields["reflection"] == "Kept from before."


def test_the_psq_page_shows_the_link_for_patients(client, login, team, make_item):
    item = make_item("psq", status="draft")
    login(client, team.candidate)
    open_round(client, item.id)
    page = client.get(f"/feedback/rounds/{item.id}").get_data(as_text=True)
    shown = re.search(r'<strong id="patient-link">([^<]+)</strong>', page)
    assert shown and "/feedback/patient/" in shown.group(1)
    poster = client.get(f"/feedback/rounds/{item.id}/poster").get_data(as_text=True)
    assert shown.group(1) in poster


def test_evidence_to_link_to_a_heading_shows_its_type_and_date(client, login, session, team,
                                                             make_item):
    """Three items called alike are told apart by their kind and date."""
    for _ in range(2):
        make_item("cbd", status="draft", headings=("2",))
    login(client, team.candidate)
    heading = session.scalar(sa.select(Capability.id).where(
        Capability.framework_version_id == team.version.id, Capability.code == "1"))
    page = client.get(f"/portfolio/headings/{heading}").get_data(as_text=True)
    block = page[page.index("Link more evidence to this heading"):]
    assert block.count(f"CBD, {clock.long_date(TODAY)}") == 2

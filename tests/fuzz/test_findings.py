"""What the fuzz test found, each pinned as a plain request a person could send by accident.

Every one of these was a server error (and some left a committed change behind it).
"""
from __future__ import annotations

import random

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from roadmap.accounts.models import User, UserRole
from roadmap.cohorts.models import Employer, Enrolment, TrainingHub
from roadmap.demo.evidence import sample_answers
from roadmap.feedback.models import AssessmentTicket, FeedbackRater
from roadmap.framework.models import Capability, EvidenceType, FrameworkVersion
from roadmap.portfolio.models import Evidence, EvidenceCapability
from roadmap.portfolio.ratings import linkable_evidence
from tests.fuzz.world import TICKET_TOKEN

# Addresses with an @ and no space (the only checks they met), which the mail header refuses.
UNSENDABLE = ["\xb8Lp\x96\xfc\xe9@", "ext\r\nBcc:someone@example.nhs.uk"]


def test_saving_a_hub_leads_roles_unchanged_keeps_them(player, fuzz_world, session):
    lead = fuzz_world.users["hub_lead"]
    response = player("admin").post(f"/people/{lead.id}/roles", data={
        "roles": "hub_lead", "hub_id": str(fuzz_world.hub_id)})
    assert response.status_code == 302
    session.rollback()
    grants = session.execute(sa.select(UserRole.role, UserRole.hub_id)
                             .where(UserRole.user_id == lead.id)).all()
    assert grants == [("hub_lead", fuzz_world.hub_id)]


@pytest.mark.parametrize("email", UNSENDABLE)
def test_an_assessor_address_mail_cannot_take_is_refused_beside_the_field(player, fuzz_world,
                                                                          session, email):
    tickets = sa.select(sa.func.count()).select_from(AssessmentTicket)
    before = session.scalar(tickets)
    response = player("candidate").post(f"/feedback/items/{fuzz_world.ticket_item_id}/assessor",
                                        data={"name": "Dr Ext", "email": email})
    assert response.status_code == 400
    assert "Enter a work email address" in response.get_data(as_text=True)
    session.rollback()
    assert session.scalar(tickets) == before


@pytest.mark.parametrize("email", UNSENDABLE)
def test_a_colleague_address_mail_cannot_take_is_refused_beside_the_field(player, session, email):
    msf = session.scalar(sa.select(Evidence).where(Evidence.title == "Fuzz MSF open"))
    response = player("candidate").post(f"/feedback/rounds/{msf.id}/raters", data={
        "name": "A Colleague", "email": email, "role": "Nurse", "group": "clinical"})
    assert response.status_code == 400
    assert "Enter a work email address" in response.get_data(as_text=True)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(FeedbackRater)
                          .where(FeedbackRater.evidence_id == msf.id)) == 1


def test_an_external_assessor_giving_an_address_mail_cannot_take_is_asked_again(
        player, fuzz_world, session):
    item = session.get(Evidence, fuzz_world.ticket_item_id)
    kind = session.get(EvidenceType, item.evidence_type_id)
    scales = {s["code"]: [lv["code"] for lv in s["levels"]] for s in
              session.get(FrameworkVersion, kind.framework_version_id).document["scales"]}
    answers = sample_answers(kind.definition, random.Random(1), 0, None, ["assessor"], scales,
                             item.occurred_on)
    form = [(f"answer_{code}", str(one)) for code, value in answers.items()
            for one in (value if isinstance(value, list) else [value]) if one is not None]
    form += [("name", "Dr Ext"), ("role", "GP"), ("registration", "GMC 1234567"),
             ("email", UNSENDABLE[1]), ("lock_version", str(item.lock_version))]
    response = player("anonymous").post(f"/feedback/assess/{TICKET_TOKEN}", data=MultiDict(form))
    assert response.status_code == 400
    assert "Enter your work email address" in response.get_data(as_text=True)
    session.rollback()
    assert session.get(Evidence, item.id).status == "draft"


def test_an_employer_named_beyond_ascii_can_be_added_twice(player, fuzz_world, session):
    admin = player("admin")
    for _ in range(2):
        response = admin.post(f"/hubs/{fuzz_world.hub_id}/employers", data={"name": "İstanbul Sağlık"})
        assert response.status_code == 302
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Employer)
                          .where(Employer.name == "İstanbul Sağlık")) == 1


def test_a_second_hub_with_the_same_name_beyond_ascii_is_refused_beside_the_field(player, session):
    admin = player("admin")
    assert admin.post("/hubs/new", data={"name": "İzmir hub"}).status_code == 302
    again = admin.post("/hubs/new", data={"name": "İzmir hub"})
    assert again.status_code == 200
    assert "A training hub with this name already exists" in again.get_data(as_text=True)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(TrainingHub)
                          .where(TrainingHub.name == "İzmir hub")) == 1


def test_a_supervisor_linking_an_item_id_no_page_offers_is_asked_to_choose(player, session):
    enrolment = session.scalar(sa.select(Enrolment).join(User, User.id == Enrolment.candidate_id)
                               .where(User.email == "candidate1@example.nhs.uk"))
    capability = session.scalar(sa.select(Capability).where(
        Capability.framework_version_id == enrolment.framework_version_id))
    page = f"/supervision/candidates/{enrolment.id}/headings/{capability.id}"
    for made_up in ("100000000000000000000000", "999999"):
        response = player("supervisor").post(page, data={"link-evidence_id": made_up})
        assert response.status_code == 200
        assert "Choose an item to link" in response.get_data(as_text=True)


def test_an_edit_carrying_a_version_beyond_any_is_treated_as_stale(player, fuzz_world, session):
    item = session.get(Evidence, fuzz_world.ticket_item_id)
    response = player("candidate").post(f"/portfolio/evidence/{item.id}/edit", data={
        "title": "Changed", "lock_version": "100000000000000000000000", "action": "draft"})
    assert response.status_code == 200
    assert "changed in another window" in response.get_data(as_text=True)
    session.rollback()
    assert session.get(Evidence, item.id).title == "Fuzz COT with a ticket"


def test_text_holding_a_nul_character_is_saved_without_it(player, fuzz_world, session):
    candidate = player("candidate")
    item = session.get(Evidence, fuzz_world.ticket_item_id)
    response = candidate.post(f"/portfolio/evidence/{item.id}/edit", data={
        "title": "Knee\x00 pain", "lock_version": str(item.lock_version), "action": "draft"})
    assert response.status_code == 302
    msf = session.scalar(sa.select(Evidence).where(Evidence.title == "Fuzz MSF open"))
    response = candidate.post(f"/feedback/rounds/{msf.id}/raters", data={
        "name": "A\x00 Colleague", "email": "colleague2@example.nhs.uk", "role": "Nurse",
        "group": "clinical"})
    assert response.status_code == 302
    assert player("admin").get("/people/?q=a\x00").status_code == 200
    session.rollback()
    assert session.get(Evidence, item.id).title == "Knee pain"
    assert session.scalar(sa.select(FeedbackRater.name).where(
        FeedbackRater.email == "colleague2@example.nhs.uk")) == "A Colleague"


def test_an_item_sent_twice_with_a_self_rating_is_linked_once(player, session):
    enrolment = session.scalar(sa.select(Enrolment).join(User, User.id == Enrolment.candidate_id)
                               .where(User.email == "candidate1@example.nhs.uk"))
    capability = session.scalar(sa.select(Capability).where(
        Capability.framework_version_id == enrolment.framework_version_id))
    _, linkable = linkable_evidence(session, enrolment, capability)
    item = linkable[0]
    response = player("candidate").post(f"/portfolio/headings/{capability.id}", data=MultiDict([
        ("rating", "capable"), ("justification", "Shown across my cases."),
        ("link", str(item.id)), ("link", str(item.id))]))
    assert response.status_code == 302
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(EvidenceCapability).where(
        EvidenceCapability.evidence_id == item.id,
        EvidenceCapability.capability_id == capability.id)) == 1

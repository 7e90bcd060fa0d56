"""Assessment by ticket: a colleague without an account assesses and signs one WPBA.

The link never goes to the candidate, to any account that is the candidate, to someone
training on the Roadmap, or outside the allowed work domains; and the rules hold again when
the link is used.
"""
from __future__ import annotations

import datetime as dt
import html

import pytest
import sqlalchemy as sa
from hypothesis import given, strategies as st

from roadmap.audit.models import AuditEvent
from roadmap.backup.verify import verify
from roadmap.cohorts.models import Enrolment
from roadmap.config import ConfigError, build
from roadmap.feedback.assessors import domain_allowed
from roadmap.feedback.models import AssessmentTicket
from roadmap.portfolio.models import Evidence
from roadmap.supervision.models import Signature
from tests.feedback.helpers import ASSESSOR, ask_assessor, assessor_form, sign_by_ticket
from tests.fixtures.msk import assessor_answers


def _ask(client, team, item, mailbox, login, email="ext@example.nhs.uk") -> str:
    login(client, team.candidate)
    assert client.get(f"/feedback/items/{item.id}/assessor").status_code == 200
    response = ask_assessor(client, item.id, email)
    assert response.status_code == 302, response.data[:2000]
    (message,) = mailbox.to(email)
    return mailbox.link(message)


def _form(make_item, item, **identity):
    return assessor_form(assessor_answers(make_item, "cot"), item.lock_version, **identity)


def _tickets(session) -> int:
    session.rollback()
    return session.scalar(sa.select(sa.func.count()).select_from(AssessmentTicket))


def _signatures(session) -> int:
    session.rollback()
    return session.scalar(sa.select(sa.func.count()).select_from(Signature))


def test_external_assessor_signs_once(app, client, session, team, make_item, login, mailbox):
    item = make_item("cot", status="draft")
    candidate_email, primary_email = team.candidate.email, team.primary.email
    path = _ask(client, team, item, mailbox, login)
    form = _form(make_item, item)
    assessor = app.test_client()
    page = assessor.get(path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Jo Candidate" in text and item.title in text
    assert candidate_email not in text  # nothing about the candidate beyond their name
    assert "make your declaration, before you sign" in text  # on the page that reads it back
    before = len(mailbox.messages)
    signed = sign_by_ticket(assessor, path, form)
    assert signed.status_code == 200, signed.data[:3000]
    assert "Assessment signed" in signed.get_data(as_text=True)
    session.rollback()
    session.expire_all()
    evidence = session.get(Evidence, item.id)
    assert evidence.status == "signed"
    signature = session.scalar(sa.select(Signature))
    assert (signature.capacity, signature.signer_id, signature.signer_name) == (
        "external_assessor", None, "Dr Ext Assessor")
    assert (signature.signer_role, signature.registration_body, signature.registration_number) == (
        "GP partner", "GMC", "7654321")
    assert "I am not Jo Candidate" in signature.declaration
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "evidence.signed"))
    assert event.actor_id is None and event.data["signature_id"] == signature.id
    assert event.data["content_hash"] == signature.content_hash
    assert event.data["assessor"]["registration_number"] == "7654321"
    assert verify(session).problem is None
    sent_to = [m["To"] for m in mailbox.messages[before:]]
    assert {ASSESSOR["email"], "ext@example.nhs.uk", candidate_email, primary_email} <= set(sent_to)
    # Single use: the link now says so, and a second post changes nothing.
    again = sign_by_ticket(assessor, path, form)
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    assert _signatures(session) == 1


@pytest.mark.parametrize("address", [
    "cand@example.nhs.uk",  # the candidate's own account
    "CAND@Example.NHS.uk",  # the same, in capitals
    "cand+assessor@example.nhs.uk",  # the same mailbox, by plus addressing
])
def test_the_candidates_own_address_is_refused(client, session, team, make_item, login, mailbox,
                                                address):
    item = make_item("cot", status="draft")
    login(client, team.candidate)
    response = ask_assessor(client, item.id, address)
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "This is your own email address" in text
    assert 'id="email-error"' in text or "nhsuk-error-message" in text
    assert _tickets(session) == 0 and mailbox.messages == []


def test_an_address_of_another_account_that_is_the_candidate_is_refused(
        client, session, team, make_item, make_user, login, mailbox):
    """A second account with the candidate's professional registration is the candidate."""
    team.candidate.registration_body, team.candidate.registration_number = "HCPC", "PH112233"
    session.commit()
    make_user("jo.candidate@nhs.net", roles=("supervisor",), full_name="Jo C")
    alias = session.scalar(sa.select(type(team.candidate)).where(
        type(team.candidate).email == "jo.candidate@nhs.net"))
    alias.registration_body, alias.registration_number = "hcpc", "ph 112233"
    session.commit()
    item = make_item("cot", status="draft")
    login(client, team.candidate)
    response = ask_assessor(client, item.id, "jo.candidate@nhs.net")
    assert response.status_code == 400
    assert "This is your own email address" in response.get_data(as_text=True)
    assert _tickets(session) == 0 and mailbox.messages == []


@pytest.mark.parametrize("address", [
    "a.colleague@gmail.com",  # a personal mailbox
    "gp@evilnhs.net",  # ends with the letters of nhs.net, not on a label boundary
    "gp@nhs.net.evil.example",  # starts with an allowed domain
    "gp@nhs.net@gmail.com",  # two @
    "gp@nhs.net.",  # a trailing dot
    "gp@[10.0.0.1]",
    "gp\n@nhs.net",
])
def test_addresses_outside_the_work_domains_are_refused(client, session, team, make_item, login,
                                                        mailbox, address):
    item = make_item("cot", status="draft")
    login(client, team.candidate)
    response = ask_assessor(client, item.id, address)
    text = response.get_data(as_text=True)
    assert response.status_code == 400, text[:2000]
    assert "nhs.net, nhs.uk or ac.uk" in text or "Enter a work email address" in text
    assert _tickets(session) == 0 and mailbox.messages == []


@given(st.from_regex(r"[a-z0-9.-]{0,20}", fullmatch=True))
def test_a_domain_matches_only_itself_and_below_it(prefix):
    allowed = domain_allowed(f"gp@{prefix}nhs.net", ("nhs.net",))
    assert allowed == (prefix == "" or prefix.endswith("."))


@pytest.mark.parametrize("address", ["gp@nhs.net", "GP.Partner@Practice.NHS.uk", "e@ox.ac.uk"])
def test_work_addresses_and_their_subdomains_are_accepted(client, session, team, make_item, login,
                                                          mailbox, address):
    item = make_item("cot", status="draft")
    login(client, team.candidate)
    assert ask_assessor(client, item.id, address).status_code == 302
    assert len(mailbox.to(address.lower())) == 1


def test_someone_training_on_the_roadmap_cannot_assess(client, session, team, make_item, make_user,
                                                       login, mailbox):
    peer = make_user("peer@nhs.net", full_name="Pat Peer")
    session.add(Enrolment(candidate_id=peer.id, cohort_id=team.enrolment.cohort_id,
                          framework_version_id=team.version.id, enrolled_on=dt.date(2026, 1, 5)))
    session.commit()
    item = make_item("cot", status="draft")
    login(client, team.candidate)
    response = ask_assessor(client, item.id, "peer@nhs.net")
    assert response.status_code == 400
    assert "training on the Roadmap" in response.get_data(as_text=True)
    assert _tickets(session) == 0


def test_the_domains_are_a_setting(app, client, session, team, make_item, login, mailbox):
    app.config["ASSESSOR_EMAIL_DOMAINS"] = ("physio.example",)
    item = make_item("cot", status="draft")
    login(client, team.candidate)
    refused = ask_assessor(client, item.id, "gp@nhs.net")
    assert refused.status_code == 400 and "ending in physio.example" in refused.get_data(as_text=True)
    assert ask_assessor(client, item.id, "lead@clinic.physio.example").status_code == 302


def test_the_setting_is_checked_at_start(tmp_path):
    base = {"TESTING": True, "SECRET_KEY": "x" * 40}
    assert build(str(tmp_path), {**base, "ASSESSOR_EMAIL_DOMAINS": " NHS.net, @ac.uk ,"},
                 environ={})["ASSESSOR_EMAIL_DOMAINS"] == ("nhs.net", "ac.uk")
    assert build(str(tmp_path), base, environ={"ROADMAP_ASSESSOR_EMAIL_DOMAINS": "trust.example"}
                 )["ASSESSOR_EMAIL_DOMAINS"] == ("trust.example",)
    for bad in ("", "uk", "*", "nhs.net,gmail..com"):
        with pytest.raises(ConfigError, match="ASSESSOR_EMAIL_DOMAINS"):
            build(str(tmp_path), {**base, "ASSESSOR_EMAIL_DOMAINS": bad}, environ={})


def test_the_address_is_checked_again_when_the_link_is_used(app, client, session, team, make_item,
                                                            make_user, login, mailbox):
    item = make_item("cot", status="draft")
    path = _ask(client, team, item, mailbox, login, email="gp@nhs.net")
    # Since the link was sent, the address has become an account with the candidate's registration.
    team.candidate.registration_body, team.candidate.registration_number = "HCPC", "PH112233"
    session.commit()
    make_user("gp@nhs.net", roles=("supervisor",), full_name="Jo Again")
    session.execute(sa.text("UPDATE users SET registration_body = 'HCPC', "
                            "registration_number = 'PH112233' WHERE email = 'gp@nhs.net'"))
    session.commit()
    assessor = app.test_client()
    page = assessor.get(path)
    assert page.status_code == 410 and "can no longer be used" in page.get_data(as_text=True)
    posted = sign_by_ticket(assessor, path, _form(make_item, item))
    assert posted.status_code == 410
    assert _signatures(session) == 0
    session.expire_all()
    assert session.get(Evidence, item.id).status == "draft"


def test_a_changed_setting_holds_for_links_already_sent(app, client, session, team, make_item,
                                                        login, mailbox):
    item = make_item("cot", status="draft")
    path = _ask(client, team, item, mailbox, login, email="gp@nhs.net")
    app.config["ASSESSOR_EMAIL_DOMAINS"] = ("ac.uk",)
    assert sign_by_ticket(app.test_client(), path, _form(make_item, item)).status_code == 410
    assert _signatures(session) == 0


@pytest.mark.parametrize("identity, field, message", [
    ({"registration_body": None}, "registration_body", "Choose your professional regulator"),
    ({"registration_body": "NMC", "registration_number": "1234567"}, "registration_number",
     "like 12A3456E"),
    ({"registration_number": "7" * 500}, "registration_number", "30 characters or fewer"),
    ({"registration_number": "765432"}, "registration_number", "7 digits"),
    ({"registration_body": "other", "registration_other": ""}, "registration_other",
     "Enter the name of your regulator"),
    ({"registration_body": "HCPC", "registration_number": "PH112233"}, "registration_number",
     "Jo Candidate's own registration"),
    ({"registration_body": "HCPC", "registration_number": "PH\uff11\uff11\uff12\uff12\uff13\uff13"},
     "registration_number", "Jo Candidate's own registration"),  # full-width digits
    ({"registration_body": "other", "registration_other": "Health and Care Professions Council",
      "registration_number": "PH112233"}, "registration_number", "Jo Candidate's own registration"),
    ({"registration_body": "GMC", "registration_number": "\u0661\u0662\u0663\u0664\u0665\u0666\u0667"},
     "registration_number", "7 digits"),  # Arabic-Indic digits are not a GMC number
    ({"declaration": None}, "declaration", "you are not the candidate"),
    ({"email": "me@gmail.com"}, "email", "You cannot sign with this address"),
    ({"email": "cand@example.nhs.uk"}, "email", "You cannot sign with this address"),
    ({"name": "\x01\x02"}, "name", "Enter your full name"),
])
def test_the_assessor_says_who_they_are(app, client, session, team, make_item, login, mailbox,
                                        identity, field, message):
    team.candidate.registration_body, team.candidate.registration_number = "HCPC", "PH112233"
    session.commit()
    item = make_item("cot", status="draft")
    path = _ask(client, team, item, mailbox, login)
    response = sign_by_ticket(app.test_client(), path, _form(make_item, item, **identity))
    text = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400, text[:2000]
    assert message in text and f'href="#{field}"' in text
    assert _signatures(session) == 0
    assert app.test_client().get(path).status_code == 200  # still usable


def test_another_regulator_is_named(app, client, session, team, make_item, login, mailbox):
    item = make_item("cot", status="draft")
    path = _ask(client, team, item, mailbox, login)
    response = sign_by_ticket(app.test_client(), path, _form(
        make_item, item, registration_body="other", registration_other="Society of Sports Therapists",
        registration_number="sst/1234"))
    assert response.status_code == 200, response.data[:2000]
    session.rollback()
    signature = session.scalar(sa.select(Signature))
    assert (signature.registration_body, signature.registration_number) == (
        "Society of Sports Therapists", "SST/1234")


def test_incomplete_assessment_is_not_signed(app, client, session, team, make_item, login, mailbox):
    item = make_item("cot", status="draft")
    path = _ask(client, team, item, mailbox, login)
    response = sign_by_ticket(app.test_client(), path, {"name": "X", "lock_version": str(item.lock_version)})
    assert response.status_code == 400
    session.rollback()
    session.expire_all()
    assert session.get(Evidence, item.id).status == "draft"
    assert app.test_client().get(path).status_code == 200  # still usable


def test_only_wpbas_and_only_own_items(app, client, team, make_item, login):
    reflection = make_item("reflection", status="draft")
    login(client, team.candidate)
    assert client.get(f"/feedback/items/{reflection.id}/assessor").status_code == 404


def test_a_registration_held_by_another_account_is_theirs_alone(app, client, session, team,
                                                                 make_item, login, mailbox):
    # The candidate's own supervisor is registered; an assessor on another address cannot sign
    # as them by typing their number.
    team.primary.registration_body, team.primary.registration_number = "GMC", "7012345"
    session.commit()
    item = make_item("cot", status="draft")
    path = _ask(client, team, item, mailbox, login)
    response = sign_by_ticket(app.test_client(), path, _form(make_item, item, registration_body="GMC",
                                                       registration_number="7012345"))
    text = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and "belongs to someone with a Roadmap account" in text
    assert _signatures(session) == 0

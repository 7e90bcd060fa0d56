"""The assessor signs on the spot, on the candidate's phone; it counts once they confirm by email.

Over HTTP: the candidate's signed-in client is the phone; the assessor's own client opens the
confirmation link from the captured email.
"""
from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.backup.verify import verify
from roadmap.feedback.models import AssessmentTicket
from roadmap.portfolio.models import Evidence
from roadmap.supervision.models import Signature
from tests.fixtures.apps import TEST_PASSWORD
from tests.feedback.helpers import ASSESSOR, assessor_form
from tests.fixtures.msk import assessor_answers

EMAIL = ASSESSOR["email"]


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _phone(client, team, login):
    login(client, team.candidate)
    return client


def _form(make_item, item, **identity):
    return assessor_form(assessor_answers(make_item, "cot"), item.lock_version, **identity)


def _sign(client, item, data):
    """The assessor signs; then the candidate takes the phone back (their password ends
    assessor mode: tests/feedback/test_assessor_lock.py) to carry on as the candidate."""
    response = client.post(f"/feedback/items/{item.id}/on-device/assess", data=data)
    if response.status_code == 302:
        client.post("/account/confirm", data={"secret": TEST_PASSWORD})
    return response


def _tickets(session) -> list[AssessmentTicket]:
    session.rollback()
    return list(session.scalars(sa.select(AssessmentTicket).order_by(AssessmentTicket.id)))


def _signatures(session) -> int:
    session.rollback()
    return session.scalar(sa.select(sa.func.count()).select_from(Signature))


def _actions(session) -> list[str]:
    session.rollback()
    return list(session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_signed_on_the_phone_counts_once_confirmed_by_email(app, client, session, team,
                                                            make_item, login, mailbox):
    item = make_item("cot", status="draft")
    candidate_email, primary_email = team.candidate.email, team.primary.email
    phone = _phone(client, team, login)
    item_page = _text(phone.get(f"/portfolio/evidence/{item.id}"))
    assert "Hand to your assessor" in item_page
    start = _text(phone.get(f"/feedback/items/{item.id}/on-device"))
    assert "Hand to your assessor" in start and "within 7 days" in start
    page = phone.get(f"/feedback/items/{item.id}/on-device/assess")
    text = _text(page)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "This is Jo Candidate's portfolio" in text and "Jo Candidate must not fill it in" in text
    # Assessor mode: no navigation into the portfolio, no account menu.
    assert "Main menu" not in text and "/portfolio" not in text and "Sign out" not in text
    hrefs = set(re.findall(r'href="([^"]*)"', text))
    assert {h for h in hrefs if not h.startswith(("#", "/static/", "/assets/", "/manifest.webmanifest"))} == {
        f"/feedback/items/{item.id}/on-device/assess"}, hrefs  # the header leads nowhere else
    signed = _sign(phone, item, _form(make_item, item))
    assert signed.status_code == 302, signed.data[:3000]
    back = _text(phone.get(signed.headers["Location"]))
    assert "now hand the phone back to Jo Candidate" in back and "Main menu" not in back
    # Pending: nothing is signed yet, the candidate sees that it waits.
    assert _signatures(session) == 0
    (ticket,) = _tickets(session)
    assert ticket.on_device and ticket.used_at is None and ticket.invited_email == EMAIL
    waiting = _text(phone.get(f"/feedback/items/{item.id}/on-device"))
    assert "Waiting for the assessor to confirm by email" in waiting and EMAIL in waiting
    (message,) = mailbox.to(EMAIL)
    assert mailbox.to(candidate_email) == []
    link = mailbox.link(message)
    token = link.rsplit("/", 1)[1]
    assert ticket.token_hash != token and token not in str(ticket.draft)  # hashed at rest
    # The assessor, on their own device, reads what they signed and confirms.
    assessor = app.test_client()
    confirm_page = assessor.get(link)
    shown = _text(confirm_page)
    assert confirm_page.status_code == 200 and "Confirm your assessment" in shown
    assert "Dr Ext Assessor" in shown and "GMC" in shown and "7654321" in shown
    assert "I am not Jo Candidate" in shown and item.title in shown
    before = len(mailbox.messages)
    done = assessor.post(link)
    assert done.status_code == 200 and "Assessment signed" in _text(done)
    session.rollback()
    session.expire_all()
    assert session.get(Evidence, item.id).status == "signed"
    signature = session.scalar(sa.select(Signature))
    assert (signature.capacity, signature.signer_id, signature.signer_name) == (
        "external_assessor", None, "Dr Ext Assessor")
    assert signature.acting_reason.endswith("signed on the candidate's device, confirmed by email")
    sent_to = {m["To"] for m in mailbox.messages[before:]}
    assert {EMAIL, candidate_email, primary_email} <= sent_to
    actions = _actions(session)
    for action in ("feedback.on_device_signed", "feedback.on_device_confirmation_sent",
                   "feedback.on_device_confirmed", "evidence.signed"):
        assert action in actions, action
    event = session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "feedback.on_device_signed"))
    assert event.actor_id == team.candidate.id and event.data["email"] == EMAIL
    # Fields only, never text: no answer of the assessor is in the audit event.
    assert set(event.data) >= {"fields", "ticket_id"}
    for value in assessor_answers(make_item, "cot").values():
        if isinstance(value, str) and len(value) > 20:
            assert value not in str(event.data)
    assert verify(session).problem is None
    # Single use.
    again = assessor.post(link)
    assert again.status_code == 200 and _signatures(session) == 1
    assert "Assessment signed" in _text(again)


@pytest.mark.parametrize("address, message", [
    ("cand@example.nhs.uk", "This is Jo Candidate's own email address"),
    ("Cand+me@Example.NHS.uk", "This is Jo Candidate's own email address"),
    ("a.colleague@gmail.com", "Personal email addresses cannot be used"),
    ("gp@evilnhs.net", "Personal email addresses cannot be used"),
    ("not an address", "Enter your work email address"),
])
def test_the_confirmation_never_goes_to_the_candidate_or_outside_work_domains(
        client, session, team, make_item, login, mailbox, address, message):
    item = make_item("cot", status="draft")
    phone = _phone(client, team, login)
    response = _sign(phone, item, _form(make_item, item, email=address))
    text = _text(response)
    assert response.status_code == 400 and message in text
    assert 'id="email-error"' in text  # next to the field
    assert _tickets(session) == [] and mailbox.messages == []


def test_another_account_of_the_candidate_is_refused(client, session, team, make_item, make_user,
                                                      login, mailbox):
    team.candidate.registration_body, team.candidate.registration_number = "HCPC", "PH112233"
    session.commit()
    alias = make_user("jo.candidate@nhs.net", roles=("supervisor",), full_name="Jo C")
    alias.registration_body, alias.registration_number = "HCPC", "PH112233"
    session.commit()
    item = make_item("cot", status="draft")
    response = _sign(_phone(client, team, login), item,
                     _form(make_item, item, email="jo.candidate@nhs.net"))
    assert response.status_code == 400
    assert "This is Jo Candidate's own email address" in _text(response)
    assert _tickets(session) == [] and mailbox.messages == []


def test_without_the_declaration_nothing_is_pending(client, session, team, make_item, login,
                                                     mailbox):
    item = make_item("cot", status="draft")
    response = _sign(_phone(client, team, login), item,
                     _form(make_item, item, declaration=None))
    assert response.status_code == 400
    assert "Confirm that you observed this" in _text(response)
    assert _tickets(session) == [] and mailbox.messages == []


def test_huge_values_are_refused_beside_their_fields(client, session, team, make_item, login,
                                                      mailbox):
    item = make_item("cot", status="draft")
    response = _sign(_phone(client, team, login), item,
                     _form(make_item, item, name="N" * 5000, registration_number="1" * 10_000))
    assert response.status_code == 400
    text = _text(response)
    assert 'id="name-error"' in text and 'id="registration_number-error"' in text
    assert _tickets(session) == [] and mailbox.messages == []


def test_another_persons_item_is_not_found(app, session, team, make_item, make_user, login,
                                           mailbox):
    item = make_item("cot", status="draft")
    other = app.test_client()
    login(other, make_user("other.cand@example.nhs.uk"))
    for path in ("", "/assess", "/signed"):
        assert other.get(f"/feedback/items/{item.id}/on-device{path}").status_code == 404
    assert _sign(other, item, _form(make_item, item)).status_code == 404
    supervisor = app.test_client()
    login(supervisor, team.primary)
    assert _sign(supervisor, item, _form(make_item, item)).status_code == 404
    assert _tickets(session) == [] and mailbox.messages == []


def test_a_double_submit_makes_one_pending_signature_per_key(client, session, team, make_item,
                                                             login, mailbox):
    """The page carries a key of its own: Sign pressed twice (or the page's form sent again)
    makes one pending assessment and one email; a page opened afresh is a new assessment."""
    item = make_item("cot", status="draft")
    phone = _phone(client, team, login)
    page = _text(phone.get(f"/feedback/items/{item.id}/on-device/assess"))
    (key,) = re.findall(r'name="client_key" value="([^"]+)"', page)
    first = _sign(phone, item, {**_form(make_item, item), "client_key": key})
    again = _sign(phone, item, {**_form(make_item, item), "client_key": key})
    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    assert len(_tickets(session)) == 1 and len(mailbox.to(EMAIL)) == 1
    other_page = _text(phone.get(f"/feedback/items/{item.id}/on-device/assess"))
    assert key not in other_page  # each page its own key
    # Pages opened afresh: new assessments, up to the open-assessment limit, then words.
    assert _sign(phone, item, _form(make_item, item)).status_code == 302
    assert _sign(phone, item, _form(make_item, item)).status_code == 302
    refused = _sign(phone, item, _form(make_item, item))
    assert refused.status_code == 400 and "still waiting to be confirmed" in _text(refused)
    assert len(_tickets(session)) == 3 and len(mailbox.to(EMAIL)) == 3
    hostile = _sign(phone, item, {**_form(make_item, item), "client_key": "<x>" * 40})
    assert hostile.status_code == 400  # a mangled key is replaced, so the limit still speaks


def _pending(client, session, team, make_item, item, login, mailbox) -> tuple[AssessmentTicket, str]:
    phone = _phone(client, team, login)
    assert _sign(phone, item, _form(make_item, item)).status_code == 302
    (ticket,) = _tickets(session)
    return ticket, mailbox.link(mailbox.to(EMAIL)[-1])


def test_an_expired_link_confirms_nothing_and_can_be_sent_again(app, client, session, team,
                                                                 make_item, login, mailbox):
    item = make_item("cot", status="draft")
    ticket, link = _pending(client, session, team, make_item, item, login, mailbox)
    session.execute(sa.update(AssessmentTicket).values(
        expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)))
    session.commit()
    assessor = app.test_client()
    expired = assessor.post(link)
    assert expired.status_code == 410 and "expired" in _text(expired)
    assert _signatures(session) == 0
    page = _text(client.get(f"/feedback/items/{item.id}/on-device"))
    assert "Link expired" in page and "does not count" in page
    assert _actions(session).count("feedback.on_device_expired") == 1
    client.get(f"/feedback/items/{item.id}/on-device")
    assert _actions(session).count("feedback.on_device_expired") == 1  # recorded once
    sent = client.post(f"/feedback/items/{item.id}/on-device/{ticket.id}/resend",
                       follow_redirects=True)
    assert sent.status_code == 200 and "new link to confirm" in _text(sent)
    new_link = mailbox.link(mailbox.to(EMAIL)[-1])
    assert new_link != link
    assert assessor.get(link).status_code == 404  # the old link died with the new one
    assert assessor.post(new_link).status_code == 200
    assert _signatures(session) == 1


def test_a_withdrawn_assessment_cannot_be_confirmed(app, client, session, team, make_item, login,
                                                    mailbox):
    item = make_item("cot", status="draft")
    ticket, link = _pending(client, session, team, make_item, item, login, mailbox)
    done = client.post(f"/feedback/items/{item.id}/on-device/{ticket.id}/withdraw",
                       follow_redirects=True)
    assert done.status_code == 200 and "was withdrawn" in _text(done)
    assert "Waiting for the assessor" not in _text(done)
    refused = app.test_client().post(link)
    assert refused.status_code == 410 and "withdrawn" in _text(refused)
    assert _signatures(session) == 0
    assert "feedback.on_device_withdrawn" in _actions(session)
    (kept,) = _tickets(session)
    assert kept.draft is None  # the assessor's answers go with it


def test_someone_else_cannot_withdraw_or_resend(app, client, session, team, make_item, make_user,
                                                 login, mailbox):
    item = make_item("cot", status="draft")
    ticket, _link = _pending(client, session, team, make_item, item, login, mailbox)
    other = app.test_client()
    login(other, make_user("other.cand@example.nhs.uk"))
    for act in ("withdraw", "resend"):
        assert other.post(f"/feedback/items/{item.id}/on-device/{ticket.id}/{act}").status_code == 404
    other_item = make_item("cot", status="draft")  # the candidate's, but not this ticket's item
    moved = client.post(f"/feedback/items/{other_item.id}/on-device/{ticket.id}/withdraw",
                        follow_redirects=True)
    assert "no such assessment" in _text(moved)
    (still,) = _tickets(session)
    assert still.withdrawn_at is None


def test_a_confirmation_link_does_not_open_the_ticket_form_and_vice_versa(
        app, client, session, team, make_item, login, mailbox):
    item = make_item("cot", status="draft")
    _ticket, link = _pending(client, session, team, make_item, item, login, mailbox)
    token = link.rsplit("/", 1)[1]
    assessor = app.test_client()
    assert assessor.get(f"/feedback/assess/{token}").status_code == 404
    assert client.post(f"/feedback/items/{item.id}/assessor",
                       data={"name": "Ext", "email": "other.gp@nhs.net"}).status_code == 302
    ticket_link = mailbox.link(mailbox.to("other.gp@nhs.net")[-1])
    assert assessor.get(f"/feedback/confirm/{ticket_link.rsplit('/', 1)[1]}").status_code == 404


def test_the_item_changed_after_signing_so_nothing_is_confirmed(app, client, session, team,
                                                                 make_item, login, mailbox):
    item = make_item("cot", status="draft")
    _ticket, link = _pending(client, session, team, make_item, item, login, mailbox)
    session.execute(sa.update(Evidence).where(Evidence.id == item.id).values(
        lock_version=Evidence.lock_version + 1))
    session.commit()
    response = app.test_client().post(link)
    assert response.status_code == 409 and "item changed" in _text(response)
    assert _signatures(session) == 0


def test_the_supervisor_sees_it_as_on_device_and_can_dispute_it(app, client, session, team,
                                                                make_item, login, mailbox):
    item = make_item("cot", status="draft", headings=("1",))
    _ticket, link = _pending(client, session, team, make_item, item, login, mailbox)
    assert app.test_client().post(link).status_code == 200
    session.rollback()
    signature = session.scalar(sa.select(Signature))
    supervisor = app.test_client()
    login(supervisor, team.primary)
    page = _text(supervisor.get(f"/supervision/items/{item.id}"))
    assert "On the candidate's device, then confirmed by the assessor" in page
    assert "Dispute this signature" in page and "Dr Ext Assessor" in page
    response = supervisor.post(f"/supervision/items/{item.id}/external/dispute",
                               data={"signature_id": str(signature.id),
                                     "reason": "They were not in clinic that day."})
    assert response.status_code == 302, response.data[:2000]
    session.rollback()
    assert session.get(Evidence, item.id).status == "returned"



NAMED = "Good history; the patient (NHS number 943 476 5919) was safety-netted well."


def test_patient_details_are_flagged_in_plain_words_before_anything_is_pending(
        app, client, session, team, make_item, login, mailbox):
    item = make_item("cbd", status="draft", headings=("1",))
    phone = _phone(client, team, login)
    answers = {**assessor_answers(make_item, "cbd"), "reasoning": NAMED}
    refused = _sign(phone, item, assessor_form(answers, item.lock_version))
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert re.search(r'<mark class="roadmap-pid">.*?943 476 5919</mark>', page)
    words = html.unescape(page)
    assert "This could show who a patient is: it seems to hold an NHS number" in words
    assert "nobody could tell from it who the patient is" in words
    assert _tickets(session) == [] and mailbox.messages == []
    confirmed = _sign(phone, item, assessor_form(answers, item.lock_version, confirm_pid="y"))
    assert confirmed.status_code == 302
    session.rollback()
    event = session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "feedback.on_device_signed"))
    assert "pid" in event.data and "943 476 5919" not in str(event.data)
    assert app.test_client().post(mailbox.link(mailbox.to(EMAIL)[-1])).status_code == 200
    session.rollback()
    assert session.get(Evidence, item.id).status == "signed"


def test_the_daily_job_records_expiry_then_drops_the_answers(app, client, session, team,
                                                             make_item, login, mailbox, runner):
    item = make_item("cot", status="draft")
    ticket, link = _pending(client, session, team, make_item, item, login, mailbox)
    assert "0 on-device assessment(s) expired unconfirmed, 0 ended" in runner.invoke(
        args=["feedback", "remind"]).output
    now = dt.datetime.now(dt.timezone.utc)
    session.execute(sa.update(AssessmentTicket).values(expires_at=now - dt.timedelta(days=1)))
    session.commit()
    assert "1 on-device assessment(s) expired unconfirmed, 0 ended" in runner.invoke(
        args=["feedback", "remind"]).output
    assert "0 on-device assessment(s) expired unconfirmed" in runner.invoke(
        args=["feedback", "remind"]).output  # recorded once
    assert _actions(session).count("feedback.on_device_expired") == 1
    page = _text(client.get(f"/feedback/items/{item.id}/on-device"))
    assert "Link expired" in page
    session.execute(sa.update(AssessmentTicket).values(expires_at=now - dt.timedelta(days=31)))
    session.commit()
    assert "0 on-device assessment(s) expired unconfirmed, 1 ended" in runner.invoke(
        args=["feedback", "remind"]).output
    (ended,) = _tickets(session)
    session.refresh(ended)  # committed above: the rollback in _tickets expired nothing
    assert ended.withdrawn_at is not None and ended.draft is None
    assert "Link expired" not in _text(client.get(f"/feedback/items/{item.id}/on-device"))
    refused = client.post(f"/feedback/items/{item.id}/on-device/{ticket.id}/resend",
                          follow_redirects=True)
    assert "was withdrawn" in _text(refused) and len(mailbox.to(EMAIL)) == 1
    assert app.test_client().get(link).status_code == 410


def test_an_address_that_became_the_candidates_confirms_nothing(app, client, session, team,
                                                                make_item, login, mailbox):
    item = make_item("cot", status="draft")
    _ticket, link = _pending(client, session, team, make_item, item, login, mailbox)
    session.rollback()
    session.get(type(team.candidate), team.candidate.id).email = EMAIL  # now theirs
    session.commit()
    refused = app.test_client().post(link)
    assert refused.status_code in (409, 410)
    assert "Nothing was signed" in _text(refused) and _signatures(session) == 0


def test_a_withdrawn_one_frees_its_place_for_a_ticket(client, session, team, make_item, login,
                                                      mailbox):
    item = make_item("cot", status="draft")
    phone = _phone(client, team, login)
    for _ in range(3):
        assert _sign(phone, item, _form(make_item, item)).status_code == 302
    first = _tickets(session)[0]
    assert client.post(f"/feedback/items/{item.id}/assessor",
                       data={"name": "Ext", "email": "other.gp@nhs.net"}).status_code == 400
    client.post(f"/feedback/items/{item.id}/on-device/{first.id}/withdraw")
    assert client.post(f"/feedback/items/{item.id}/assessor",
                       data={"name": "Ext", "email": "other.gp@nhs.net"}).status_code == 302

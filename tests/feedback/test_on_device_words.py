"""The words an on-device assessment shows (issue 21 #4): the assessor reads the candidate's
answers in the third person; its confirmation link, expired or closed, speaks of confirming a
signature, not of answering a questionnaire; a dispute tells the candidate it was signed on
their device."""
from __future__ import annotations

import datetime as dt
import html

import sqlalchemy as sa

from roadmap.feedback.models import AssessmentTicket
from roadmap.portfolio.models import Evidence, EvidenceComment
from roadmap.supervision.models import Signature
from tests.feedback.test_on_device import _pending


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_assessor_reads_the_candidates_answers_in_the_third_person(client, team, make_item,
                                                                       login):
    item = make_item("cbd", status="draft")
    assert item.fields.get("questions")
    login(client, team.candidate)
    page = _text(client.get(f"/feedback/items/{item.id}/on-device/assess"))
    assert "What the candidate would like to discuss" in page
    assert "What you would like to discuss" not in page


def test_an_expired_confirmation_link_speaks_of_the_signature_and_7_days(
        app, client, session, team, make_item, login, mailbox):
    item = make_item("cot", status="draft")
    _ticket, link = _pending(client, session, team, make_item, item, login, mailbox)
    session.execute(sa.update(AssessmentTicket).values(
        expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)))
    session.commit()
    page = _text(app.test_client().get(link))
    assert "works for 7 days" in page and "was not confirmed" in page
    assert "30 days" not in page and "answer" not in page


def test_a_link_for_an_item_signed_since_says_the_assessment_no_longer_waits(
        app, client, session, team, make_item, login, mailbox):
    item = make_item("cot", status="draft")
    _ticket, link = _pending(client, session, team, make_item, item, login, mailbox)
    session.execute(sa.update(Evidence).where(Evidence.id == item.id).values(status="signed"))
    session.commit()
    answer = app.test_client().get(link)
    page = _text(answer)
    assert answer.status_code == 410 and "no longer waiting for your confirmation" in page
    assert "questionnaire" not in page


def test_a_disputed_on_device_assessment_tells_the_candidate_it_was_signed_on_their_device(
        app, client, session, team, make_item, login, mailbox):
    item = make_item("cot", status="draft", headings=("1",))
    _ticket, link = _pending(client, session, team, make_item, item, login, mailbox)
    assert app.test_client().post(link).status_code == 200
    session.rollback()
    signature_id = session.scalar(sa.select(Signature.id).order_by(Signature.id.desc()).limit(1))
    supervisor = app.test_client()
    login(supervisor, team.primary)
    disputed = supervisor.post(f"/supervision/items/{item.id}/external/dispute",
                               data={"signature_id": str(signature_id),
                                     "reason": "Nobody of this name works at the practice."})
    assert disputed.status_code == 302, disputed.data[:2000]
    session.rollback()
    comment = session.scalar(sa.select(EvidenceComment.body).where(
        EvidenceComment.evidence_id == item.id, EvidenceComment.kind == "return"))
    assert "signed on your device no longer counts" in comment
    assert "as an external assessor" not in comment

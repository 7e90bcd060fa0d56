"""MSF and PSQ respondents' free text goes through the patient-identifier check, over HTTP and
in plain words: an NHS number is highlighted beside the comment and nothing is saved (the MSF
link stays unused); ticking the box saves it and audits the item, fields and kinds (no rater,
no text); comments that identify nobody are saved with no prompt."""
from __future__ import annotations

import html
import re

import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.feedback.models import FeedbackRater, FeedbackResponse
from tests.feedback.helpers import MSF_ANSWER, invite, open_round
from tests.feedback.test_psq import _poster_path, patient_answers

CLEAN = "Always explains the plan clearly and checks we have understood."
NAMED = "She was kind to the patient with NHS number 943 476 5919 on the ward."


def _fresh(session):
    session.rollback()
    session.expire_all()


def _responses(session) -> list[FeedbackResponse]:
    _fresh(session)
    return session.scalars(sa.select(FeedbackResponse)).all()


def _confirmations(session) -> list[AuditEvent]:
    _fresh(session)
    return session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "feedback.response_pid_confirmed")).all()


def _flagged(response, patient: bool = False) -> None:
    """The page refuses the answer, highlights the number and asks in plain words: a PSQ's
    respondent is the patient, so they are asked about themselves and other patients."""
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'<mark class="roadmap-pid">.*?943 476 5919</mark>', page)
    words = html.unescape(page)
    if patient:
        assert "This could show who you are, or who another patient is: it seems to hold an " \
               "NHS number" in words
        assert "Please do not include your name or details that could identify you or another " \
               "patient" in words
        assert "it does not include my name or anything that could identify me or another " \
               "patient" in words
        assert "who the patient is" not in words
    else:
        assert "This could show who a patient is: it seems to hold an NHS number" in words
        assert "nobody could tell from it who the patient is" in words
    assert 'name="confirm_pid"' in page


def _msf_link(client, team, make_item, login, mailbox) -> tuple[object, str]:
    item = make_item("msf", status="draft")
    login(client, team.candidate)
    open_round(client, item.id)
    invite(client, item.id, 1, "clinical")
    (message,) = mailbox.to("rater1@example.nhs.uk")
    return item, mailbox.link(message)


def _msf(comment, **extra):
    return {**MSF_ANSWER, "answer_respondent_group": "clinical", "answer_highlights": comment,
            **extra}


def test_an_msf_comment_with_an_nhs_number_is_flagged_then_saved_once_confirmed(
        app, client, session, team, make_item, login, mailbox):
    item, path = _msf_link(client, team, make_item, login, mailbox)
    rater = app.test_client()
    _flagged(rater.post(path, data=_msf(NAMED)))
    assert _responses(session) == []
    assert session.scalar(sa.select(FeedbackRater.responded)) is False  # the link still works
    saved = rater.post(path, data=_msf(NAMED, confirm_pid="y"))
    assert saved.status_code == 302
    [response] = _responses(session)
    assert response.answers["highlights"] == NAMED
    [event] = _confirmations(session)
    assert event.subject_id == item.id and event.actor_id is None
    assert event.data == {"findings": [{"field": "highlights", "kind": "nhs_number"}]}


def test_an_msf_comment_that_identifies_nobody_is_saved_without_a_prompt(
        app, client, session, team, make_item, login, mailbox):
    _item, path = _msf_link(client, team, make_item, login, mailbox)
    assert app.test_client().post(path, data=_msf(CLEAN)).status_code == 302
    [response] = _responses(session)
    assert response.answers["highlights"] == CLEAN
    assert _confirmations(session) == []


def test_a_psq_comment_with_an_nhs_number_is_flagged_then_saved_once_confirmed(
        app, client, session, team, make_item, login):
    item = make_item("psq", status="draft")
    login(client, team.candidate)
    open_round(client, item.id)
    path = _poster_path(client, item)
    patient = app.test_client()
    _flagged(patient.post(path, data=patient_answers(comment=NAMED)), patient=True)
    assert _responses(session) == []
    saved = patient.post(path, data={**patient_answers(comment=NAMED), "confirm_pid": "y"})
    assert saved.status_code == 302
    [response] = _responses(session)
    assert response.answers["comments"] == NAMED
    [event] = _confirmations(session)
    assert event.data == {"findings": [{"field": "comments", "kind": "nhs_number"}]}
    assert patient.post(path, data=patient_answers(comment=CLEAN)).status_code == 302
    assert len(_responses(session)) == 2 and len(_confirmations(session)) == 1


def test_the_forms_say_once_that_answers_are_anonymous(
        app, client, session, team, make_item, login, mailbox):
    """The page's inset says it; the framework's section hint said it again (issue 22)."""
    _item, path = _msf_link(client, team, make_item, login, mailbox)
    msf = html.unescape(app.test_client().get(path).get_data(as_text=True))
    assert msf.count("anonymous") == 1
    assert "The practitioner sees only the combined results." in msf  # the rest of the hint
    item = make_item("psq", status="draft")
    login(client, team.candidate)
    open_round(client, item.id)
    psq = html.unescape(app.test_client().get(_poster_path(client, item)).get_data(as_text=True))
    assert psq.count("anonymous") == 1

"""A full MSF round by email: invitations, anonymous answers, the minimum, review and release."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from roadmap.feedback.models import FeedbackRater, FeedbackResponse
from tests.feedback.helpers import answer, invite, open_round


def _links(mailbox, count_from=0):
    """{rater email: path of the latest link sent to them}."""
    found = {}
    for message in mailbox.messages[count_from:]:
        if "/feedback/colleague/" in message.get_content():
            found[message["To"]] = mailbox.link(message)
    return found


@pytest.mark.msk_v1  # MSF 10, with 5 clinical and 5 non-clinical
def test_full_round_from_invitations_to_released_results(app, client, session, team, make_item,
                                                         login, mailbox):
    item = make_item("msf", status="draft")
    login(client, team.candidate)
    open_round(client, item.id)
    for number in range(1, 7):
        invite(client, item.id, number, "clinical")
    for number in range(7, 13):
        invite(client, item.id, number, "non_clinical")
    links = _links(mailbox)
    assert len(links) == 12
    message = mailbox.to("rater1@example.nhs.uk")[0]
    assert "Jo Candidate" in message["Subject"] and "expires on" in message.get_content()

    clinical = [links[f"rater{n}@example.nhs.uk"] for n in range(1, 7)]
    other = [links[f"rater{n}@example.nhs.uk"] for n in range(7, 13)]
    # 9 responses (5 clinical, 4 non-clinical): nothing to see, not even for the supervisor.
    for index, path in enumerate(clinical[:5]):
        assert answer(app, path, "clinical", f"Comment {'EDCBA'[index]}").status_code == 302
    for path in other[:4]:
        assert answer(app, path, "non_clinical").status_code == 302
    page = client.get(f"/feedback/rounds/{item.id}").get_data(as_text=True)
    assert "9 of at least 10 responses" in page and 'id="results"' not in page
    assert client.get(f"/feedback/rounds/{item.id}/results.csv").status_code == 404
    supervisor = app.test_client()
    login(supervisor, team.primary)
    assert 'id="results"' not in supervisor.get(f"/feedback/rounds/{item.id}").get_data(as_text=True)

    # 10 with only 4 non-clinical: still hidden, and it cannot be released.
    assert answer(app, clinical[5], "clinical").status_code == 302
    assert 'id="results"' not in supervisor.get(f"/feedback/rounds/{item.id}").get_data(as_text=True)
    supervisor.post(f"/feedback/rounds/{item.id}/release")
    assert 'id="results"' not in client.get(f"/feedback/rounds/{item.id}").get_data(as_text=True)

    # The fifth non-clinical response: the supervisors are told, review, the candidate waits.
    before = len(mailbox.messages)
    assert answer(app, other[4], "non_clinical", "A comment").status_code == 302
    told = {m["To"]: m for m in mailbox.messages[before:]}
    assert set(told) == {"primary@example.nhs.uk", "backup@example.nhs.uk"}
    assert mailbox.link(told["primary@example.nhs.uk"]) == f"/feedback/rounds/{item.id}"
    review = supervisor.get(f"/feedback/rounds/{item.id}").get_data(as_text=True)
    assert 'id="results"' in review and "Release the results" in review
    assert 'id="results"' not in client.get(f"/feedback/rounds/{item.id}").get_data(as_text=True)
    assert client.get(f"/feedback/rounds/{item.id}/results.csv").status_code == 404

    before = len(mailbox.messages)
    assert supervisor.post(f"/feedback/rounds/{item.id}/release").status_code == 302
    assert [m["To"] for m in mailbox.messages[before:]] == [team.candidate.email]
    page = client.get(f"/feedback/rounds/{item.id}").get_data(as_text=True)
    assert 'id="results"' in page and "11 responses: 6 clinical and 5 non-clinical" in page
    assert "Your self-assessment:" in page
    comments = [f"Comment {letter}" for letter in "ABCDE"]
    positions = [page.index(text) for text in comments]
    assert positions == sorted(positions)  # alphabetical, not in the order they came
    csv = client.get(f"/feedback/rounds/{item.id}/results.csv")
    assert csv.status_code == 200 and "Comment A" in csv.get_data(as_text=True)
    # The round is closed: the last colleague's link says so plainly.
    closed = app.test_client().get(other[5])
    assert closed.status_code == 410 and "closed" in closed.get_data(as_text=True)


def test_used_link_cannot_answer_again(app, client, session, team, make_item, login, mailbox):
    item = make_item("msf", status="draft")
    login(client, team.candidate)
    open_round(client, item.id)
    invite(client, item.id, 1, "clinical")
    path = _links(mailbox)["rater1@example.nhs.uk"]
    assert answer(app, path, "clinical").status_code == 302
    again = app.test_client()
    page = again.get(path)
    assert page.status_code == 410 and "already been used" in page.get_data(as_text=True)
    posted = again.post(path, data={"answer_respondent_group": "clinical",
                                    "answer_professional_behaviour": "concern"})
    assert posted.status_code == 410
    assert session.scalar(sa.select(sa.func.count()).select_from(FeedbackResponse)) == 1


def test_expired_link_cannot_answer(app, client, session, team, make_item, login, mailbox):
    import datetime as dt

    item = make_item("msf", status="draft")
    login(client, team.candidate)
    open_round(client, item.id)
    invite(client, item.id, 1, "clinical")
    path = _links(mailbox)["rater1@example.nhs.uk"]
    session.execute(sa.update(FeedbackRater).values(
        expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)))
    session.commit()
    response = app.test_client().post(path, data={
        "answer_respondent_group": "clinical", "answer_professional_behaviour": "above"})
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(FeedbackResponse)) == 0


def test_correcting_an_email_invalidates_the_old_link(app, client, session, team, make_item,
                                                     login, mailbox):
    item = make_item("msf", status="draft")
    login(client, team.candidate)
    open_round(client, item.id)
    invite(client, item.id, 1, "clinical")
    old = _links(mailbox)["rater1@example.nhs.uk"]
    rater = session.scalar(sa.select(FeedbackRater))
    assert client.get(f"/feedback/raters/{rater.id}/email").status_code == 200
    response = client.post(f"/feedback/raters/{rater.id}/email",
                           data={"email": "rater.one@example.nhs.uk"})
    assert response.status_code == 302
    new = _links(mailbox)["rater.one@example.nhs.uk"]
    assert new != old
    refused = app.test_client().post(old, data={"answer_respondent_group": "clinical",
                                                "answer_professional_behaviour": "above"})
    assert refused.status_code == 404 and "does not work" in refused.get_data(as_text=True)
    assert answer(app, new, "clinical").status_code == 302
    session.rollback()  # a fresh snapshot: the app wrote in its own transactions
    kept = session.scalar(sa.select(FeedbackRater))
    assert (kept.id, kept.name, kept.email, kept.responded) == (rater.id, "Rater 1",
                                                               "rater.one@example.nhs.uk", True)


def test_resend_gives_a_new_link_and_the_old_one_stops(app, client, session, team, make_item,
                                                       login, mailbox):
    item = make_item("msf", status="draft")
    login(client, team.candidate)
    open_round(client, item.id)
    invite(client, item.id, 1, "non_clinical")
    old = _links(mailbox)["rater1@example.nhs.uk"]
    rater = session.scalar(sa.select(FeedbackRater))
    assert client.post(f"/feedback/raters/{rater.id}/resend").status_code == 302
    new = _links(mailbox, 1)["rater1@example.nhs.uk"]
    assert new != old
    assert app.test_client().get(old).status_code == 404
    assert answer(app, new, "non_clinical").status_code == 302


def test_self_assessment_comes_first(client, session, team, make_item, login):
    item = make_item("msf", status="draft", fields={})
    login(client, team.candidate)
    client.post(f"/feedback/rounds/{item.id}/open")
    page = client.get(f"/feedback/rounds/{item.id}").get_data(as_text=True)
    assert "Complete your self-assessment first" in page
    assert client.post(f"/feedback/rounds/{item.id}/raters", data={
        "name": "A", "email": "a@example.nhs.uk", "role": "GP", "group": "clinical"}).status_code == 400
    assert session.scalar(sa.select(sa.func.count()).select_from(FeedbackRater)) == 0

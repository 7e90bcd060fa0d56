"""PSQ: one link and a QR poster per round, anonymous answers, the framework's minimum, limits."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from roadmap.feedback import links
from roadmap.feedback.models import FeedbackResponse
from tests.feedback.helpers import open_round

RATINGS = ("welcome", "listening", "explanation", "involvement", "confidence", "next_steps",
           "if_worse", "respect", "trust")


def patient_answers(level: str = "very_good", comment: str = "") -> dict[str, str]:
    """One completed patient questionnaire."""
    return {**{f"answer_{code}": level for code in RATINGS},
            "answer_consultation_type": "face_to_face", "answer_comments": comment}


def _poster_path(client, item) -> str:
    poster = client.get(f"/feedback/rounds/{item.id}/poster")
    assert poster.status_code == 200
    text = poster.get_data(as_text=True)
    assert "<svg" in text and 'aria-label="QR code' in text
    start = text.index("/feedback/patient/")
    return text[start:text.index("<", start)].strip()


@pytest.mark.msk_v1  # PSQ 34
def test_psq_round_to_released_results(app, client, session, team, make_item, login):
    item = make_item("psq", status="draft")
    login(client, team.candidate)
    open_round(client, item.id)
    path = _poster_path(client, item)
    assert path == _poster_path(client, item)  # the same link every time it is printed
    patient = app.test_client()
    for number in range(33):
        form = patient.get(path)
        assert form.status_code == 200 and "Jo Candidate" in form.get_data(as_text=True)
        assert form.headers["Cache-Control"] == "no-store"
        response = patient.post(path, data=patient_answers(comment=f"Note {number}"))
        assert response.status_code == 302
    supervisor = app.test_client()
    login(supervisor, team.primary)
    assert 'id="results"' not in supervisor.get(f"/feedback/rounds/{item.id}").get_data(as_text=True)
    assert patient.post(path, data=patient_answers("excellent")).status_code == 302
    assert 'id="results"' in supervisor.get(f"/feedback/rounds/{item.id}").get_data(as_text=True)
    assert 'id="results"' not in client.get(f"/feedback/rounds/{item.id}").get_data(as_text=True)
    assert supervisor.post(f"/feedback/rounds/{item.id}/release").status_code == 302
    page = client.get(f"/feedback/rounds/{item.id}").get_data(as_text=True)
    assert "34 responses" in page and "Your self-assessment:" in page
    assert patient.get(path).status_code == 410


def test_without_a_minimum_the_first_response_can_be_reviewed(app, client, team, make_item,
                                                               login):
    """Version 2 of the MSK roadmap sets no PSQ minimum (D7): one response is enough."""
    item = make_item("psq", status="draft")
    login(client, team.candidate)
    open_round(client, item.id)
    path = _poster_path(client, item)
    supervisor = app.test_client()
    login(supervisor, team.primary)
    page = supervisor.get(f"/feedback/rounds/{item.id}").get_data(as_text=True)
    assert "0 responses. This roadmap sets no minimum number." in page
    assert 'id="results"' not in page
    supervisor.post(f"/feedback/rounds/{item.id}/release")
    assert 'id="results"' not in client.get(f"/feedback/rounds/{item.id}").get_data(as_text=True)
    assert app.test_client().post(path, data=patient_answers("excellent")).status_code == 302
    page = supervisor.get(f"/feedback/rounds/{item.id}").get_data(as_text=True)
    assert "1 response. This roadmap sets no minimum number." in page and 'id="results"' in page
    assert supervisor.post(f"/feedback/rounds/{item.id}/release").status_code == 302
    assert 'id="results"' in client.get(f"/feedback/rounds/{item.id}").get_data(as_text=True)


def test_incomplete_form_is_refused_with_errors(app, client, team, make_item, login, session):
    item = make_item("psq", status="draft")
    login(client, team.candidate)
    open_round(client, item.id)
    path = _poster_path(client, item)
    response = app.test_client().post(path, data={"answer_welcome": "good"})
    assert response.status_code == 400 and "There is a problem" in response.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(FeedbackResponse)) == 0


def test_poster_link_is_rate_limited(app, client, team, make_item, login, monkeypatch):
    monkeypatch.setattr(links, "PSQ_PER_ADDRESS", 3)
    item = make_item("psq", status="draft")
    login(client, team.candidate)
    open_round(client, item.id)
    path = _poster_path(client, item)
    patient = app.test_client()
    for _ in range(3):
        assert patient.post(path, data=patient_answers()).status_code == 302
    refused = patient.post(path, data=patient_answers())
    assert refused.status_code == 429 and "Too many" in refused.get_data(as_text=True)


def test_guessing_links_is_limited(app, monkeypatch):
    monkeypatch.setattr(links, "BAD_LINKS_PER_ADDRESS", 3)
    guesser = app.test_client()
    for number in range(3):
        assert guesser.get(f"/feedback/patient/guess{number}").status_code == 404
    assert guesser.get("/feedback/colleague/another-guess").status_code == 429

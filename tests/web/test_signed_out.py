"""A form sent with no session behind it (it ended, or its cookie was deleted) says so and
offers "Sign in again", back to the page the person was on; never a dead end."""
from __future__ import annotations

import html


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_form_sent_without_a_session_offers_sign_in_again_back_to_its_page(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    sent = client.post("/supervision/items/5", data={"answer_reasoning": "Good"},
                       headers={"Referer": "http://localhost/supervision/items/5?tab=2"})
    assert sent.status_code == 400
    page = _page(sent)
    assert "you are signed out" in page and "What you sent was not saved" in page
    assert '<a href="/sign-in?next=/supervision/items/5?tab%3D2">Sign in again</a>' in page


def test_without_a_referrer_of_ours_it_returns_to_the_forms_own_path(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    for headers in ({}, {"Referer": "https://evil.example/supervision"}):
        page = _page(client.post("/stages/3/stage2", data={}, headers=headers))
        assert '<a href="/sign-in?next=/stages/3/stage2">Sign in again</a>' in page


def test_the_sign_in_form_itself_just_offers_sign_in(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    page = _page(client.post("/sign-in", data={"email": "a@example.nhs.uk"},
                             headers={"Referer": "http://localhost/sign-in"}))
    assert '<a href="/sign-in">Sign in again</a>' in page


def test_someone_still_signed_in_is_told_to_reload_not_to_sign_in(app, client, login, team):
    login(client, team.candidate)
    app.config["WTF_CSRF_ENABLED"] = True
    page = _page(client.post(f"/stages/{team.enrolment.id}/stage2", data={}))
    assert "Go back, reload the page and submit it again" in page
    assert "Sign in again" not in page

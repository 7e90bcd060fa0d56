"""The words are right for who is looking: names, not "Assigned"; "your" only for one's own."""
from __future__ import annotations

import html
import re

from roadmap.supervision.models import CapabilityRating
from tests.providers.approvals import stage_in


def _text(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _words(response) -> str:
    return re.sub(r"\s+", " ", _text(response))


def test_the_candidate_page_names_the_team(client, login, team):
    login(client, team.backup)
    page = _words(client.get(f"/supervision/candidates/{team.enrolment.id}"))
    assert "Primary supervisor Dr Primary" in page
    assert "Backup supervisor Bea Backup (you)" in page
    assert "Assigned" not in page


def test_your_rating_only_for_the_viewers_own(app, client, login, session, team, make_item):
    communication = make_item.capabilities["1"]
    session.add(CapabilityRating(enrolment_id=team.enrolment.id, capability_id=communication.id,
                                 rater_kind="supervisor", rating="capable",
                                 rated_by_id=team.primary.id))
    session.commit()
    login(client, team.backup)
    page = _words(client.get(f"/supervision/candidates/{team.enrolment.id}"))
    assert "Your rating" not in page and "your rating" not in page
    assert "Capable (Dr Primary)" in page
    heading = _words(client.get(f"/supervision/candidates/{team.enrolment.id}/headings/"
                                f"{communication.id}"))
    assert "rated by Dr Primary" in heading and "Your rating replaces Dr Primary's" in heading
    assert 'checked' not in client.get(f"/supervision/candidates/{team.enrolment.id}/headings/"
                                       f"{communication.id}").get_data(as_text=True).split(
        'name="rate-rating"', 1)[1].split("</fieldset>", 1)[0]
    primary = app.test_client()
    login(primary, team.primary)
    own = _words(primary.get(f"/supervision/candidates/{team.enrolment.id}"))
    assert "Capable (your rating)" in own


def test_returned_reads_for_who_is_looking(app, client, login, team, make_item):
    item = make_item("cbd", status="returned")
    login(client, team.primary)
    for url in (f"/supervision/candidates/{team.enrolment.id}",
                f"/supervision/items/{item.id}", f"/portfolio/evidence/{item.id}"):
        page = _words(client.get(url))
        assert "Returned to you" not in page, url
        assert "Returned to the candidate" in page, url
    candidate = app.test_client()
    login(candidate, team.candidate)
    assert "Returned to you" in _words(candidate.get(f"/portfolio/evidence/{item.id}"))
    assert "Returned to you" in _words(candidate.get("/portfolio/evidence"))


def test_a_stage_with_no_must_be_met_checks_shows_no_empty_heading(client, login, team):
    """Issue 17 #9: stage 1 has guidance only; "Must be met" with nothing under it read as a
    fault. Stage 2 has must-be-met checks, and shows them."""
    login(client, team.candidate)
    stage1 = _words(client.get(f"/stages/{team.enrolment.id}/stage1"))
    assert "Guidance" in stage1
    assert "Must be met" not in stage1
    assert "cannot be signed off until each of these is met" not in stage1
    stage2 = _words(client.get(f"/stages/{team.enrolment.id}/stage2"))
    assert "Must be met" in stage2


def test_the_candidate_reads_their_own_checklist_in_the_second_person(client, login, team):
    """Issue 17 #14: the candidate was told "The candidate has rated themselves…"."""
    login(client, team.candidate)
    own = _words(client.get(f"/stages/{team.enrolment.id}/stage2"))
    assert "You have rated yourself on every heading" in own
    assert "The candidate has rated themselves" not in own
    client.post("/sign-out")
    login(client, team.primary)
    theirs = _words(client.get(f"/stages/{team.enrolment.id}/stage2"))
    assert "The candidate has rated themselves on every heading" in theirs


def test_a_signed_off_stage_tells_its_sign_off_in_the_past(client, login, session, team):
    """Issue 17 #14: after sign-off the page still said the reason "is kept … and shown to
    whoever approves next"."""
    login(client, team.candidate)
    assert "shown to whoever approves next" in _words(client.get(f"/stages/{team.enrolment.id}/stage1"))
    stage_in(session, team.enrolment, "stage1", "complete")
    done = _words(client.get(f"/stages/{team.enrolment.id}/stage1"))
    assert "whoever approves next" not in done
    assert "each reason was kept with the sign-off and shown to the education provider" in done


def test_a_supervisor_reads_the_candidates_answers_under_third_person_labels(app, client, login,
                                                                             team, make_item):
    """Issue 17 #5: the supervisor saw "What you would like to discuss" on a candidate's CBD."""
    item = make_item("cbd", status="submitted")
    assert item.fields.get("questions")
    login(client, team.primary)
    for url in (f"/supervision/items/{item.id}", f"/portfolio/evidence/{item.id}"):
        page = _words(client.get(url))
        assert "What the candidate would like to discuss" in page, url
        assert "What you would like to discuss" not in page, url
    candidate = app.test_client()
    login(candidate, team.candidate)
    own = _words(candidate.get(f"/portfolio/evidence/{item.id}"))
    assert "What you would like to discuss" in own
    assert "What the candidate would like to discuss" not in own

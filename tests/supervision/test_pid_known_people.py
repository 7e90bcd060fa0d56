"""A supervisor's assessment naming the candidate (or a fellow supervisor) beside a patient's
cues raises no patient-identifier warning, over HTTP (issue 22's attack): the service tells the
check who is staff around this portfolio; a patient named in the same place is still flagged."""
from __future__ import annotations

import html

from tests.fixtures.msk import assessor_answers

KNOWN = "Jo Candidate saw a gentleman with knee pain; Bea Backup and I watched."
PATIENT = "Jo Candidate saw Harold Finch, a gentleman with knee pain."


def _form(make_item, item, reasoning):
    answers = {**assessor_answers(make_item, "cbd"), "reasoning": reasoning}
    return {**{f"answer_{code}": value for code, value in answers.items() if value is not None},
            "lock_version": item.lock_version}


def test_the_candidate_named_in_the_assessment_is_not_a_patient(client, login, team, make_item):
    item = make_item("cbd")
    login(client, team.primary)
    sent = client.post(f"/supervision/items/{item.id}", data=_form(make_item, item, KNOWN))
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/check")


def test_a_patient_beside_the_candidate_still_is(client, login, team, make_item):
    item = make_item("cbd")
    login(client, team.primary)
    refused = client.post(f"/supervision/items/{item.id}", data=_form(make_item, item, PATIENT))
    assert refused.status_code == 400
    page = html.unescape(refused.get_data(as_text=True))
    assert "Harold Finch</mark>" in page and "Jo Candidate</mark>" not in page

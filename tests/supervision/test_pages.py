"""The supervision pages over HTTP: inbox, assess and sign, return, ratings, stage, timeline."""
from __future__ import annotations

import datetime as dt

import pyotp
import pytest
import sqlalchemy as sa

from roadmap import clock
from roadmap.accounts.models import UserSession
from roadmap.cohorts.models import Cohort
from roadmap.portfolio.models import Evidence
from roadmap.supervision.models import CapabilityRating, Signature
from tests.fixtures.apps import TEST_PASSWORD
from tests.fixtures.msk import assessor_answers


def _form(answers):
    data = {}
    for code, value in answers.items():
        if value is not None:
            data[f"answer_{code}"] = value
    return data


def _stale(session):
    for record in session.scalars(sa.select(UserSession)):
        record.reauthenticated_at = record.reauthenticated_at - dt.timedelta(minutes=10)
    session.commit()


def test_inbox_lists_waiting_items_oldest_first(client, login, session, team, make_item):
    newer, older = make_item("cbd"), make_item("cot")
    older.submitted_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=9)
    newer.submitted_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=2)
    older.title, newer.title = "Older COT", "Newer CBD"
    session.commit()
    login(client, team.primary)
    page = client.get("/supervision").get_data(as_text=True)
    assert page.index("Older COT") < page.index("Newer CBD")
    assert "9 days" in page and "Over 7 days" in page
    assert "Jo Candidate" in page


def test_backup_sees_items_waiting_on_the_primary(client, login, team, make_item):
    make_item("cbd")
    login(client, team.backup)
    page = client.get("/supervision").get_data(as_text=True)
    assert "Waiting for your co-supervisors (1)" in page and "Dr Primary" in page


def test_sign_from_the_assess_page(client, login, session, team, make_item, signs):
    item = make_item("cbd")
    login(client, team.primary)
    page = client.get(f"/supervision/items/{item.id}")
    assert page.status_code == 200 and b"Your assessment" in page.data
    data = {**_form(assessor_answers(make_item, "cbd")), "lock_version": item.lock_version}
    response = signs(client, f"/supervision/items/{item.id}", data, follow_redirects=True)
    assert f"You signed “{item.title}” on ".encode() in response.data
    session.rollback()
    session.expire_all()
    assert session.get(Evidence, item.id).status == "signed"


def test_signing_needs_a_recent_password_or_code(client, login, session, team, make_item, signs):
    item = make_item("cbd")
    login(client, team.primary)
    _stale(session)
    data = {**_form(assessor_answers(make_item, "cbd")), "lock_version": item.lock_version}
    refused = signs(client, f"/supervision/items/{item.id}", data)
    assert refused.status_code == 400
    assert b"Enter your password or a current code" in refused.data
    wrong = signs(client, f"/supervision/items/{item.id}", data, identity="not-the-password")
    assert wrong.status_code == 400 and b"The password or code is not right" in wrong.data
    assert b"Enter your password or a current code" not in wrong.data
    accepted = signs(client, f"/supervision/items/{item.id}", data, identity=TEST_PASSWORD)
    assert accepted.status_code == 302
    session.rollback()
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 1


def test_missing_criteria_are_shown_beside_the_fields(client, login, team, make_item):
    item = make_item("cot")
    login(client, team.primary)
    answers = assessor_answers(make_item, "cot")
    answers.pop("pc4")
    response = client.post(f"/supervision/items/{item.id}",
                           data={**_form(answers), "lock_version": item.lock_version})
    assert response.status_code == 400
    assert b"There is a problem" in response.data and b'href="#answer_pc4"' in response.data


def test_return_from_the_assess_page(client, login, session, team, make_item):
    item = make_item("cbd")
    login(client, team.primary)
    response = client.post(f"/supervision/items/{item.id}/return",
                           data={"comment": "Please add a reflection.", "lock_version": item.lock_version},
                           follow_redirects=True)
    assert b"You returned" in response.data
    session.rollback()
    session.expire_all()
    assert session.get(Evidence, item.id).status == "returned"


def test_stale_form_says_what_happened(client, login, session, team, make_item, signs):
    item = make_item("cbd")
    login(client, team.primary)
    response = signs(client, f"/supervision/items/{item.id}", {
        **_form(assessor_answers(make_item, "cbd")), "lock_version": item.lock_version - 1},
        follow_redirects=True)
    assert "changed this item after you opened it" in response.get_data(as_text=True)


def test_rate_a_heading(client, login, session, team, make_item):
    cap = make_item.capabilities["3"]
    login(client, team.primary)
    page = client.get(f"/supervision/candidates/{team.enrolment.id}/headings/{cap.id}")
    assert b"History-taking" in page.data
    client.post(f"/supervision/candidates/{team.enrolment.id}/headings/{cap.id}",
                data={"rate-rating": "excellent", "rate-justification": "Thorough."})
    session.rollback()
    session.expire_all()
    rating = session.scalar(sa.select(CapabilityRating).where(CapabilityRating.rater_kind == "supervisor"))
    assert rating.rating == "excellent" and rating.capability_id == cap.id


# On version 1 the supervisor's sign-off completes Stage 2 at once; on version 2 it waits for
# the education provider (tests/providers/).
@pytest.mark.msk_v1
def test_backup_signs_stage2_for_the_primary_over_http(app, client, login, session,
                                                      ready_for_stage2, signs):
    team = ready_for_stage2
    candidate = app.test_client()
    login(candidate, team.candidate)
    url = f"/stages/{team.enrolment.id}/stage2"
    assert b"Your declarations" in candidate.get(url).data
    assert signs(candidate, url, {"declarations": "candidate_own_work"}).status_code == 302
    login(client, team.backup)
    page = client.get(url)
    assert b"Why are you signing for the primary supervisor?" in page.data
    refused = client.post(url, data={"declarations": "supervisor_verified"})
    assert refused.status_code == 400  # the reason is required: said beside the field
    assert b"Say why you are signing for the primary supervisor" in refused.data
    signed = signs(client, url, {"declarations": "supervisor_verified",
                                 "acting_reason": "Dr Primary is on leave"}, follow_redirects=True)
    text = signed.get_data(as_text=True)
    assert "is signed off" in text and "Verification code" in text
    assert "backup supervisor acting for the primary supervisor (Dr Primary is on leave)" in text
    timeline = client.get(f"/timeline/{team.enrolment.id}").get_data(as_text=True)
    assert "Signed off the stage as backup supervisor, acting for the primary" in timeline


def test_hub_lead_sees_the_checklist_but_not_what_is_missing_in_detail(client, login, session,
                                                                       make_user, team):
    import pyotp
    from roadmap.cohorts.models import Cohort
    hub_id = session.get(Cohort, team.enrolment.cohort_id).hub_id
    lead = make_user("lead@example.nhs.uk", roles=("hub_lead",), hub_id=hub_id,
                     totp_secret=pyotp.random_base32())
    login(client, lead)
    page = client.get(f"/stages/{team.enrolment.id}/stage2")
    assert page.status_code == 200 and b"Checklist" in page.data
    assert b"Your declarations" not in page.data
    assert client.get(f"/timeline/{team.enrolment.id}").status_code == 404


def test_a_changed_item_keeps_its_signed_version_readable(app, client, login, session, team,
                                                          make_item):
    from roadmap.portfolio import service as portfolio
    from roadmap.supervision import review
    from tests.fixtures.msk import TODAY

    item = make_item("cbd")
    signature = review.sign_evidence(session, item.id, team.primary,
                                     assessor_answers(make_item, "cbd"), item.lock_version, TODAY)
    session.commit()
    session.refresh(item)
    original_title = item.title
    portfolio.update_evidence(session, item, team.candidate, item.lock_version,
                              "A new title after signing", item.occurred_on, item.fields,
                              portfolio.current_links(session, item))
    session.commit()
    login(client, team.candidate)
    page = client.get(f"/portfolio/evidence/{item.id}").get_data(as_text=True)
    assert "A new title after signing" in page and "Changed since signed" in page
    assert "Read version 1 as it was signed" in page and original_title in page
    assert signature.content_hash in page and "Dr Primary, primary supervisor" in page


def test_the_hub_and_the_supervisor_count_the_same_days_for_an_item(client, login, session, team,
                                                                     make_item, make_user):
    """Issue 17 #7: an item sent one evening 17 days ago (London) was "oldest for 18 days" on
    the hub's page and "17 days" in the inbox. Both now count days in England: 17."""
    item = make_item("cbd")
    evening = dt.datetime.combine(clock.today() - dt.timedelta(days=17), dt.time(23, 30),
                                  clock.LONDON)
    item.submitted_at = evening.astimezone(dt.timezone.utc)
    session.commit()
    login(client, team.primary)
    inbox = client.get("/supervision").get_data(as_text=True)
    assert "17 days" in inbox and "16 days" not in inbox
    client.post("/sign-out")
    hub_id = session.get(Cohort, team.enrolment.cohort_id).hub_id
    lead = make_user("lead17@example.nhs.uk", roles=("hub_lead",), hub_id=hub_id,
                     totp_secret=pyotp.random_base32())
    login(client, lead)
    cohort = client.get(f"/cohorts/{team.enrolment.cohort_id}").get_data(as_text=True)
    assert "oldest for 17 days" in cohort

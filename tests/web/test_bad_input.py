"""What people and scripts may send: each answer is a page saying what is wrong, never a 500."""
from __future__ import annotations

import io
import re

import pyotp
import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from bench.dashboard import framework
from roadmap.accounts.models import User
from roadmap.cohorts import service
from roadmap.cohorts.models import Enrolment
from roadmap.portfolio.models import Evidence
from roadmap.supervision.models import Signature
from tests.feedback.helpers import ASSESSOR, sign_by_ticket
from tests.fixtures.apps import through_check
from tests.fixtures.msk import assessor_answers

HUGE = 10**23
BEYOND = [str(HUGE), str(2**31), "9" * 5000]
HEADER = ("full_name,email,profession,employer,route,enrolled_on,stage2_started_on,target_on,"
          "primary_supervisor_email,backup_supervisor_email\n")


@pytest.fixture
def everyone(session, make_user):
    """One account holding every role (hub lead of a hub of its own), signed in with its code."""
    hub = service.create_hub(session, "Hub Everyone", None, None, None)
    session.commit()
    return make_user("all@example.nhs.uk", roles=("candidate", "supervisor", "hub_lead", "admin"),
                     hub_id=hub.id, totp_secret=pyotp.random_base32())


@pytest.fixture
def place(session, make_user):
    """A hub lead's cohort on a loaded roadmap, and a person who is candidate and supervisor."""
    version = framework(session)
    hub = service.create_hub(session, "Hub A", None, None, None)
    cohort = service.create_cohort(session, hub, "Spring", None, None)
    session.commit()
    lead = make_user("lead@example.nhs.uk", roles=("hub_lead",), hub_id=hub.id,
                     totp_secret=pyotp.random_base32())
    both = make_user("both@example.nhs.uk", roles=("candidate", "supervisor"))
    return {"version": version, "cohort": cohort, "lead": lead, "both": both}


def _id_routes(app):
    """(rule, method) for every route with an integer in its path."""
    for rule in app.url_map.iter_rules():
        if "<int:" in rule.rule:
            method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS"})[0]
            yield rule, method


@pytest.mark.parametrize("number", BEYOND)
def test_an_id_beyond_the_database_integer_is_not_found_on_every_route(
        app, client, login, everyone, number):
    login(client, everyone)
    routes = list(_id_routes(app))
    assert len(routes) > 20
    for rule, method in routes:
        path = re.sub(r"<int:\w+>", number, rule.rule)
        path = re.sub(r"<(?:\w+:)?\w+>", "x", path)
        response = client.open(path, method=method)
        assert response.status_code == 404, (method, path, response.status_code)


def test_page_numbers_out_of_range_are_not_found_and_words_are_page_one(client, login, everyone):
    login(client, everyone)
    for page in (str(HUGE), str(2**31), "-1", "0"):
        assert client.get(f"/people/?page={page}").status_code == 404, page
    for page in ("abc", "", "1.5", "٣"):
        response = client.get(f"/people/?page={page}")
        assert response.status_code == 200 and "all@example.nhs.uk" in response.get_data(as_text=True)


def test_timeline_page_out_of_range_is_not_found(client, login, team):
    login(client, team.candidate)
    path = f"/timeline/{team.enrolment.id}"
    assert client.get(path).status_code == 200
    assert client.get(f"{path}?page={HUGE}").status_code == 404
    assert client.get(f"{path}?page=abc").status_code == 200


@pytest.mark.parametrize("lock_version", ["abc", str(HUGE), "", "-3", "1e3"])
def test_sign_and_return_with_a_garbled_lock_version_say_the_item_changed(
        client, login, session, team, make_item, lock_version):
    item = make_item("cbd")
    login(client, team.primary)
    answers = {f"answer_{code}": value for code, value in assessor_answers(make_item, "cbd").items()
               if value is not None}
    for action, data in (("", answers), ("/return", {"comment": "Add your plan."})):
        # Signing is confirmed on the check page, where the garbled version is found out.
        response = through_check(client, f"/supervision/items/{item.id}{action}",
                                 {**data, "lock_version": lock_version})
        assert response.status_code == 302, (action, response.status_code)
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "changed this item after you opened it" in page and "Reload it" in page
    session.rollback()
    session.expire_all()
    assert session.get(Evidence, item.id).status == "submitted"
    assert session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 0


@pytest.mark.parametrize("lock_version", ["abc", str(HUGE)])
def test_public_assessor_form_with_a_garbled_lock_version_signs_nothing(
        app, client, session, team, make_item, login, mailbox, lock_version):
    item = make_item("cot", status="draft")
    login(client, team.candidate)
    asked = client.post(f"/feedback/items/{item.id}/assessor",
                        data={"name": "Ext Assessor", "email": "ext@example.nhs.uk"})
    assert asked.status_code == 302, asked.data[:2000]
    path = mailbox.link(mailbox.to("ext@example.nhs.uk")[0])
    data = MultiDict({**ASSESSOR, "lock_version": lock_version})
    for code, value in assessor_answers(make_item, "cot").items():
        for one in (value if isinstance(value, list) else [value]):
            if one is not None:
                data.add(f"answer_{code}", str(one))
    response = sign_by_ticket(app.test_client(), path, data)
    assert response.status_code == 409
    assert "The item changed since you opened this page" in response.get_data(as_text=True)
    session.rollback()
    session.expire_all()
    assert session.get(Evidence, item.id).status == "draft"


def _upload(client, place, text, version=None):
    return client.post(f"/cohorts/{place['cohort'].id}/import", data={
        "framework_version_id": str(place["version"].id) if version is None else version,
        "file": (io.BytesIO(text.encode()), "cohort.csv")}, content_type="multipart/form-data")


@pytest.mark.parametrize("value", ["abc", str(HUGE), ""])
def test_csv_upload_with_a_garbled_roadmap_asks_for_one(client, login, session, place, value):
    login(client, place["lead"])
    text = HEADER + "Jamie Patel,jamie@example.nhs.uk,,,portfolio,06/01/2026,,,,\n"
    response = _upload(client, place, text, value)
    assert response.status_code == 200
    assert "Select a roadmap" in response.get_data(as_text=True)
    assert client.get(f"/cohorts/{place['cohort'].id}/import/check").status_code == 302
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 0


def test_a_csv_row_making_a_candidate_their_own_supervisor_fails_the_dry_run(
        client, login, session, place):
    login(client, place["lead"])
    text = HEADER + "Both Ways,both@example.nhs.uk,,,portfolio,06/01/2026,,,both@example.nhs.uk,\n"
    checked = client.post(f"/cohorts/{place['cohort'].id}/import", data={
        "framework_version_id": str(place["version"].id),
        "file": (io.BytesIO(text.encode()), "cohort.csv")}, content_type="multipart/form-data")
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200
    assert "Row 2, column primary_supervisor_email: A candidate cannot supervise themselves" in page
    assert "Import 1 candidate" not in page
    forced = client.post(f"/cohorts/{place['cohort'].id}/import/check")  # nothing was kept
    assert forced.status_code == 302
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 0


def test_a_csv_with_a_year_beyond_2100_or_a_megabyte_name_fails_the_dry_run(
        client, login, session, place):
    login(client, place["lead"])
    text = (HEADER + "Far Future,far@example.nhs.uk,,,portfolio,06/01/2026,01/01/9999,,,\n"
            + "A" * 300 + ",long@example.nhs.uk,,,portfolio,06/01/2026,,,,\n")
    response = _upload(client, place, text)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Row 2, column stage2_started_on: Enter a date between 1900 and 2100" in page
    assert "Row 3, column full_name: Write at most 200 characters" in page
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 0


@pytest.mark.parametrize("field, value", [("stage2_started_on", "01/01/9999"),
                                          ("enrolled_on", "01/01/0001"),
                                          ("target_on", "31/12/2101")])
def test_enrolment_dates_beyond_1900_to_2100_are_explained_next_to_the_field(
        client, login, session, place, field, value):
    login(client, place["lead"])
    day, month, year = value.split("/")
    data = {"full_name": "Nia New", "email": "nia@example.nhs.uk", "route": "portfolio",
            "framework_version_id": str(place["version"].id), "employer_id": "0",
            "enrolled_on": "01/09/2026", f"{field}-day": day, f"{field}-month": month,
            f"{field}-year": year}
    response = client.post(f"/cohorts/{place['cohort'].id}/enrol", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("Enter a date between 1900 and 2100") == 2  # the summary and the field
    assert f'name="{field}-year" type="text" value="{year}"' in page
    session.rollback()
    assert session.scalar(sa.select(User).where(User.email == "nia@example.nhs.uk")) is None


def test_an_evidence_date_beyond_2100_is_explained_next_to_the_field(client, login, session, team):
    login(client, team.candidate)
    response = client.post("/portfolio/evidence/new/learning_log",
                           data={"title": "Far away", "occurred_on": "9999-01-01", "action": "draft"})
    assert response.status_code == 200
    assert "Enter a date between 1900 and 2100" in response.get_data(as_text=True)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 0


def test_a_nul_character_in_a_path_is_refused_with_a_message(client, login, session, team):
    # In form and query values NULs are dropped as they are parsed (tests/fuzz/test_findings.py).
    login(client, team.candidate)
    response = client.get("/portfolio/evidence/new/learning%00log")
    assert response.status_code == 400
    assert "invisible control character (NUL)" in response.get_data(as_text=True)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 0


def test_an_observed_wpba_date_beyond_2100_gets_one_clear_message(client, login, session, team):
    login(client, team.primary)
    response = client.post(f"/supervision/candidates/{team.enrolment.id}/observed", data={
        "type_code": "cot", "title": "Knee clinic", "occurred_on": "9999-01-01", "record": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a date between 1900 and 2100" in page
    assert "Enter the date you observed it" not in page
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 0


def test_a_csv_with_nul_characters_imports_without_them(client, login, session, place):
    login(client, place["lead"])
    text = HEADER + "Ja\x00mie Patel,jamie@example.nhs.uk,,,portfolio,06/01/2026,,,,\n"
    checked = _upload(client, place, text)
    assert checked.status_code == 302
    check = checked.headers["Location"]
    assert "Import 1 candidate" in client.get(check).get_data(as_text=True)
    done = client.post(check)
    assert done.status_code == 302, done.get_data(as_text=True)[:1000]
    session.rollback()
    assert session.scalar(sa.select(User.full_name).where(User.email == "jamie@example.nhs.uk")) \
        == "Jamie Patel"

"""Bulk enrolment from CSV: every problem by row and column, all or nothing, invitations."""
from __future__ import annotations

import datetime as dt
import html
import io
import re

import pyotp
import pytest
import sqlalchemy as sa

from bench.dashboard import framework
from roadmap.accounts.models import User
from roadmap.cohorts import csv_import, service
from roadmap.cohorts.models import Cohort, Enrolment
from roadmap.portfolio.models import DraftAutosave
from roadmap.supervision.models import SupervisorAssignment

HEADER = ("full_name,email,profession,employer,route,enrolled_on,stage2_started_on,target_on,"
          "primary_supervisor_email,backup_supervisor_email\n")


@pytest.fixture
def place(session, make_user):
    """A hub with a cohort, an employer, two supervisors and its lead; committed."""
    version = framework(session)
    hub = service.create_hub(session, "Hub A", None, 50, None)
    cohort = service.create_cohort(session, hub, "Spring 2026", None, None)
    service.add_employer(session, "Chiltern FCP Partners", None)
    session.commit()
    lead = make_user("lead@example.nhs.uk", roles=("hub_lead",), hub_id=hub.id,
                     totp_secret=pyotp.random_base32())
    make_user("priya@example.nhs.uk", roles=("supervisor",), full_name="Dr Priya Shah")
    make_user("tom@example.nhs.uk", roles=("supervisor",), full_name="Tom Hughes")
    return {"hub": hub, "cohort": cohort, "lead": lead, "version": version}


def rows(*lines: str) -> str:
    return HEADER + "".join(line + "\n" for line in lines)


GOOD = rows(
    "Jamie Patel,jamie@example.nhs.uk,Physiotherapist,Chiltern FCP Partners,portfolio,"
    "06/01/2026,02/03/2026,,priya@example.nhs.uk,tom@example.nhs.uk",
    "Olivia Carter,olivia@example.nhs.uk,Osteopath,,taught,2026-01-06,,,tom@example.nhs.uk,")


def upload(client, cohort_id, version_id, text):
    return client.post(f"/cohorts/{cohort_id}/import", data={
        "framework_version_id": str(version_id),
        "file": (io.BytesIO(text.encode("utf-8-sig")), "cohort.csv")},
        content_type="multipart/form-data")


def test_dry_run_lists_every_problem_by_row_and_column(session, place):
    text = rows(
        "Ann Able,ann@example.nhs.uk,,,portfolio,06/01/2026,,,nobody@example.nhs.uk,",
        "Ben Bee,dup@example.nhs.uk,,,portfolio,31/02/2026,,,,",
        "Cat Cee,dup@example.nhs.uk,,Nowhere Ltd,portfolio,06/01/2026,,,,",
        ",not-an-email,,,sideways,,,,,")
    plan = csv_import.dry_run(session, place["cohort"], place["version"], text, dt.date(2026, 3, 1))
    found = {(p.row, p.column) for p in plan.problems}
    assert (2, "primary_supervisor_email") in found  # unknown supervisor
    assert (3, "email") in found and (4, "email") in found  # duplicate email
    assert (3, "enrolled_on") in found  # bad date
    assert (4, "employer") in found  # unknown employer
    assert {(5, "full_name"), (5, "email"), (5, "route"), (5, "enrolled_on")} <= found
    assert not plan.ok and plan.rows == []


def test_a_csv_with_one_bad_row_imports_nothing_and_names_the_row(client, login, session, place, mailbox):
    text = GOOD + "Bad Date,bad@example.nhs.uk,,,portfolio,2026-13-40,,,,\n"
    login(client, place["lead"])
    checked = upload(client, place["cohort"].id, place["version"].id, text)
    assert checked.status_code == 200
    page = checked.get_data(as_text=True)
    assert "Row 4, column enrolled_on" in page and "nothing was imported" in page
    assert "Import 2 candidates" not in page
    # Nothing waits to be imported: a file with problems is never kept for the check page.
    forced = client.post(f"/cohorts/{place['cohort'].id}/import/check")
    assert forced.status_code == 302 and forced.headers["Location"].endswith(
        f"/cohorts/{place['cohort'].id}")
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 0
    assert session.scalar(sa.select(User).where(User.email == "jamie@example.nhs.uk")) is None
    assert mailbox.messages == []


def test_a_clean_csv_enrols_everyone_and_sends_the_invitations(client, login, session, place, mailbox):
    login(client, place["lead"])
    checked = upload(client, place["cohort"].id, place["version"].id, GOOD)
    page = client.get(checked.headers["Location"]).get_data(as_text=True)
    assert "Import 2 candidates and send invitations" in page
    assert session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 0  # dry run
    done = client.post(checked.headers["Location"], follow_redirects=True)
    assert done.status_code == 200 and "2 candidates enrolled" in done.get_data(as_text=True)
    session.rollback()
    enrolments = {e.candidate.email: e for e in session.scalars(
        sa.select(Enrolment).options(sa.orm.selectinload(Enrolment.candidate)))}
    assert set(enrolments) == {"jamie@example.nhs.uk", "olivia@example.nhs.uk"}
    jamie = enrolments["jamie@example.nhs.uk"]
    assert jamie.framework_version_id == place["version"].id
    assert jamie.stage2_started_on == dt.date(2026, 3, 2)
    assert jamie.target_on == dt.date(2026, 9, 2)  # six months from the Stage 2 start
    assert enrolments["olivia@example.nhs.uk"].route == "taught"
    kinds = session.execute(sa.select(SupervisorAssignment.enrolment_id, SupervisorAssignment.kind)).all()
    assert sorted(k for e, k in kinds if e == jamie.id) == ["backup", "primary"]
    for address, told in (("jamie@example.nhs.uk", {"Dr Priya Shah is now your primary supervisor",
                                                     "Tom Hughes is now your backup supervisor"}),
                          ("olivia@example.nhs.uk", {"Tom Hughes is now your primary supervisor"})):
        [message] = [m for m in mailbox.to(address) if m["Subject"] == "You have been invited to Roadmap"]
        assert mailbox.link(message).startswith("/")
        assert {m["Subject"] for m in mailbox.to(address)} - {message["Subject"]} == told


def test_the_template_downloads_with_every_column(client, login, place):
    login(client, place["lead"])
    response = client.get("/cohorts/import-template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    header = response.get_data(as_text=True).splitlines()[0].split(",")
    assert tuple(header) == csv_import.COLUMNS


def test_dates_and_headers_are_read_as_spreadsheets_write_them():
    assert csv_import.parse_date("3/2/2026") == dt.date(2026, 2, 3)
    assert csv_import.parse_date("2026-02-03") == dt.date(2026, 2, 3)
    assert csv_import.parse_date("29/02/2026") is None
    plan = csv_import.Plan()
    assert csv_import._records("Full Name,Email,Enrolled On,colour\n", plan) == []
    assert [(p.row, p.column) for p in plan.problems][:1] == [(1, "colour")]


def test_another_hubs_lead_cannot_import_into_this_cohort(client, login, session, place, make_user):
    other = service.create_hub(session, "Hub B", None, None, None)
    session.commit()
    lead_b = make_user("leadb@example.nhs.uk", roles=("hub_lead",), hub_id=other.id,
                       totp_secret=pyotp.random_base32())
    login(client, lead_b)
    assert upload(client, place["cohort"].id, place["version"].id, GOOD).status_code == 404
    assert client.get(f"/cohorts/{place['cohort'].id}").status_code == 404
    assert session.scalar(sa.select(sa.func.count()).select_from(Cohort)) == 1


# Check the import before anyone is enrolled: who, on which roadmap, by whom; once.

def _checked_text(response) -> str:
    """A page's words, tags and spacing aside."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ",
                                                    response.get_data(as_text=True))))


def _enrolments(session) -> int:
    session.rollback()
    return session.scalar(sa.select(sa.func.count()).select_from(Enrolment))


def test_the_import_is_read_back_then_made_once(client, login, session, place):
    login(client, place["lead"])
    cohort = place["cohort"]
    checked = upload(client, cohort.id, place["version"].id, GOOD)
    check = f"/cohorts/{cohort.id}/import/check"
    assert checked.status_code == 302 and checked.headers["Location"].endswith(check)
    assert _enrolments(session) == 0
    page = _checked_text(client.get(check))
    assert "Check the import before you enrol anyone" in page
    assert "Candidates 2 candidates" in page and "Jamie Patel" in page and "Olivia Carter" in page
    assert "Capacity Hub lead, Hub A" in page
    assert "Import 2 candidates and send invitations" in page
    assert client.post(check, data={}).status_code == 302
    again = client.post(check, data={}, follow_redirects=True)
    assert again.status_code == 200 and "Nothing is waiting to be imported" in _checked_text(again)
    assert _enrolments(session) == 2
    assert session.scalar(sa.select(sa.func.count()).select_from(DraftAutosave)) == 0


def test_change_goes_back_with_the_roadmap_chosen(client, login, session, place):
    login(client, place["lead"])
    cohort = place["cohort"]
    upload(client, cohort.id, place["version"].id, GOOD)
    page = client.get(f"/cohorts/{cohort.id}/import").get_data(as_text=True)
    chosen = page.split(f'value="{place["version"].id}"', 1)[1].split(">", 1)[0]
    assert "selected" in chosen

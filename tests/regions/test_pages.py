"""The region pages over HTTP: who sees what, small numbers hidden on the page and in the CSV,
the CSV holding what the pages show, and the administrators' set-up of regions and leads."""
from __future__ import annotations

import csv
import io
import re
from html import unescape

import pyotp
import sqlalchemy as sa

from roadmap.accounts.models import Role, User
from roadmap.accounts.service import create_user
from roadmap.cohorts.models import Cohort, TrainingHub
from roadmap.regions.models import Region, RegionLead
from roadmap.regions.pages import region_report
from roadmap.regions.service import create_region
from roadmap.clock import today
from roadmap.db import utcnow
from tests.fixtures.apps import TEST_PASSWORD

SMALL = {"1", "2", "3", "4"}
# A figure's cell, as a table shows it or as a card on a phone does (its heading beside it).
CELL = re.compile(r'<td[^>]*>(?:<span class="nhsuk-table__heading"[^>]*>[^<]*</span><span>)?'
                  r"(?:<strong>)?([^<]*)(?:</strong>)?(?:</span>)?</td>")


def test_a_regional_lead_sees_their_region_and_nothing_of_another(client, login, session,
                                                                   seeded_regions, regional_lead):
    north, south = seeded_regions["north"], seeded_regions["south"]
    login(client, regional_lead(north))
    assert client.get("/regions/").headers["Location"].endswith(f"/regions/{north.id}")
    page = client.get(f"/regions/{north.id}").get_data(as_text=True)
    for name in ("Alpha Hub", "Beta Hub", "Gamma Hub"):
        assert name in page
    assert "Delta Hub" not in page
    alpha, delta = seeded_regions["Alpha Hub"], seeded_regions["Delta Hub"]
    assert client.get(f"/regions/{north.id}/hubs/{alpha.id}").status_code == 200
    for url in (f"/regions/{south.id}", f"/regions/{south.id}/figures.csv",
                f"/regions/{south.id}/hubs/{delta.id}", f"/regions/{north.id}/hubs/{delta.id}",
                f"/regions/{north.id}/leads", f"/regions/{north.id}/edit",
                f"/hubs/{alpha.id}", f"/cohorts/{session.scalar(sa.select(Cohort.id))}"):
        assert client.get(url).status_code == 404, url
    home = client.get("/home").get_data(as_text=True)
    assert "Your region" in home and "North" in home and "South" not in home


def test_small_numbers_are_fewer_than_5_on_every_page_and_in_the_csv(client, login, session,
                                                                     seeded_regions, regional_lead):
    north = seeded_regions["north"]
    login(client, regional_lead(north))
    bodies = [client.get(f"/regions/{north.id}").get_data(as_text=True)]
    bodies += [client.get(f"/regions/{north.id}/hubs/{seeded_regions[name].id}").get_data(as_text=True)
               for name in ("Alpha Hub", "Beta Hub", "Gamma Hub")]
    cells = [unescape(cell).strip() for body in bodies for cell in CELL.findall(body)]
    dd = [unescape(cell).strip() for body in bodies
          for cell in re.findall(r'<dd class="nhsuk-summary-list__value">\s*([^<]*?)\s*</dd>', body)]
    assert len(cells) > 100 and len(dd) > 60
    assert SMALL.isdisjoint(cells) and SMALL.isdisjoint(dd)
    assert "fewer than 5" in cells and "fewer than 5" in dd
    text = client.get(f"/regions/{north.id}/figures.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert SMALL.isdisjoint(cell for row in rows[1:] for cell in row[1:])
    assert any(cell == "fewer than 5" for row in rows for cell in row)


def test_the_csv_holds_every_figure_the_pages_show(client, login, session, seeded_regions,
                                                   regional_lead):
    north = seeded_regions["north"]
    beta = seeded_regions["Beta Hub"]
    beta.name = "=HYPERLINK(\"http://example.com\")"  # a name an administrator typed
    session.commit()
    login(client, regional_lead(north))
    response = client.get(f"/regions/{north.id}/figures.csv")
    assert response.mimetype == "text/csv"
    assert 'filename="north-' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    report = region_report(session, north, today())
    assert rows[0] == ["Hub", *(column.header for column in report.columns)]
    assert sorted(row[0] for row in rows[1:-1]) == ["'=HYPERLINK(\"http://example.com\")", "Alpha Hub",
                                                    "Gamma Hub"]
    assert rows[-1][0] == "All hubs in North"
    page = unescape(client.get(f"/regions/{north.id}").get_data(as_text=True))
    for row, shown in zip(rows[1:], [*report.hubs, report.total]):
        assert row[1:] == [shown.cells[column.key] for column in report.columns]
    for header in rows[0][1:18]:  # every table's headers are on the page, with their figures
        assert header in page
    assert "All hubs</th>" in page


def test_a_region_without_hubs_says_so(client, login, session, regional_lead):
    empty = create_region(session, "Empty", None, by=None)
    login(client, regional_lead(empty))
    page = client.get(f"/regions/{empty.id}")
    assert page.status_code == 200
    assert "No training hub belongs to this region yet" in page.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(client.get(f"/regions/{empty.id}/figures.csv")
                                       .get_data(as_text=True))))
    assert [row[0] for row in rows[1:]] == ["All hubs in Empty"] and set(rows[1][1:3]) == {"0"}


def test_regional_leads_sign_in_with_a_second_factor(client, session, seeded_regions):
    person = create_user(session, "new.lead@example.nhs.uk", "New Lead", [Role.REGIONAL_LEAD],
                         TEST_PASSWORD, "fast")
    session.commit()
    assert person.needs_two_factor
    response = client.post("/sign-in", data={"email": person.email, "password": TEST_PASSWORD})
    assert response.headers["Location"].endswith("/sign-in/set-up-app")
    assert client.get(f"/regions/{seeded_regions['north'].id}").status_code in (302, 404)


def test_an_administrator_sets_up_a_region_and_its_leads(client, login, session, make_user,
                                                         seeded_regions, mailbox):
    admin = make_user("admin@example.nhs.uk", roles=("admin",), totp_secret=pyotp.random_base32())
    existing = make_user("ics.lead@example.nhs.uk", roles=("supervisor",), full_name="Idris Lead")
    login(client, admin)
    assert "Enter the region" in client.post("/regions/new", data={"name": " "}).get_data(as_text=True)
    bad = client.post("/regions/new", data={"name": "East", "annual_signoff_target": "lots"})
    assert bad.status_code == 200 and "Enter" in bad.get_data(as_text=True)
    assert "already exists" in client.post("/regions/new", data={"name": "north"}).get_data(as_text=True)
    created = client.post("/regions/new", data={"name": "East", "annual_signoff_target": "30"})
    east = session.scalar(sa.select(Region).where(Region.name == "East"))
    assert created.headers["Location"].endswith(f"/regions/{east.id}/leads")
    delta = seeded_regions["Delta Hub"]
    client.post(f"/hubs/{delta.id}/edit", data={"name": "Delta Hub", "region_id": str(east.id)})
    session.rollback()
    assert session.get(TrainingHub, delta.id).region_id == east.id
    added = client.post(f"/regions/{east.id}/leads/add", data={"full_name": "Idris Lead",
                                                            "email": existing.email})
    assert added.status_code == 302
    again = client.post(f"/regions/{east.id}/leads/add", data={"full_name": "Idris Lead",
                                                            "email": existing.email})
    assert again.status_code == 400 and "already leads East" in again.get_data(as_text=True)
    invited = client.post(f"/regions/{east.id}/leads/add", data={"full_name": "Nia New",
                                                              "email": "nia@example.nhs.uk"})
    assert invited.status_code == 302
    session.rollback()
    nia = session.scalar(sa.select(User).where(User.email == "nia@example.nhs.uk"))
    assert nia.has_role(Role.REGIONAL_LEAD) and session.get(User, existing.id).has_role(Role.REGIONAL_LEAD)
    assert [m["Subject"] for m in mailbox.to(existing.email)] == ["You now lead East in Roadmap"]
    assert [m["Subject"] for m in mailbox.to("nia@example.nhs.uk")] == ["You have been invited to Roadmap"]
    lead = session.scalar(sa.select(RegionLead).where(RegionLead.user_id == existing.id))
    client.post(f"/regions/{east.id}/leads/{lead.id}/end")
    client.post("/sign-out")
    session.rollback()
    existing = session.get(User, existing.id)
    existing.totp_secret, existing.totp_confirmed_at = pyotp.random_base32(), utcnow()
    session.commit()
    login(client, existing)
    assert client.get(f"/regions/{east.id}").status_code == 404
    assert "You lead no region" in client.get("/regions/").get_data(as_text=True)


def test_weeks_to_sign_off_of_few_sign_offs_say_what_there_are_few_of(client, login, session,
                                                                     seeded_regions, regional_lead):
    """Issue 17 #2: "fewer than 5" in a weeks column read as under 5 weeks; it means fewer than
    5 sign-offs, and the page and the CSV now say so."""
    north = seeded_regions["north"]
    login(client, regional_lead(north))
    rows = list(csv.reader(io.StringIO(
        client.get(f"/regions/{north.id}/figures.csv").get_data(as_text=True))))
    weeks = [rows[0].index("Median weeks to sign-off"), rows[0].index("Middle half (weeks)")]
    cells = [row[column] for row in rows[1:] for column in weeks]
    assert "fewer than 5" not in cells
    assert "not shown (fewer than 5 sign-offs)" in cells
    page = unescape(client.get(f"/regions/{north.id}").get_data(as_text=True))
    assert re.search(r"Median weeks to sign-off</span><span>not shown \(fewer than 5 sign-offs\)",
                     page)
    assert not re.search(r"(Median weeks to sign-off|Middle half \(weeks\))</span><span>"
                         r"fewer than 5<", page)

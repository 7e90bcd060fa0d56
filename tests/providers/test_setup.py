"""Setting up providers over HTTP: administrators add providers and reviewers; hubs name them."""
from __future__ import annotations

import datetime as dt
import io

import pyotp
import pytest
import sqlalchemy as sa

from bench.dashboard import framework
from roadmap.accounts.models import User
from roadmap.audit.models import AuditEvent
from roadmap.cohorts import csv_import, service as cohorts
from roadmap.cohorts.models import Enrolment
from roadmap.providers import service
from roadmap.providers.models import EducationProvider, ProviderReviewer


def _fresh(session) -> None:
    """See what the requests committed: a new transaction, and nothing kept from before."""
    session.rollback()
    session.expire_all()


@pytest.fixture
def admin(make_user):
    """An administrator, with an authenticator app."""
    return make_user("admin@example.nhs.uk", roles=("admin",), full_name="Ada Admin",
                     totp_secret=pyotp.random_base32())


@pytest.fixture
def hub(session, make_user):
    """A hub with a cohort and its lead, one enrolled candidate, and a provider; committed."""
    version = framework(session)
    place = cohorts.create_hub(session, "Hub A", None, 10, None)
    cohort = cohorts.create_cohort(session, place, "Spring 2026", None, None)
    session.commit()
    lead = make_user("lead@example.nhs.uk", roles=("hub_lead",), hub_id=place.id,
                     totp_secret=pyotp.random_base32())
    provider = EducationProvider(name="University of Example")
    session.add(provider)
    candidate = make_user("jo@example.nhs.uk", full_name="Jo Candidate")
    enrolment = Enrolment(candidate_id=candidate.id, cohort_id=cohort.id,
                          framework_version_id=version.id, enrolled_on=dt.date(2026, 1, 5))
    session.add(enrolment)
    session.commit()
    return {"version": version, "cohort": cohort, "lead": lead, "provider": provider,
            "enrolment": enrolment}


def test_an_administrator_creates_a_provider(client, login, session, admin):
    login(client, admin)
    assert client.get("/providers/").status_code == 200
    blank = client.post("/providers/new", data={"name": "  "})
    assert blank.status_code == 200 and "Enter the provider&#39;s name" in blank.get_data(as_text=True)
    made = client.post("/providers/new", data={"name": "University  of Example"})
    assert made.status_code == 302
    again = client.post("/providers/new", data={"name": "university of example"})
    assert "already exists" in again.get_data(as_text=True)
    _fresh(session)
    [provider] = session.scalars(sa.select(EducationProvider)).all()
    assert provider.name == "University of Example"
    assert "University of Example" in client.get("/providers/").get_data(as_text=True)


def test_an_administrator_adds_and_removes_reviewers(client, login, session, admin, make_user,
                                                     mailbox):
    provider = service.create_provider(session, "University of Example", admin)
    session.commit()
    existing = make_user("sol@example.ac.uk", roles=("supervisor",), full_name="Sol Second")
    login(client, admin)
    url = f"/providers/{provider.id}/reviewers"
    bad = client.post(url, data={"full_name": "", "email": "not an address"})
    assert bad.status_code == 400 and "Enter the reviewer" in bad.get_data(as_text=True)
    assert client.post(url, data={"full_name": "Rhea Reviewer",
                                  "email": "rhea@example.ac.uk"}).status_code == 302
    assert client.post(url, data={"full_name": "Sol Second",
                                  "email": "SOL@example.ac.uk"}).status_code == 302
    twice = client.post(url, data={"full_name": "Sol Second", "email": "sol@example.ac.uk"})
    assert twice.status_code == 400 and "already reviews for" in twice.get_data(as_text=True)
    _fresh(session)
    invited = session.scalar(sa.select(User).where(User.email == "rhea@example.ac.uk"))
    assert invited.has_role("provider_reviewer") and invited.password_hash is None
    assert [m["Subject"] for m in mailbox.to("rhea@example.ac.uk")] == [
        "You have been invited to Roadmap"]
    sol = session.get(User, existing.id)
    assert {r.value for r in sol.role_set} == {"supervisor", "provider_reviewer"}
    assert any("You now review for" in m["Subject"] for m in mailbox.to("sol@example.ac.uk"))
    rows = session.scalars(sa.select(ProviderReviewer).order_by(ProviderReviewer.id)).all()
    assert [r.user_id for r in rows] == [invited.id, sol.id]
    page = client.get(f"/providers/{provider.id}").get_data(as_text=True)
    assert "Rhea Reviewer" in page and "Sol Second" in page
    assert client.post(f"/providers/{provider.id}/reviewers/{rows[1].id}/end").status_code == 302
    _fresh(session)
    assert session.get(ProviderReviewer, rows[1].id).ended_at is not None
    assert "Former reviewers" in client.get(f"/providers/{provider.id}").get_data(as_text=True)
    actions = set(session.scalars(sa.select(AuditEvent.action)))
    assert {"provider.created", "provider.reviewer_added", "provider.reviewer_ended",
            "account.roles_changed"} <= actions


def test_a_hub_lead_names_an_enrolments_provider(client, login, session, hub):
    login(client, hub["lead"])
    enrolment_id = hub["enrolment"].id
    page = client.get(f"/enrolments/{enrolment_id}/supervisors").get_data(as_text=True)
    assert "University of Example" in page
    response = client.post(f"/enrolments/{enrolment_id}/provider",
                           data={"provider_id": str(hub["provider"].id)}, follow_redirects=True)
    assert "The education provider is now University of Example" in response.get_data(as_text=True)
    _fresh(session)
    assert session.get(Enrolment, enrolment_id).provider_id == hub["provider"].id
    forged = client.post(f"/enrolments/{enrolment_id}/provider", data={"provider_id": "99999"},
                         follow_redirects=True)
    assert "Choose one of the education providers listed" in forged.get_data(as_text=True)
    client.post(f"/enrolments/{enrolment_id}/provider", data={"provider_id": "0"})
    _fresh(session)
    assert session.get(Enrolment, enrolment_id).provider_id is None
    event = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "enrolment.provider_set").order_by(AuditEvent.id)).all()
    assert [(e.data["from"], e.data["to"]) for e in event] == [
        (None, hub["provider"].id), (hub["provider"].id, None)]


def test_enrolling_one_candidate_names_the_provider(client, login, session, hub):
    login(client, hub["lead"])
    response = client.post(f"/cohorts/{hub['cohort'].id}/enrol", data={
        "full_name": "Max New", "email": "max@example.nhs.uk", "route": "taught",
        "framework_version_id": str(hub["version"].id), "enrolled_on": "06/01/2026",
        "provider_id": str(hub["provider"].id), "employer_id": "0"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    _fresh(session)
    enrolment = session.scalar(sa.select(Enrolment).join(User, User.id == Enrolment.candidate_id)
                               .where(User.email == "max@example.nhs.uk"))
    assert enrolment.provider_id == hub["provider"].id


HEADER = ",".join(csv_import.COLUMNS) + "\n"


def _row(name: str, email: str, provider: str) -> str:
    """One CSV row with the columns the tests need, the rest empty."""
    cells = {"full_name": name, "email": email, "route": "portfolio", "enrolled_on": "06/01/2026",
             "provider": provider}
    return ",".join(cells.get(column, "") for column in csv_import.COLUMNS) + "\n"


def _upload(client, cohort_id, version_id, text):
    """Check a CSV file: the import's dry run."""
    return client.post(f"/cohorts/{cohort_id}/import", data={
        "framework_version_id": str(version_id),
        "file": (io.BytesIO(text.encode("utf-8")), "cohort.csv")},
        content_type="multipart/form-data")


def test_the_csv_names_each_enrolments_provider(client, login, session, hub):
    text = HEADER + _row("Ann Able", "ann@example.nhs.uk", "university of  example") \
        + _row("Ben Bee", "ben@example.nhs.uk", "")
    login(client, hub["lead"])
    check = _upload(client, hub["cohort"].id, hub["version"].id, text).headers["Location"]
    assert "Import 2 candidates" in client.get(check).get_data(as_text=True)
    done = client.post(check)
    assert done.status_code == 302
    _fresh(session)
    named = dict(session.execute(sa.select(User.email, Enrolment.provider_id)
                                 .join(Enrolment, Enrolment.candidate_id == User.id)).all())
    assert named["ann@example.nhs.uk"] == hub["provider"].id
    assert named["ben@example.nhs.uk"] is None


def test_an_unknown_provider_in_the_csv_refuses_the_whole_file(client, login, session, hub):
    text = HEADER + _row("Ann Able", "ann@example.nhs.uk", "University of Example") \
        + _row("Ben Bee", "ben@example.nhs.uk", "Nowhere Institute")
    login(client, hub["lead"])
    page = _upload(client, hub["cohort"].id, hub["version"].id, text).get_data(as_text=True)
    assert "Row 3, column provider" in page and "Unknown education provider" in page
    assert "Nowhere Institute" in page and "Import 2 candidates" not in page
    forced = client.post(f"/cohorts/{hub['cohort'].id}/import/check")  # nothing kept to import
    assert forced.status_code == 302
    _fresh(session)
    assert session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 1  # the fixture's

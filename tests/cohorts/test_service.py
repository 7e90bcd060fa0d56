"""Hubs, cohorts and enrolment: the rules without HTTP, and the pages that drive them."""
from __future__ import annotations

import datetime as dt

import pyotp
import pytest
import sqlalchemy as sa

from bench.dashboard import framework
from roadmap.audit.models import AuditEvent
from roadmap.cohorts import charts, service
from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
from roadmap.regions.service import create_region


def test_default_target_is_six_months_after_the_stage2_start(session):
    version = framework(session)
    assert service.default_target(version, dt.date(2026, 3, 2)) == dt.date(2026, 9, 2)
    assert service.default_target(version, dt.date(2026, 8, 31)) == dt.date(2027, 2, 28)
    assert service.default_target(version, None) is None


def test_enrolment_is_pinned_and_audited_and_not_doubled(session, make_user):
    version = framework(session)
    hub = service.create_hub(session, "Hub A", None, None, None)
    cohort = service.create_cohort(session, hub, "Spring", None, None)
    candidate = make_user(full_name="Cara")
    details = service.NewEnrolment(full_name="Cara", email=candidate.email.upper(),
                                   enrolled_on=dt.date(2026, 1, 5),
                                   stage2_started_on=dt.date(2026, 2, 1))
    enrolment = service.enrol(session, cohort, version, details, None,
                              invitation_lifetime=dt.timedelta(days=7), link_for=lambda e, t: "")
    assert (enrolment.framework_version_id, enrolment.target_on) == (version.id, dt.date(2026, 8, 1))
    assert enrolment.candidate_id == candidate.id  # an existing account is not invited again
    event = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "enrolment.created")).one()
    assert event.data["framework"] == version.content_hash
    with pytest.raises(service.CohortError, match="already enrolled"):
        service.enrol(session, cohort, version, details, None,
                      invitation_lifetime=dt.timedelta(days=7), link_for=lambda e, t: "")
    with pytest.raises(service.CohortError):
        service.create_cohort(session, hub, "spring", None, None)


@pytest.fixture
def admin(make_user):
    return make_user("admin@example.nhs.uk", roles=("admin",), totp_secret=pyotp.random_base32())


def test_admin_creates_and_changes_a_hub(client, login, session, admin):
    region = create_region(session, "Frimley ICS", by=None)
    session.commit()
    login(client, admin)
    created = client.post("/hubs/new", data={"name": "Frimley Training Hub", "region_id": str(region.id),
                                             "annual_signoff_target": "24"})
    hub = session.scalar(sa.select(TrainingHub).where(TrainingHub.name == "Frimley Training Hub"))
    assert created.headers["Location"].endswith(f"/hubs/{hub.id}")
    assert (hub.annual_signoff_target, hub.region_id) == (24, region.id)
    assert "Frimley ICS" in client.get(f"/hubs/{hub.id}").get_data(as_text=True)
    clash = client.post("/hubs/new", data={"name": "frimley training hub"})
    assert "already exists" in clash.get_data(as_text=True)
    client.post(f"/hubs/{hub.id}/edit", data={"name": "Frimley Hub", "region_id": "0",
                                              "annual_signoff_target": "30"})
    session.rollback()  # end the read snapshot, see what the request committed
    hub = session.get(TrainingHub, hub.id)
    assert (hub.name, hub.annual_signoff_target, hub.region_id) == ("Frimley Hub", 30, None)


def test_a_region_that_is_not_offered_is_refused_beside_its_field(client, login, session, admin):
    login(client, admin)
    response = client.post("/hubs/new", data={"name": "Frimley Training Hub", "region_id": "999"})
    assert response.status_code == 200
    assert "Choose one of the regions listed" in response.get_data(as_text=True)
    assert session.scalar(sa.select(TrainingHub.id)) is None


def test_hub_lead_creates_a_cohort_and_enrols_one_candidate(client, login, session, make_user, mailbox):
    version = framework(session)
    hub = service.create_hub(session, "Hub A", None, None, None)
    employer = service.add_employer(session, "Kennet MSK Services", None)
    session.commit()
    lead = make_user("lead@example.nhs.uk", roles=("hub_lead",), hub_id=hub.id,
                     totp_secret=pyotp.random_base32())
    login(client, lead)
    made = client.post(f"/hubs/{hub.id}/cohorts/new", data={"name": "Autumn", "starts_on": "1/9/2026"})
    cohort = session.scalar(sa.select(Cohort).where(Cohort.name == "Autumn"))
    assert made.headers["Location"].endswith(f"/cohorts/{cohort.id}")
    assert cohort.starts_on == dt.date(2026, 9, 1)
    bad = client.post(f"/cohorts/{cohort.id}/enrol", data={
        "full_name": "Nia New", "email": "nia@example.nhs.uk", "route": "portfolio",
        "framework_version_id": str(version.id), "employer_id": str(employer.id),
        "enrolled_on": "31/02/2026"})
    assert "Enter a real date" in bad.get_data(as_text=True)
    done = client.post(f"/cohorts/{cohort.id}/enrol", data={
        "full_name": "Nia New", "email": "nia@example.nhs.uk", "route": "taught",
        "framework_version_id": str(version.id), "employer_id": str(employer.id),
        "enrolled_on": "01/09/2026", "stage2_started_on": "01/10/2026"})
    assert done.status_code == 302 and "/supervisors" in done.headers["Location"]
    session.rollback()
    enrolment = session.scalars(sa.select(Enrolment)).one()
    assert (enrolment.route, enrolment.employer_id, enrolment.target_on) == (
        "taught", employer.id, dt.date(2027, 4, 1))
    assert len(mailbox.to("nia@example.nhs.uk")) == 1
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Nia New" in page and "No primary" in page and "No backup" in page
    early = client.post(f"/enrolments/{enrolment.id}/target", data={
        "target_on-day": "1", "target_on-month": "9", "target_on-year": "2026"})
    text = early.get_data(as_text=True)
    assert early.status_code == 400 and "on or after 1 October 2026" in text
    assert 'id="target_on-error"' in text and 'name="target_on-day" type="text" value="1"' in text
    moved = client.post(f"/enrolments/{enrolment.id}/target", data={"target_on": "01/06/2027"},
                        follow_redirects=True)
    assert "The target date is now 1 June 2027" in moved.get_data(as_text=True)
    session.rollback()
    assert session.get(Enrolment, enrolment.id).target_on == dt.date(2027, 6, 1)


def test_charts_are_labelled_svg_without_style_attributes():
    svg = charts.column_chart("c1", "Sign-offs <per> month", ["Jan", "Feb"],
                              charts.Series("Sign-offs", [1, 3]), charts.Series("Target", [2, 2]))
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg
    assert "Sign-offs &lt;per&gt; month" in svg and "Jan: 1; Feb: 3" in svg
    assert "style=" not in svg and "<script" not in svg
    shares = charts.share_chart("c2", "Outcomes", [("Injection", 1), ("Self-management", 3)], 4)
    assert "25%" in shares and "75%" in shares
    assert charts.buckets([0, 3, 4, 9], 4, "weeks") == (["0–3 weeks", "4–7 weeks", "8–11 weeks"], [2, 1, 1])

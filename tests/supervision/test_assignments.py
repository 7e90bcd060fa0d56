"""Primary and backup supervisors: history, one current primary, capacity (rules D5, D6)."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from bench.dashboard import framework
from roadmap import clock
from roadmap.accounts.models import SupervisorProfile
from roadmap.audit.models import AuditEvent
from roadmap.cohorts import service
from roadmap.supervision import assignments
from roadmap.supervision.models import SupervisorAssignment

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def cohort(session):
    hub = service.create_hub(session, "Hub A", None, 50, None)
    return service.create_cohort(session, hub, "Spring", None, None)


@pytest.fixture
def enrol(session, cohort, make_user):
    version = framework(session)

    def make(name="Cara"):
        candidate = make_user(full_name=name)
        return service.enrol(session, cohort, version, service.NewEnrolment(
            full_name=name, email=candidate.email, enrolled_on=DAY), None,
            invitation_lifetime=dt.timedelta(days=7), link_for=lambda e, t: "")
    return make


@pytest.fixture
def supervisor(session, make_user):
    def make(name, fte=1.0):
        person = make_user(roles=("supervisor",), full_name=name)
        session.add(SupervisorProfile(user_id=person.id, category="ahp_fellow", fte=fte))
        session.flush()
        return person
    return make


def current(session, enrolment, kind, on):
    return session.scalars(sa.select(SupervisorAssignment).where(
        SupervisorAssignment.enrolment_id == enrolment.id, SupervisorAssignment.kind == kind,
        assignments.current_filter(on))).all()


def test_replacing_the_primary_keeps_history_and_one_current_primary(session, enrol, supervisor):
    enrolment, first, second = enrol(), supervisor("Priya"), supervisor("Tom")
    assignments.assign(session, enrolment, first, "primary", DAY, None)
    later = clock.today() + dt.timedelta(days=30)
    result = assignments.assign(session, enrolment, second, "primary", later, None,
                                handover_note="Two CBDs pending")
    assert result.ended is not None and result.ended.ends_on == later - dt.timedelta(days=1)
    assert result.ended.ended_at == clock.start_of_day(later)
    assert result.ended.handover_note == "Two CBDs pending"
    assert [a.supervisor_id for a in current(session, enrolment, "primary", later)] == [second.id]
    assert [a.supervisor_id for a in current(session, enrolment, "primary", DAY)] == [first.id]
    assert len(assignments.history(session, enrolment.id)) == 2
    actions = session.scalars(sa.select(AuditEvent.action)).all()
    assert actions.count("assignment.created") == 2 and "assignment.ended" in actions


def test_backup_cannot_be_the_primary(session, enrol, supervisor):
    enrolment, person = enrol(), supervisor("Priya")
    assignments.assign(session, enrolment, person, "primary", DAY, None)
    with pytest.raises(assignments.AssignmentError, match="already the primary"):
        assignments.assign(session, enrolment, person, "backup", DAY, None)


def test_only_supervisors_can_be_assigned(session, enrol, make_user):
    enrolment = enrol()
    with pytest.raises(assignments.AssignmentError):
        assignments.assign(session, enrolment, make_user(), "primary", DAY, None)


def test_load_is_pro_rata_and_overload_needs_confirmation(session, enrol, supervisor):
    fellow = supervisor("Aisha", fte=0.5)  # capacity 2
    first, second, third = enrol("A"), enrol("B"), enrol("C")
    for enrolment in (first, second):
        assert assignments.assign(session, enrolment, fellow, "primary", DAY, None).assignment
    load = assignments.loads(session, [fellow.id], DAY)[fellow.id]
    assert (load.candidates, load.capacity, load.over) == (2, 2.0, False)
    refused = assignments.assign(session, third, fellow, "primary", DAY, None)
    assert refused.needs_confirmation and "0.5 FTE" in refused.warnings[0]
    assert current(session, third, "primary", DAY) == []
    confirmed = assignments.assign(session, third, fellow, "primary", DAY, None,
                                   confirm_over_capacity=True)
    assert confirmed.assignment is not None and confirmed.load_after.over
    over = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "assignment.over_capacity")).all()
    assert len(over) == 1 and over[0].data["candidates"] == 3


def test_backups_do_not_count_toward_load(session, enrol, supervisor):
    fellow = supervisor("Aisha", fte=0.25)  # capacity 1
    for name in ("A", "B", "C"):
        result = assignments.assign(session, enrol(name), fellow, "backup", DAY, None)
        assert result.assignment is not None and not result.warnings


def test_set_fte_creates_a_profile_and_rejects_nonsense(session, make_user):
    person = make_user(roles=("supervisor",))
    assignments.set_fte(session, person, 0.3, None)
    assert session.get(SupervisorProfile, person.id).fte == 0.3
    with pytest.raises(assignments.AssignmentError):
        assignments.set_fte(session, person, 1.5, None)


def test_the_page_warns_before_overloading_and_records_it_when_confirmed(
        client, login, session, enrol, supervisor, cohort, make_user):
    import pyotp

    fellow = supervisor("Aisha Khan", fte=0.25)  # capacity 1
    first, second = enrol("A"), enrol("B")
    assignments.assign(session, first, fellow, "primary", DAY, None)
    session.commit()
    lead = make_user("lead@example.nhs.uk", roles=("hub_lead",), hub_id=cohort.hub_id,
                     totp_secret=pyotp.random_base32())
    login(client, lead)
    form = {"kind": "primary", "supervisor_id": str(fellow.id), "starts_on": "02/03/2026",
            "fte": "", "handover_note": ""}
    warned = client.post(f"/enrolments/{second.id}/supervisors", data=form)
    page = warned.get_data(as_text=True)
    assert warned.status_code == 200 and "Over capacity" in page and "Assign anyway" in page
    assert "2 candidates for 0.25 FTE (capacity 1)" in page
    session.rollback()
    assert current(session, second, "primary", DAY) == []
    done = client.post(f"/enrolments/{second.id}/supervisors",
                       data={**form, "confirm_over_capacity": f"{fellow.id}-primary"})
    assert done.status_code == 302
    session.rollback()
    assert [a.supervisor_id for a in current(session, second, "primary", DAY)] == [fellow.id]
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "assignment.over_capacity")) == 1

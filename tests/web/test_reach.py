"""Who reaches an enrolment, and how far (roadmap.web.reach), without HTTP."""
from __future__ import annotations

import datetime as dt

import pytest
from werkzeug.exceptions import NotFound

from roadmap.clock import start_of_day
from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
from roadmap.framework.models import FrameworkVersion
from roadmap.supervision.models import SupervisorAssignment
from roadmap.web.reach import Reach, load_enrolment, reach

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def enrolment(session, make_user):
    hub = TrainingHub(name="Hub A")
    cohort = Cohort(hub=hub, name="C1")
    version = FrameworkVersion(slug="x", title="X", version_label="1", content_hash="h",
                               source_path="x.yaml", document={})
    session.add_all([hub, cohort, version])
    session.flush()
    candidate = make_user("c@example.nhs.uk")
    item = Enrolment(candidate_id=candidate.id, cohort_id=cohort.id,
                     framework_version_id=version.id, enrolled_on=dt.date(2026, 1, 1))
    session.add(item)
    session.commit()
    return item


def test_candidate_owns_their_enrolment_only(session, make_user, enrolment):
    owner = session.get(type(make_user("x@example.nhs.uk")), enrolment.candidate_id)
    other = make_user("other@example.nhs.uk")
    assert reach(session, owner, enrolment, TODAY) is Reach.OWNER
    assert reach(session, other, enrolment, TODAY) is Reach.NONE


def test_supervisor_reach_follows_the_assignment_dates(session, make_user, enrolment):
    sup = make_user("s@example.nhs.uk", roles=("supervisor",))
    assert reach(session, sup, enrolment, TODAY) is Reach.NONE
    session.add(SupervisorAssignment(enrolment_id=enrolment.id, supervisor_id=sup.id,
                                     kind="backup", starts_on=dt.date(2026, 2, 1),
                                     ended_at=start_of_day(dt.date(2026, 6, 1))))
    session.commit()
    assert reach(session, sup, enrolment, dt.date(2026, 3, 1)) is Reach.SUPERVISOR
    assert reach(session, sup, enrolment, TODAY) is Reach.SUPERVISOR_READONLY
    assert reach(session, sup, enrolment, dt.date(2026, 1, 15)) is Reach.NONE


def test_hub_lead_reaches_progress_of_their_own_hub_only(session, make_user, enrolment):
    own = make_user("l1@example.nhs.uk", roles=("hub_lead",),
                    hub_id=session.get(Cohort, enrolment.cohort_id).hub_id)
    other_hub = TrainingHub(name="Hub B")
    session.add(other_hub)
    session.commit()
    stranger = make_user("l2@example.nhs.uk", roles=("hub_lead",), hub_id=other_hub.id)
    assert reach(session, own, enrolment, TODAY) is Reach.HUB
    assert not Reach.HUB.sees_content
    assert reach(session, stranger, enrolment, TODAY) is Reach.NONE


def test_admin_reaches_no_portfolio(session, make_user, enrolment):
    admin = make_user("a@example.nhs.uk", roles=("admin",))
    assert reach(session, admin, enrolment, TODAY) is Reach.NONE
    with pytest.raises(NotFound):
        load_enrolment(session, admin, enrolment.id, {Reach.OWNER, Reach.HUB}, TODAY)
    with pytest.raises(NotFound):
        load_enrolment(session, admin, 99999, {Reach.NONE}, TODAY)

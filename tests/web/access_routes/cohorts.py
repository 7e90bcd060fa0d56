"""Routes of the training hub pages, for the access test: objects of another hub (Hub B)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from roadmap.accounts.models import Role
from roadmap.accounts.service import create_user
from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
from roadmap.framework.models import FrameworkVersion
from tests.web.access_routes import Route

LEADS = frozenset({"hub_lead", "admin"})
ADMIN = frozenset({"admin"})


def extend_world(world, session) -> None:
    """A cohort and an enrolment in Hub B, which the world's hub lead (of Hub A) does not lead."""
    hub_b = session.scalar(sa.select(TrainingHub).where(TrainingHub.name == "Hub B"))
    version = FrameworkVersion(slug="access-test", title="Access test roadmap", version_label="1",
                               content_hash="0" * 64, source_path="access-test.yaml", document={})
    cohort = Cohort(hub_id=hub_b.id, name="Hub B cohort")
    session.add_all([version, cohort])
    session.flush()
    candidate = create_user(session, "hubb.candidate@example.nhs.uk", "Hub B Candidate",
                            [Role.CANDIDATE], None, "fast")
    enrolment = Enrolment(candidate_id=candidate.id, cohort_id=cohort.id,
                          framework_version_id=version.id, enrolled_on=dt.date(2026, 1, 5))
    session.add(enrolment)
    session.commit()
    world.update(hub_b=hub_b, cohort_b=cohort, enrolment_b=enrolment)


ROUTES: dict[str, Route] = {
    "hubs.hubs": (lambda w: {}, LEADS),
    "hubs.new_hub": (lambda w: {}, ADMIN),
    "hubs.edit_hub": (lambda w: {"hub_id": w["hub_b"].id}, ADMIN),
    "hubs.hub": (lambda w: {"hub_id": w["hub_b"].id}, ADMIN),
    "hubs.add_employer": (lambda w: {"hub_id": w["hub_b"].id}, ADMIN),
    "hubs.new_cohort": (lambda w: {"hub_id": w["hub_b"].id}, ADMIN),
    "cohorts.cohort": (lambda w: {"cohort_id": w["cohort_b"].id}, ADMIN),
    "cohorts.cohort_csv": (lambda w: {"cohort_id": w["cohort_b"].id}, ADMIN),
    "cohorts.enrol": (lambda w: {"cohort_id": w["cohort_b"].id}, ADMIN),
    "cohorts.import_template": (lambda w: {}, LEADS),
    "cohorts.import_csv": (lambda w: {"cohort_id": w["cohort_b"].id}, ADMIN),
    "cohorts.check_import": (lambda w: {"cohort_id": w["cohort_b"].id}, ADMIN),
    "cohorts.supervisors": (lambda w: {"enrolment_id": w["enrolment_b"].id}, ADMIN),
    "cohorts.assign_educational_supervisor": (lambda w: {"enrolment_id": w["enrolment_b"].id},
                                              ADMIN),
    "cohorts.change_target": (lambda w: {"enrolment_id": w["enrolment_b"].id}, ADMIN),
    "cohorts.change_provider": (lambda w: {"enrolment_id": w["enrolment_b"].id}, ADMIN),
}

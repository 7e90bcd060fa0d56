"""Routes of supervision, for the access test: every object is someone else's candidate's."""
from __future__ import annotations

import datetime as dt
from typing import Any

from tests.web.access_routes import ROLES, Route

NOBODY = frozenset()  # world["other"] is supervised by nobody in the world
# The world's educational supervisor of that candidate reads these pages and acts on nothing.
# (A page that reads on GET and acts on POST, like `rate`, is refused the POST in
# tests/supervision/test_educational.py.)
READS = frozenset({"educational"})

ROUTES: dict[str, Route] = {
    "supervision.inbox": (lambda w: {}, frozenset(ROLES)),
    "supervision.assess": (lambda w: {"evidence_id": w["supervised_evidence"].id}, NOBODY),
    "supervision.check_item": (lambda w: {"evidence_id": w["supervised_evidence"].id}, NOBODY),
    "supervision.return_item": (lambda w: {"evidence_id": w["supervised_evidence"].id}, NOBODY),
    "supervision.accept_external": (lambda w: {"evidence_id": w["supervised_evidence"].id},
                                    NOBODY),
    "supervision.dispute_external": (lambda w: {"evidence_id": w["supervised_evidence"].id},
                                     NOBODY),
    "supervision.observed": (lambda w: {"enrolment_id": w["supervised_enrolment"].id}, NOBODY),
    "supervision.candidate": (lambda w: {"enrolment_id": w["supervised_enrolment"].id}, READS),
    "supervision.rate": (lambda w: {"enrolment_id": w["supervised_enrolment"].id,
                                    "capability_id": w["supervised_capability"].id}, READS),
    "supervision.stage": (lambda w: {"enrolment_id": w["supervised_enrolment"].id,
                                     "stage_code": "stage2"}, READS),
    "supervision.check_stage": (lambda w: {"enrolment_id": w["supervised_enrolment"].id,
                                           "stage_code": "stage2"}, NOBODY),
    "supervision.enrolment_timeline": (lambda w: {"enrolment_id": w["supervised_enrolment"].id},
                                       READS),
    "supervision.record_progress_review": (
        lambda w: {"enrolment_id": w["supervised_enrolment"].id}, READS),
    "supervision.progress_reviews": (lambda w: {"enrolment_id": w["supervised_enrolment"].id},
                                     READS),
    "supervision.progress_review": (lambda w: {"review_id": w["progress_review"].id}, READS),
    "supervision.respond_to_review": (lambda w: {"review_id": w["progress_review"].id}, NOBODY),
}


def extend_world(world: dict[str, Any], session: Any) -> None:
    """A candidate of another hub, on the MSK roadmap, with their own supervisor, an item, and the
    world's educational supervisor, who has reviewed their progress once."""
    import sqlalchemy as sa

    from roadmap.accounts.models import Role
    from roadmap.accounts.service import create_user
    from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
    from roadmap.framework import service as frameworks
    from roadmap.framework.models import Capability, EvidenceType
    from roadmap.portfolio.models import Evidence
    from roadmap.supervision.models import ProgressReview, SupervisorAssignment
    from tests.fixtures.msk import msk_document

    loaded = msk_document()
    version, _ = frameworks.load_into_db(session, loaded.document, loaded.source_path)
    hub = TrainingHub(name="Supervision access hub")
    session.add(hub)
    session.flush()
    cohort = Cohort(hub_id=hub.id, name="Supervision access cohort")
    candidate = create_user(session, "sup-other@example.nhs.uk", "Other Candidate",
                            [Role.CANDIDATE], None, "fast")
    their_supervisor = create_user(session, "their-sup@example.nhs.uk", "Their Supervisor",
                                   [Role.SUPERVISOR], None, "fast")
    session.add(cohort)
    session.flush()
    enrolment = Enrolment(candidate_id=candidate.id, cohort_id=cohort.id,
                          framework_version_id=version.id, enrolled_on=dt.date(2026, 1, 1))
    session.add(enrolment)
    session.flush()
    session.add(SupervisorAssignment(enrolment_id=enrolment.id, supervisor_id=their_supervisor.id,
                                     kind="primary", starts_on=dt.date(2026, 1, 1)))
    session.add(SupervisorAssignment(enrolment_id=enrolment.id,
                                     supervisor_id=world["educational"].id, kind="educational",
                                     starts_on=dt.date(2026, 1, 1)))
    review = ProgressReview(enrolment_id=enrolment.id, reviewer_id=world["educational"].id,
                            reviewed_on=dt.date(2026, 2, 1), heading_progress={})
    session.add(review)
    cbd = session.scalar(sa.select(EvidenceType).where(
        EvidenceType.framework_version_id == version.id, EvidenceType.code == "cbd"))
    evidence = Evidence(enrolment_id=enrolment.id, evidence_type_id=cbd.id, title="Their CBD",
                        fields={}, status="submitted", created_by_id=candidate.id,
                        submitted_to_id=their_supervisor.id)
    session.add(evidence)
    session.commit()
    world["supervised_enrolment"] = enrolment
    world["supervised_evidence"] = evidence
    world["progress_review"] = review
    world["supervised_capability"] = session.scalar(sa.select(Capability).where(
        Capability.framework_version_id == version.id, Capability.code == "1"))

"""Routes of the learning needs analysis, for the access test.

The analysis is someone else's, sent, of an enrolment whose provider the world's reviewer
reviews for (test_access gives every enrolment that provider): the reviewer reaches it, and
nobody else does (the supervisors confirm only without a provider).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from tests.web.access_routes import Route

OWN = frozenset({"candidate"})  # always the signed-in candidate's own analysis
REVIEWER = frozenset({"provider_reviewer"})

ROUTES: dict[str, Route] = {
    "lna.analysis": (lambda w: {}, OWN),
    "lna.add_file": (lambda w: {}, OWN),
    # The signed-in person's own list (a supervisor's, however assigned: empty for most).
    "lna.waiting": (lambda w: {}, frozenset({"supervisor", "educational", "provider_reviewer"})),
    "lna.confirm": (lambda w: {"analysis_id": w["lna_analysis"].id}, REVIEWER),
    "lna.download": (lambda w: {"analysis_id": w["lna_analysis"].id,
                                "attachment_id": w["lna_attachment"].id}, REVIEWER),
}


def extend_world(world: dict[str, Any], session: Any) -> None:
    """A candidate of another hub on the MSK roadmap, whose sent analysis has one file."""
    import sqlalchemy as sa

    from roadmap.accounts.models import Role
    from roadmap.accounts.service import create_user
    from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
    from roadmap.framework import service as frameworks
    from roadmap.framework.models import EvidenceType
    from roadmap.lna.models import LearningNeedsAnalysis
    from roadmap.portfolio.models import Attachment, Evidence
    from tests.fixtures.msk import msk_document

    loaded = msk_document()
    version, _ = frameworks.load_into_db(session, loaded.document, loaded.source_path)
    hub = TrainingHub(name="LNA access hub")
    session.add(hub)
    session.flush()
    cohort = Cohort(hub_id=hub.id, name="LNA access cohort")
    candidate = create_user(session, "lna-other@example.nhs.uk", "Lna Other", [Role.CANDIDATE],
                            None, "fast")
    session.add(cohort)
    session.flush()
    enrolment = Enrolment(candidate_id=candidate.id, cohort_id=cohort.id,
                          framework_version_id=version.id, enrolled_on=dt.date(2026, 1, 1))
    session.add(enrolment)
    session.flush()
    kind = session.scalar(sa.select(EvidenceType).where(
        EvidenceType.framework_version_id == version.id,
        EvidenceType.code == "elearning_certificate"))
    item = Evidence(enrolment_id=enrolment.id, evidence_type_id=kind.id, title="Their files",
                    fields={}, created_by_id=candidate.id)
    session.add(item)
    session.flush()
    attachment = Attachment(evidence_id=item.id, filename="msc.pdf", media_type="application/pdf",
                            size_bytes=1, sha256="a" * 64, uploaded_by_id=candidate.id)
    analysis = LearningNeedsAnalysis(enrolment_id=enrolment.id, status="submitted",
                                     answers={"details": "An MSc"}, files_evidence_id=item.id,
                                     submitted_at=dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc))
    session.add_all([attachment, analysis])
    session.commit()
    world["lna_analysis"] = analysis
    world["lna_attachment"] = attachment

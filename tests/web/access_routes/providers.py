"""Routes of the education provider pages, for the access test: Provider B and its learner.

The world's reviewer reviews for Provider A (tests/web/test_access.py), so Provider B's learner's
round is someone else's: a 404 to them, as to everyone.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from tests.web.access_routes import Route

NOBODY: frozenset[str] = frozenset()
ADMIN = frozenset({"admin"})
OWN = frozenset({"provider_reviewer"})  # the signed-in reviewer's own queue


def extend_world(world: dict[str, Any], session: Any) -> None:
    """Provider B, its own reviewer, and a learner of it whose Stage 2 waits for it."""
    from roadmap.accounts.models import Role
    from roadmap.accounts.service import create_user
    from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
    from roadmap.framework.models import FrameworkVersion
    from roadmap.providers.models import EducationProvider, ProviderReviewer
    from roadmap.supervision.models import StageSignOff, StageSignOffRound

    provider = EducationProvider(name="Provider B")
    hub = TrainingHub(name="Provider access hub")
    version = FrameworkVersion(slug="provider-access", title="Provider access roadmap",
                               version_label="1", content_hash="1" * 64,
                               source_path="provider-access.yaml", document={})
    session.add_all([provider, hub, version])
    session.flush()
    cohort = Cohort(hub_id=hub.id, name="Provider access cohort")
    learner = create_user(session, "provider-b-learner@example.nhs.uk", "Provider B Learner",
                          [Role.CANDIDATE], None, "fast")
    reviewer = create_user(session, "provider-b-reviewer@example.ac.uk", "Provider B Reviewer",
                           [Role.PROVIDER_REVIEWER], None, "fast")
    session.add(cohort)
    session.flush()
    enrolment = Enrolment(candidate_id=learner.id, cohort_id=cohort.id, provider_id=provider.id,
                          framework_version_id=version.id, enrolled_on=dt.date(2026, 1, 5))
    reviewer_row = ProviderReviewer(provider_id=provider.id, user_id=reviewer.id)
    session.add_all([enrolment, reviewer_row])
    session.flush()
    record = StageSignOff(enrolment_id=enrolment.id, stage_code="stage2",
                          status="supervisor_signed", signed_content={}, content_hash="2" * 64)
    session.add(record)
    session.flush()
    kept = StageSignOffRound(signoff_id=record.id, number=1, signed_content={},
                             content_hash="2" * 64)
    session.add(kept)
    session.commit()
    world.update(provider_b=provider, provider_b_reviewer=reviewer_row, provider_b_round=kept)


ROUTES: dict[str, Route] = {
    "providers.providers": (lambda w: {}, ADMIN),
    "providers.new_provider": (lambda w: {}, ADMIN),
    "providers.provider": (lambda w: {"provider_id": w["provider_b"].id}, ADMIN),
    "providers.add_reviewer": (lambda w: {"provider_id": w["provider_b"].id}, ADMIN),
    "providers.end_reviewer": (lambda w: {"provider_id": w["provider_b"].id,
                                          "reviewer_id": w["provider_b_reviewer"].id}, ADMIN),
    "reviews.queue": (lambda w: {}, OWN),
    "reviews.review": (lambda w: {"round_id": w["provider_b_round"].id}, NOBODY),
    "reviews.approve": (lambda w: {"round_id": w["provider_b_round"].id}, NOBODY),
    "reviews.refer": (lambda w: {"round_id": w["provider_b_round"].id}, NOBODY),
    "reviews.check_decision": (lambda w: {"round_id": w["provider_b_round"].id}, NOBODY),
}

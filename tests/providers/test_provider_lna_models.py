"""The database keeps the rules of the provider, round, LNA and progress review tables."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
from roadmap.framework.models import EvidenceType, FrameworkVersion
from roadmap.lna.models import LearningNeedsAnalysis, LnaCredit
from roadmap.portfolio.models import Evidence
from roadmap.providers.models import EducationProvider, ProviderDecision, ProviderReviewer
from roadmap.supervision import assignments
from roadmap.supervision.models import (ProgressReview, StageSignOff, StageSignOffRound,
                                        SupervisorAssignment)

HASH, OTHER_HASH = "a" * 64, "b" * 64
NOW = dt.datetime(2026, 3, 1, 10, tzinfo=dt.timezone.utc)


@pytest.fixture
def world(session, make_user):
    """An enrolment with a provider, one signed-off round of Stage 2, and an evidence item."""
    hub, provider = TrainingHub(name="Hub A"), EducationProvider(name="University A")
    version = FrameworkVersion(slug="x", title="X", version_label="1", content_hash="h",
                               source_path="x.yaml", document={})
    session.add_all([hub, provider, version])
    session.flush()
    cohort = Cohort(hub_id=hub.id, name="C1")
    kind = EvidenceType(framework_version_id=version.id, code="cert", name="Certificate",
                        position=1, definition={})
    session.add_all([cohort, kind])
    session.flush()
    candidate = make_user("cand@example.nhs.uk")
    reviewer = make_user("rev@example.nhs.uk", roles=("provider_reviewer",))
    enrolment = Enrolment(candidate_id=candidate.id, cohort_id=cohort.id, provider_id=provider.id,
                          framework_version_id=version.id, enrolled_on=dt.date(2026, 1, 5))
    session.add(enrolment)
    session.flush()
    signoff = StageSignOff(enrolment_id=enrolment.id, stage_code="stage2",
                           status="supervisor_signed", signed_content={"x": 1}, content_hash=HASH)
    item = Evidence(enrolment_id=enrolment.id, evidence_type_id=kind.id, title="MSc module",
                    created_by_id=candidate.id)
    session.add_all([signoff, item, ProviderReviewer(provider_id=provider.id, user_id=reviewer.id)])
    session.flush()
    round_one = StageSignOffRound(signoff_id=signoff.id, number=1, signed_content={"x": 1},
                                  content_hash=HASH)
    analysis = LearningNeedsAnalysis(enrolment_id=enrolment.id)
    session.add_all([round_one, analysis])
    session.commit()
    return SimpleNamespace(provider=provider, reviewer=reviewer, candidate=candidate,
                           enrolment=enrolment, round=round_one, item=item, analysis=analysis)


def _refused(session: Any, row: Any, constraint: str | None = None) -> None:
    """Adding the row breaks a rule the database keeps (the named constraint, where it says)."""
    session.add(row)
    with pytest.raises(sa.exc.IntegrityError, match=constraint):
        session.flush()
    session.rollback()


def _decision(world: Any, **values: Any) -> ProviderDecision:
    """A first approval of round 1 by the world's reviewer, with the values given."""
    fields = {"round_id": world.round.id, "content_hash": HASH, "provider_id": world.provider.id,
              "reviewer_id": world.reviewer.id, "reviewer_name": "Rev", "outcome": "approved"}
    return ProviderDecision(**{**fields, **values})


def test_a_provider_reviewer_needs_a_second_factor(world):
    assert world.reviewer.needs_two_factor
    assert not world.candidate.needs_two_factor


def test_a_referral_needs_a_reason(session, world):
    _refused(session, _decision(world, outcome="referred"), "referral_has_reason")
    _refused(session, _decision(world, outcome="referred", reason="  "), "referral_has_reason")
    session.add(_decision(world, outcome="referred", reason="Heading 3 lacks evidence",
                          heading_reasons={"3": "Two pieces, both CBDs"}))
    session.commit()


def test_a_decision_is_bound_to_its_rounds_content_hash(session, world):
    _refused(session, _decision(world, content_hash=OTHER_HASH))
    session.add(_decision(world))
    session.commit()


def test_only_a_first_approval_is_sampled_and_each_review_comes_once(session, world):
    _refused(session, _decision(world, outcome="referred", reason="r", sampled_for_audit=True),
             "only_first_approvals_sampled")
    _refused(session, _decision(world, review="second", sampled_for_audit=True),
             "only_first_approvals_sampled")
    session.add(_decision(world, sampled_for_audit=True))
    session.commit()
    _refused(session, _decision(world))
    session.add(_decision(world, review="second"))
    session.commit()


def test_rounds_and_decisions_are_append_only(session, world):
    session.add(_decision(world))
    session.commit()
    for statement in ("UPDATE stage_signoff_rounds SET content_hash = 'forged'",
                      "DELETE FROM stage_signoff_rounds",
                      "UPDATE provider_decisions SET outcome = 'referred', reason = 'r'",
                      "DELETE FROM provider_decisions"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            session.execute(sa.text(statement))
        session.rollback()


def test_a_confirmed_analysis_has_its_outcome_and_confirmer(session, world):
    provider_id = world.provider.id
    by_reviewer = {"route": "portfolio", "confirmed_at": NOW, "confirmed_by_id": world.reviewer.id,
                   "confirmed_capacity": "provider_reviewer"}
    for values, constraint in (({}, "confirmed_has_outcome"),
                               (by_reviewer, "reviewer_names_provider")):
        with pytest.raises(sa.exc.IntegrityError, match=constraint):
            session.execute(sa.update(LearningNeedsAnalysis).values(status="confirmed", **values))
        session.rollback()
    session.execute(sa.update(LearningNeedsAnalysis).values(
        status="confirmed", provider_id=provider_id, **by_reviewer))
    session.commit()
    _refused(session, LearningNeedsAnalysis(enrolment_id=world.enrolment.id))  # one per enrolment


def test_a_credit_needs_exactly_one_piece_of_evidence(session, world):
    def credit(**values: Any) -> LnaCredit:
        """A credit of one Stage 1 check, with the evidence given."""
        return LnaCredit(analysis_id=world.analysis.id, check_code="elearning:msk-1",
                         given_by_id=world.reviewer.id, **values)

    _refused(session, credit(), "one_piece_of_evidence")
    session.add(credit(evidence_id=world.item.id, note="MSc module, 2024"))
    session.commit()
    _refused(session, credit(evidence_id=world.item.id))  # one credit per requirement


def test_a_candidate_response_has_its_time(session, world):
    review = dict(enrolment_id=world.enrolment.id, reviewer_id=world.reviewer.id,
                  reviewed_on=dt.date(2026, 3, 1), heading_progress={"1": "on track"})
    _refused(session, ProgressReview(**review, candidate_response="Agreed"), "response_has_time")
    session.add(ProgressReview(**review, concerns="Few CBDs", agreed_actions="Two CBDs by May"))
    session.commit()


def test_the_educational_kind_is_data_but_hubs_still_assign_primary_or_backup(
        session, world, make_user):
    supervisor = make_user("edsup@example.nhs.uk", roles=("supervisor",))
    session.add(SupervisorAssignment(enrolment_id=world.enrolment.id, supervisor_id=supervisor.id,
                                     kind="educational", starts_on=dt.date(2026, 1, 5)))
    session.commit()
    with pytest.raises(assignments.AssignmentError, match="primary or backup"):
        assignments.assign(session, world.enrolment, supervisor, "educational",
                           dt.date(2026, 2, 1), None)

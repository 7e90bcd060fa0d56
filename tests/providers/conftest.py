"""Two education providers with reviewers, and a Stage 2 signed off and waiting for the first.

The audit sample is off here (PROVIDER_SAMPLE_PERCENT 0) unless a test turns it on, so an
approval completes the stage whatever the round's hash.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from roadmap.audit.service import canonical_json, sha256_hex
from roadmap.providers import decisions
from roadmap.providers.models import EducationProvider, ProviderReviewer
from roadmap.supervision import signoff
from roadmap.supervision.models import StageSignOff, StageSignOffRound
from tests.supervision.conftest import (TODAY, make_item, msk, ready_for_stage2,  # noqa: F401
                                        team)

CANDIDATE_DECLARATIONS = ["candidate_own_work"]
SUPERVISOR_DECLARATIONS = ["supervisor_verified"]


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """No audit sample unless a test asks for one."""
    return {**app_config, "PROVIDER_SAMPLE_PERCENT": 0}


@pytest.fixture
def reviewing(session, ready_for_stage2, make_user):
    """University of Example (two reviewers) names the candidate; Other College has its own."""
    team = ready_for_stage2
    ours, theirs = EducationProvider(name="University of Example"), EducationProvider(
        name="Other College")
    session.add_all([ours, theirs])
    session.commit()
    first = make_user("rhea@example.ac.uk", roles=("provider_reviewer",),
                      full_name="Rhea Reviewer", totp_secret=team.secret)
    second = make_user("sol@example.ac.uk", roles=("provider_reviewer",),
                       full_name="Sol Second", totp_secret=team.secret)
    other = make_user("olu@other.ac.uk", roles=("provider_reviewer",), full_name="Olu Other",
                      totp_secret=team.secret)
    session.add_all([ProviderReviewer(provider_id=ours.id, user_id=first.id),
                     ProviderReviewer(provider_id=ours.id, user_id=second.id),
                     ProviderReviewer(provider_id=theirs.id, user_id=other.id)])
    team.enrolment.provider_id = ours.id
    session.commit()
    return SimpleNamespace(team=team, provider=ours, other_provider=theirs, first=first,
                           second=second, other=other)


def sign_stage2(session, team) -> StageSignOffRound:
    """The candidate, then the primary supervisor, sign Stage 2 off; the round it makes."""
    signoff.candidate_sign(session, team.enrolment, "stage2", team.candidate,
                           CANDIDATE_DECLARATIONS)
    session.commit()
    session.expire_all()  # the sign-off moves on by UPDATE statements
    signoff.supervisor_sign(session, team.enrolment, "stage2", team.primary,
                            SUPERVISOR_DECLARATIONS, None, TODAY)
    session.commit()
    return latest_round(session, team)


def latest_round(session, team) -> StageSignOffRound:
    """The latest round of the team's Stage 2."""
    return session.scalar(sa.select(StageSignOffRound).join(
        StageSignOff, StageSignOff.id == StageSignOffRound.signoff_id)
        .where(StageSignOff.enrolment_id == team.enrolment.id, StageSignOff.stage_code == "stage2")
        .order_by(StageSignOffRound.number.desc()).limit(1))


@pytest.fixture
def waiting(session, reviewing):
    """Stage 2 signed off by the supervisor: round 1 waits for University of Example."""
    reviewing.round = sign_stage2(session, reviewing.team)
    return reviewing


@pytest.fixture
def approve_as_provider(session):
    """Approve a waiting round as a reviewer, with the audit sample off; the decision."""
    def approve(kept: StageSignOffRound, reviewer: Any) -> Any:
        """The reviewer's approval of the round, committed."""
        decision = decisions.decide(session, kept.id, reviewer, "approved", None, {}, 0, TODAY)
        session.commit()
        return decision

    return approve


def frozen(content: dict[str, Any]) -> str:
    """The content hash a round keeps, as the application computes it."""
    return sha256_hex(canonical_json(content))


@pytest.fixture
def waiting_since(session, msk, make_user):
    """Make a learner of a provider whose Stage 2 has waited for some days (rows only)."""
    from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub

    hub = TrainingHub(name="Queue hub")
    cohort = Cohort(hub=hub, name="Queue cohort")
    session.add_all([hub, cohort])
    session.commit()

    def make(provider: EducationProvider, name: str, days: int,
             content: dict[str, Any] | None = None) -> StageSignOffRound:
        """A learner of the provider named so, whose round was signed off days ago."""
        person = make_user(f"{name.split()[0].lower()}@example.nhs.uk", full_name=name)
        enrolment = Enrolment(candidate_id=person.id, cohort_id=cohort.id, provider_id=provider.id,
                              framework_version_id=msk.id, enrolled_on=dt.date(2026, 1, 5))
        session.add(enrolment)
        session.flush()
        content = content or {"learner": name}
        record = StageSignOff(enrolment_id=enrolment.id, stage_code="stage2",
                              status="supervisor_signed", signed_content=content,
                              content_hash=frozen(content))
        session.add(record)
        session.flush()
        kept = StageSignOffRound(signoff_id=record.id, number=1, signed_content=content,
                                 content_hash=frozen(content),
                                 signed_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days))
        session.add(kept)
        session.commit()
        return kept

    return make

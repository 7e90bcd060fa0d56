"""Provider tests: the audit sample off, approval as a reviewer, learners waiting for days.

The two providers with reviewers and the Stage 2 waiting for the first (`reviewing`, `waiting`)
come from tests/fixtures/providers.py. The audit sample is off here (PROVIDER_SAMPLE_PERCENT 0)
unless a test turns it on, so an approval completes the stage whatever the round's hash.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from roadmap.providers import decisions
from roadmap.providers.models import EducationProvider
from roadmap.supervision.models import StageSignOff, StageSignOffRound
from tests.fixtures.msk import TODAY
from tests.fixtures.providers import frozen


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """No audit sample unless a test asks for one."""
    return {**app_config, "PROVIDER_SAMPLE_PERCENT": 0}


@pytest.fixture
def approve_as_provider(session):
    """Approve a waiting round as a reviewer, with the audit sample off; the decision."""
    def approve(kept: StageSignOffRound, reviewer: Any) -> Any:
        """The reviewer's approval of the round, committed."""
        decision = decisions.decide(session, kept.id, reviewer, "approved", None, {}, 0, TODAY)
        session.commit()
        return decision

    return approve


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

"""Nobody on the learner's supervision team decides for the provider on that learner."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from roadmap.accounts.models import UserRole
from roadmap.providers import decisions
from roadmap.providers.models import ProviderDecision, ProviderReviewer
from roadmap.supervision.errors import NotAllowed
from roadmap.supervision.models import SupervisorAssignment
from tests.fixtures.msk import TODAY
from tests.fixtures.apps import through_check


def _also_reviewer(session, waiting, person) -> None:
    """The administrator makes a person a reviewer of the learner's provider too."""
    session.add_all([UserRole(user_id=person.id, role="provider_reviewer"),
                     ProviderReviewer(provider_id=waiting.provider.id, user_id=person.id)])
    session.commit()
    session.expire_all()


def _assert_shut_out(client, login, session, waiting, person) -> None:
    """The person sees no round of the learner and cannot decide on it, by any way in."""
    kept = waiting.round
    login(client, person)
    assert f"/provider/rounds/{kept.id}" not in client.get("/provider").get_data(as_text=True)
    assert client.get(f"/provider/rounds/{kept.id}").status_code == 404
    for action in ("approve", "refer"):
        assert through_check(client, f"/provider/rounds/{kept.id}/{action}",
                           {"refer-reason": "No"}).status_code == 404
    session.rollback()
    session.expire_all()
    with pytest.raises(NotAllowed):
        decisions.decide(session, kept.id, person, "approved", None, {}, 0, TODAY)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count(ProviderDecision.id))) == 0


def test_the_supervisor_who_signed_off_cannot_approve_as_the_provider(client, login, session,
                                                                      waiting):
    _also_reviewer(session, waiting, waiting.team.primary)
    _assert_shut_out(client, login, session, waiting, waiting.team.primary)


def test_the_backup_cannot_approve_as_the_provider(client, login, session, waiting):
    _also_reviewer(session, waiting, waiting.team.backup)
    _assert_shut_out(client, login, session, waiting, waiting.team.backup)


def test_the_educational_supervisor_cannot_approve_as_the_provider(client, login, session,
                                                                   waiting):
    session.add(SupervisorAssignment(enrolment_id=waiting.team.enrolment.id,
                                     supervisor_id=waiting.second.id, kind="educational",
                                     starts_on=dt.date(2026, 1, 5)))
    session.commit()
    _assert_shut_out(client, login, session, waiting, waiting.second)


def test_a_supervisor_replaced_after_the_round_still_cannot_decide_on_it(client, login, session,
                                                                         waiting):
    session.execute(sa.update(SupervisorAssignment).where(
        SupervisorAssignment.supervisor_id == waiting.team.backup.id)
        .values(ended_at=dt.datetime.now(dt.timezone.utc)))
    session.commit()
    _also_reviewer(session, waiting, waiting.team.backup)
    _assert_shut_out(client, login, session, waiting, waiting.team.backup)


def test_a_reviewer_off_the_team_still_reaches_the_round(client, login, waiting):
    login(client, waiting.first)
    assert client.get(f"/provider/rounds/{waiting.round.id}").status_code == 200

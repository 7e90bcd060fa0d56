"""The audit sample: which approvals get a second review, by whom, and one decision per review."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from roadmap import create_app
from roadmap.config import ConfigError
from roadmap.db import write_intent
from roadmap.providers import decisions
from roadmap.providers.models import ProviderDecision
from roadmap.supervision.errors import Conflict, NotAllowed
from roadmap.supervision.models import StageSignOff
from tests.fixtures.msk import TODAY
from tests.fixtures.apps import through_check


def _fresh(session) -> None:
    """See what the requests committed: a new transaction, and nothing kept from before."""
    session.rollback()
    session.expire_all()


@pytest.mark.parametrize("digest, percent, expected", [
    ("00000063" + "0" * 56, 100, True), ("ffffffff" + "0" * 56, 0, False),
    ("00000009" + "0" * 56, 10, True), ("0000000a" + "0" * 56, 10, False),  # 9 and 10 of 100
])
def test_the_sample_is_decided_by_the_rounds_hash(digest, percent, expected):
    assert decisions.sampled(digest, percent) is expected


@pytest.mark.parametrize("value", [-1, 101, "ten", True])
def test_the_sample_setting_is_a_percentage(database_url, value):
    with pytest.raises(ConfigError, match="PROVIDER_SAMPLE_PERCENT"):
        create_app({"TESTING": True, "DATABASE_URL": database_url,
                    "PROVIDER_SAMPLE_PERCENT": value})


def test_the_sample_setting_comes_from_the_environment(database_url, monkeypatch):
    monkeypatch.setenv("ROADMAP_PROVIDER_SAMPLE_PERCENT", "25")
    assert create_app({"TESTING": True, "DATABASE_URL": database_url}).config[
        "PROVIDER_SAMPLE_PERCENT"] == 25
    monkeypatch.setenv("ROADMAP_PROVIDER_SAMPLE_PERCENT", "half")
    with pytest.raises(ConfigError, match="whole number"):
        create_app({"TESTING": True, "DATABASE_URL": database_url})


def test_a_sampled_approval_goes_to_another_reviewer(app, client, login, session, waiting,
                                                     mailbox):
    app.config["PROVIDER_SAMPLE_PERCENT"] = 100
    kept, team = waiting.round, waiting.team
    login(client, waiting.first)
    assert through_check(client, f"/provider/rounds/{kept.id}/approve", {}).status_code == 302
    # The other reviewer of the provider is told; the first reviewer and Other College are not.
    subject = "A sampled approval is waiting for your second review"
    [told] = [m for m in mailbox.to(waiting.second.email) if m["Subject"] == subject]
    assert "Rhea Reviewer approved" in told.get_content()
    for person in (waiting.first, waiting.other):
        assert not [m for m in mailbox.to(person.email) if m["Subject"] == subject]
    _fresh(session)
    [first] = session.scalars(sa.select(ProviderDecision)).all()
    assert first.sampled_for_audit and first.review == "first"
    record = session.get(StageSignOff, kept.signoff_id)
    assert record.status == "supervisor_signed" and record.verification_code is None
    # The first reviewer neither sees it again nor reaches the second review.
    assert "Nothing is waiting for your review" in client.get("/provider").get_data(as_text=True)
    assert client.get(f"/provider/rounds/{kept.id}").status_code == 404
    # Three more quick clicks on Approve: told the round has their decision, nothing added.
    for _ in range(3):
        again = through_check(client, f"/provider/rounds/{kept.id}/approve", {})
        assert again.status_code == 302 and again.headers["Location"].endswith("/provider")
        assert "This round already has your decision" in client.get("/provider").get_data(
            as_text=True)
    assert through_check(client, f"/provider/rounds/{kept.id}/refer",
                       {"refer-reason": "No"}).status_code == 302
    with pytest.raises(NotAllowed, match="another reviewer"):
        decisions.decide(session, kept.id, waiting.first, "approved", None, {}, 100, TODAY)
    _fresh(session)
    # Another reviewer of the same provider sees a second review, and completes the stage.
    other = app.test_client()
    login(other, waiting.second)
    queue = other.get("/provider").get_data(as_text=True)
    assert "Second review" in queue and team.candidate.full_name in queue
    page = other.get(f"/provider/rounds/{kept.id}").get_data(as_text=True)
    assert "Second review: sampled for audit" in page and "Rhea Reviewer approved" in page
    assert "<p>Rhea Reviewer approved this round on" in page and "&lt;p&gt;" not in page
    assert through_check(other, f"/provider/rounds/{kept.id}/approve", {}).status_code == 302
    _fresh(session)
    assert session.get(StageSignOff, kept.signoff_id).status == "complete"
    second = session.scalar(sa.select(ProviderDecision).where(ProviderDecision.review == "second"))
    assert (second.reviewer_id, second.outcome, second.sampled_for_audit) == (
        waiting.second.id, "approved", False)


def test_the_second_reviewer_may_refer_it_back(session, waiting):
    kept = waiting.round
    decisions.decide(session, kept.id, waiting.first, "approved", None, {}, 100, TODAY)
    session.commit()
    decisions.decide(session, kept.id, waiting.second, "referred", "The sample shows gaps",
                     {"1": "Thin"}, 100, TODAY)
    session.commit()
    _fresh(session)
    assert session.get(StageSignOff, kept.signoff_id).status == "referred"


def test_parallel_decisions_make_exactly_one(app, session, waiting):
    """Real concurrent connections, as ten double-clicks would be: one decision, nine told."""
    sessions = app.extensions["roadmap.db"].sessions
    reviewer_ids, round_id = (waiting.first.id, waiting.second.id), waiting.round.id
    start, lock, outcomes = threading.Barrier(10), threading.Lock(), []

    def attempt(index: int) -> None:
        write_intent.set(True)  # a POST request sets this: SQLite takes the write lock at BEGIN
        own = sessions()
        try:
            from roadmap.accounts.models import User
            start.wait()  # before the first statement: on SQLite it takes the write lock
            reviewer = own.get(User, reviewer_ids[index % 2])
            decisions.decide(own, round_id, reviewer, "approved", None, {}, 0, TODAY)
            own.commit()
            result = "decided"
        except Conflict as conflict:
            own.rollback()
            result = f"conflict: {conflict}"
        except Exception as error:  # anything else is a failure of the test
            own.rollback()
            result = f"error: {error!r}"
        finally:
            own.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert outcomes.count("decided") == 1, outcomes
    assert all(o.startswith("conflict") for o in outcomes if o != "decided"), outcomes
    _fresh(session)
    assert session.scalar(sa.select(sa.func.count()).select_from(ProviderDecision)) == 1
    assert session.get(StageSignOff, waiting.round.signoff_id).status == "complete"

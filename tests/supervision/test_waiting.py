"""Where a stage waits (rule D11): one answer for the candidate, the supervisors and the hub."""
from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
import sqlalchemy as sa

from roadmap import clock
from roadmap.cohorts.models import Cohort, Enrolment
from roadmap.providers.models import ProviderReviewer
from roadmap.supervision.models import SupervisorAssignment
from roadmap.supervision.waiting import StageWait, one_enrolment, stage_waits
from tests.providers.approvals import (decide, latest_round, name_provider, provider, reviewer,
                                    stage_in)

MARCH_3 = dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.timezone.utc)
MARCH_15 = dt.date(2026, 3, 15)
STAGE1_DONE = dt.datetime(2026, 2, 1, tzinfo=dt.timezone.utc)


@pytest.fixture
def north(session, team):
    """The team's enrolment names an education provider, which has a reviewer."""
    made = provider(session, "Northern Education Provider")
    name_provider(session, team.enrolment, made)
    return made


def _stage2(session, team) -> str:
    return next(w for w in stage_waits(session, [team.enrolment.id], MARCH_15)[team.enrolment.id]
                if w.stage_code == "stage2").words


def test_each_state_in_words(session, team, north, make_user):
    rae = reviewer(session, make_user, north)
    assert _stage2(session, team) == "With the candidate: the checklist, then their declaration"
    stage_in(session, team.enrolment, "stage1", "complete")
    record = stage_in(session, team.enrolment, "stage2", "candidate_signed")
    assert _stage2(session, team) == "Waiting for the supervisor's sign-off"
    record.status = "supervisor_signed"
    session.commit()
    latest_round(session, record, signed_at=MARCH_3)
    session.commit()
    assert _stage2(session, team) == ("Waiting for the education provider (Northern Education "
                                      "Provider) since 3 March 2026, 12 days")
    decide(session, record, north, rae, sampled=True, at=MARCH_3 + dt.timedelta(days=2))
    assert _stage2(session, team) == (
        "Waiting for a second review by the education provider (audit sample) (Northern "
        "Education Provider) since 5 March 2026, 10 days")
    second = reviewer(session, make_user, north, "Sol Second")
    decide(session, record, north, second, review="second",
           outcome="referred", reason="The CSR does not cover heading 7.",
           at=MARCH_3 + dt.timedelta(days=4))
    assert _stage2(session, team) == ("Referred back by the education provider on 7 March "
                                      "2026: The CSR does not cover heading 7.")
    record.status = "candidate_signed"
    session.commit()
    assert _stage2(session, team) == ("Waiting for the supervisor's sign-off (referred back by "
                                      "the education provider on 7 March 2026)")
    record.status, record.completed_at = "complete", MARCH_3
    session.commit()
    assert _stage2(session, team) == "Signed off"


def test_without_a_provider_named_the_hub_is_told_to_set_one(session, team):
    record = stage_in(session, team.enrolment, "stage2", "supervisor_signed", signed_at=MARCH_3)
    assert record.status == "supervisor_signed"
    assert _stage2(session, team).startswith(
        "Waiting for the education provider (not named yet: the training hub sets it) since")


def test_one_statement_for_any_number_of_enrolments(session, team, north, count_queries):
    cohort_id = team.enrolment.cohort_id
    counts = []
    for size in (2, 20):
        while session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) < size:
            enrolment = Enrolment(candidate_id=team.candidate.id, cohort_id=cohort_id,
                                  framework_version_id=team.version.id, provider_id=north.id,
                                  enrolled_on=dt.date(2026, 1, 5))
            session.add(enrolment)
            session.flush()
            stage_in(session, enrolment, "stage1", "complete")
            stage_in(session, enrolment, "stage2", "supervisor_signed", signed_at=MARCH_3)
        scope = sa.select(Enrolment.id).where(Enrolment.cohort_id == cohort_id)
        with count_queries() as counter:
            found = stage_waits(session, scope, MARCH_15)
        counts.append(counter.count)
        assert len(found) == size
    assert counts == [1, 1]


def _at_provider(session, team, north, days: int = 12):
    stage_in(session, team.enrolment, "stage1", "complete", signed_at=STAGE1_DONE)
    since = clock.now() - dt.timedelta(days=days)
    stage_in(session, team.enrolment, "stage2", "supervisor_signed", signed_at=since)
    return (f"Waiting for the education provider (Northern Education Provider) since "
            f"{clock.long_date(clock.day_of(since))}, {days} days")


def test_the_candidate_and_the_supervisors_see_where_it_waits(app, client, login, session, team,
                                                              north):
    words = _at_provider(session, team, north)
    login(client, team.candidate)
    assert words in client.get(f"/stages/{team.enrolment.id}/stage2").get_data(as_text=True)
    home = client.get("/home").get_data(as_text=True)
    assert words in home and "Signed off" in home  # Stage 1
    for person in (team.primary, team.backup):
        supervisor = app.test_client()
        login(supervisor, person)
        for path in (f"/stages/{team.enrolment.id}/stage2",
                     f"/supervision/candidates/{team.enrolment.id}"):
            assert words in supervisor.get(path).get_data(as_text=True), (person.email, path)


def test_the_hub_sees_the_wait_its_age_and_can_filter_on_it(client, login, session, team, north,
                                                            make_user):
    words = _at_provider(session, team, north, days=9)
    hub_id = session.get(Cohort, team.enrolment.cohort_id).hub_id
    other = make_user("other@example.nhs.uk", full_name="Other Candidate")
    session.add(Enrolment(candidate_id=other.id, cohort_id=team.enrolment.cohort_id,
                          framework_version_id=team.version.id, enrolled_on=dt.date(2026, 1, 5)))
    session.commit()
    lead = make_user("lead@example.nhs.uk", roles=("hub_lead",), hub_id=hub_id,
                     totp_secret=pyotp.random_base32())
    login(client, lead)
    cohort = team.enrolment.cohort_id
    page = client.get(f"/cohorts/{cohort}").get_data(as_text=True)
    assert words in page and "Days waiting for the education provider" in page
    assert "Waiting for the education provider: 1" in page
    shown = client.get(f"/cohorts/{cohort}", query_string={"risk": "provider"})
    text = shown.get_data(as_text=True)
    assert "Jo Candidate" in text and "Other Candidate" not in text
    table = client.get(f"/cohorts/{cohort}/dashboard.csv",
                       query_string={"sort": "provider", "order": "desc"}).get_data(as_text=True)
    first = table.splitlines()[1]
    assert first.startswith("Jo Candidate") and first.endswith(",9")
    hub = client.get(f"/hubs/{hub_id}").get_data(as_text=True)
    assert "Waiting for the education provider" in hub and "(oldest: 9 days)" in hub


def test_a_referral_shows_its_reason_to_everyone(app, client, login, session, team, north,
                                                 make_user):
    stage_in(session, team.enrolment, "stage1", "complete")
    record = stage_in(session, team.enrolment, "stage2", "supervisor_signed")
    decide(session, record, north, reviewer(session, make_user, north), outcome="referred",
           reason="More evidence on heading 7, please.",
           headings={"7": "Only one piece of evidence."})
    login(client, team.candidate)
    page = client.get(f"/stages/{team.enrolment.id}/stage2").get_data(as_text=True)
    assert "Referred back by the education provider on" in page
    assert "More evidence on heading 7, please." in page and "Only one piece of evidence." in page
    supervisor = app.test_client()
    login(supervisor, team.primary)
    page = supervisor.get(f"/supervision/candidates/{team.enrolment.id}").get_data(as_text=True)
    assert "More evidence on heading 7, please." in page


def test_a_supervisor_without_assignment_still_gets_404(client, login, session, team, north):
    _at_provider(session, team, north)
    session.execute(sa.delete(SupervisorAssignment))
    session.commit()
    login(client, team.stranger)
    assert client.get(f"/supervision/candidates/{team.enrolment.id}").status_code == 404




@pytest.mark.parametrize("days, stage, queue_words, home_words", [
    (0, "since today", "<span>Since today</span>", "the oldest came in today."),
    (1, "Provider) since ", "<span>1 day<br>", "the oldest has waited 1 day."),
])
def test_a_wait_begun_today_reads_today_and_one_of_a_day_reads_1_day(
        app, client, login, session, team, north, make_user, days, stage, queue_words,
        home_words):
    """Never "since 7 December 2026, 0 days", "1 days" or "waiting 0 days"."""
    _at_provider(session, team, north, days=days)
    login(client, team.candidate)
    home = client.get("/home").get_data(as_text=True)
    assert stage in home and "0 days" not in home and "1 days" not in home
    assert days == 0 or re.search(r"since \d+ \w+ \d{4}, 1 day\b", home)
    rae = make_user("rae@provider.example", roles=("provider_reviewer",),
                    full_name="Rae Reviewer", totp_secret=team.secret)
    session.add(ProviderReviewer(provider_id=north.id, user_id=rae.id))
    session.commit()
    queue = app.test_client()
    login(queue, rae)
    provider_queue = queue.get("/provider").get_data(as_text=True)
    assert queue_words in provider_queue
    assert "waiting since" not in provider_queue and "waiting 1 day" not in provider_queue  # #14
    assert home_words in queue.get("/home").get_data(as_text=True)


def test_the_declaration_is_awaited_only_once_every_must_be_met_check_is_met(client, login,
                                                                            session, team):
    """Issue 17 #4: stage 2 cannot be declared while stage 1 (a must-be-met check) is not
    signed off, so nobody is told it waits for the candidate's declaration."""
    waits = one_enrolment(session, team.enrolment.id, MARCH_15)
    stage2 = next(w for w in waits if w.stage_code == "stage2")
    assert stage2.gates is not None and stage2.gates[0] < stage2.gates[1]
    met, total = stage2.gates
    login(client, team.candidate)
    home = client.get("/home").get_data(as_text=True)
    assert f"Waiting for the checks that must be met: {met} of {total} met" in home
    page = client.get(f"/stages/{team.enrolment.id}/stage2").get_data(as_text=True)
    assert "Waiting for your declaration" not in page
    assert f"Waiting for the checks that must be met: {met} of {total} met" in page
    client.post("/sign-out")
    login(client, team.primary)
    page = client.get(f"/stages/{team.enrolment.id}/stage2").get_data(as_text=True)
    assert "candidate&#39;s declaration" not in page and "candidate's declaration" not in page
    assert f"Working toward the checklist: {met} of {total} must-be-met checks met" in page


def test_with_every_must_be_met_check_met_it_waits_for_the_declaration():
    wait = StageWait(enrolment_id=1, stage_code="stage2", stage_name="Stage 2", state="candidate",
                     today=MARCH_15, gates=(3, 3))
    assert wait.words == "Waiting for the candidate's declaration"
    assert wait.own_words == "Waiting for your declaration"

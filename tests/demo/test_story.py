"""The demo's story, read back: its spread, its times, its verification, its hubs' figures.

One demo is built for the module (tests/demo/conftest.py); the tests only read it, but for
signing in.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pyotp
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import clock, storage
from roadmap.audit.models import AuditEvent
from roadmap.backup.verify import verify
from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
from roadmap.feedback.models import FeedbackResponse, FeedbackRound
from roadmap.framework.models import EvidenceType
from roadmap.lna.models import LearningNeedsAnalysis, LnaCredit
from roadmap.models import Evidence, EvidenceVersion, Signature, StageSignOff, User
from roadmap.providers.models import ProviderDecision
from roadmap.supervision.models import (ExternalSignatureReview, ProgressReview,
                                        SupervisorAssignment, covering)
from roadmap.supervision.waiting import stage_waits
from tests.demo.conftest import PASSWORD, Built


@pytest.fixture
def session(built: Built):
    """A session on the demo's database."""
    made = built.app.extensions["roadmap.db"].sessions()
    yield made
    made.rollback()
    made.close()


def _sign_in(built: Built, email: str):
    """A client signed in with the password and, where asked, a code from the printed secret."""
    client = built.app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    if response.headers.get("Location", "").endswith("/sign-in/code"):
        response = client.post("/sign-in/code",
                               data={"code": pyotp.TOTP(built.secret(email)).now()})
    assert response.status_code == 302, response.data[:500]
    return client


def test_the_spread_every_stage_state_every_kind_of_evidence(session: Session):
    waits = stage_waits(session, sa.select(Enrolment.id), clock.today())
    states = {wait.state for found in waits.values() for wait in found}
    assert states == {"candidate", "supervisor", "provider", "second_review", "referred",
                      "signed_off"}
    assert set(session.scalars(sa.select(StageSignOff.status).distinct())) >= {
        "candidate_signed", "supervisor_signed", "referred", "complete"}
    assert set(session.scalars(sa.select(Evidence.status).distinct())) == {
        "draft", "submitted", "returned", "signed", "changed_since_signed"}
    used = set(session.scalars(sa.select(EvidenceType.code).join(
        Evidence, Evidence.evidence_type_id == EvidenceType.id).distinct()))
    assert used == set(session.scalars(sa.select(EvidenceType.code)))
    assert {"gibbs", "what_so_what_now_what"} <= set(session.scalars(
        sa.select(Evidence.template_code).distinct()))
    capacities = set(session.scalars(sa.select(Signature.capacity).distinct()))
    assert capacities == {"candidate", "primary_supervisor", "backup_supervisor",
                          "backup_acting_for_primary", "external_assessor"}
    assert set(session.scalars(sa.select(ExternalSignatureReview.outcome))) == {
        "accepted", "disputed"}
    released = session.scalars(sa.select(FeedbackRound.kind).where(
        FeedbackRound.released_at.is_not(None))).all()
    assert set(released) == {"msf", "psq"}
    assert session.scalar(sa.select(FeedbackRound.id).where(FeedbackRound.released_at.is_(None)))
    decided = session.execute(sa.select(ProviderDecision.outcome,
                                        ProviderDecision.sampled_for_audit)).all()
    assert {("approved", False), ("approved", True), ("referred", False)} <= set(decided)
    assert set(session.scalars(sa.select(LearningNeedsAnalysis.status))) == {
        "draft", "submitted", "confirmed"}
    assert session.scalar(sa.select(sa.func.count()).select_from(LnaCredit)) >= 3
    assert session.scalar(sa.select(ProgressReview.id).where(
        ProgressReview.candidate_response.is_not(None)))
    professions = set(session.scalars(sa.select(User.profession).join(
        Enrolment, Enrolment.candidate_id == User.id)))
    assert professions == {"Physiotherapist", "Osteopath"}  # the MSK roadmap's professions
    assert session.scalar(sa.select(AuditEvent.id).where(
        AuditEvent.action == "assignment.over_capacity"))  # an overload shown, confirmed


def test_event_times_follow_the_items_dates(built: Built, session: Session):
    events = session.execute(sa.select(AuditEvent.id, AuditEvent.occurred_at, AuditEvent.action,
                                       AuditEvent.subject_id)
                             .order_by(AuditEvent.id)).all()
    times = [e.occurred_at for e in events]
    assert times == sorted(times), "the log's events come in the order of their times"
    assert (times[-1] - times[0]).days >= 200, "months of a pilot, not one moment"
    created = {e.subject_id: e.occurred_at for e in events if e.action == "evidence.created"}
    for item in session.scalars(sa.select(Evidence).where(Evidence.occurred_on.is_not(None))):
        logged = clock.day_of(created[item.id])
        assert item.occurred_on <= logged <= item.occurred_on + dt.timedelta(days=3), item.title
        assert clock.day_of(item.created_at) == logged
    dated = dict(session.execute(sa.select(Evidence.id, Evidence.occurred_on)).all())
    for signed_at, evidence_id in session.execute(
            sa.select(Signature.signed_at, EvidenceVersion.evidence_id)
            .join(EvidenceVersion, EvidenceVersion.id == Signature.subject_id)
            .where(Signature.subject_type == "evidence_version")):
        assert signed_at > created[evidence_id]
    answered = session.execute(sa.select(FeedbackResponse.submitted_on, Evidence.id)
                               .join(Evidence, Evidence.id == FeedbackResponse.evidence_id))
    for day, evidence_id in answered:
        assert day >= dated[evidence_id]
    story = [e for e in events if e.action not in ("signin", "signout")]
    assert clock.day_of(story[-1].occurred_at) < clock.today()


def test_audit_verify_holds_on_the_demo(built: Built, session: Session):
    result = built.app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    with built.app.app_context():
        report = verify(session, storage.current(built.app))
    assert report.problem is None
    assert report.signatures > 200 and report.files >= 20 and report.decisions == 3


def test_the_printed_stage2_code_names_declaration_acting_backup_and_provider(built: Built):
    codes = built.codes()
    page = built.app.test_client().get(f"/verify/{codes[('Olivia Carter', 'Stage 2')]}")
    text = page.get_data(as_text=True).replace("&#39;", "'")
    assert page.status_code == 200
    assert "This verification statement is genuine" in text
    assert "Declared by the candidate" in text and "Olivia Carter" in text
    assert "Tom Hughes, backup supervisor, acting for the primary (The primary supervisor is " \
           "on leave" in text
    assert "Approved by the education provider" in text
    assert "Cherwell University (demo) (reviewed by Ruth Adeyemi)" in text
    assert "The portfolio has not changed since it was signed off" in text
    stage1 = built.app.test_client().get(f"/verify/{codes[('Megan Lloyd', 'Stage 1')]}")
    assert "This verification statement is genuine" in stage1.get_data(as_text=True)


def _by_hand(session: Session, hub: TrainingHub) -> dict[str, int]:
    """A hub's figures counted from the rows themselves."""
    enrolments = session.scalars(sa.select(Enrolment).join(Cohort).where(
        Cohort.hub_id == hub.id)).all()
    ids = [e.id for e in enrolments]
    backed = set(session.scalars(sa.select(SupervisorAssignment.enrolment_id).where(
        SupervisorAssignment.enrolment_id.in_(ids), SupervisorAssignment.kind == "backup",
        covering(clock.now()))))
    year_ago = clock.today() - dt.timedelta(days=365)
    return {
        "candidates": len(enrolments),
        "signed_off": sum(1 for e in enrolments if e.stage2_signed_off_on
                          and e.stage2_signed_off_on > year_ago),
        "no_backup": sum(1 for e in enrolments if e.status == "active" and e.id not in backed),
        "at_provider": session.scalar(sa.select(sa.func.count()).select_from(StageSignOff).where(
            StageSignOff.enrolment_id.in_(ids), StageSignOff.status == "supervisor_signed")),
    }


def _over_capacity(session: Session) -> Counter:
    """Supervisors carrying more primary candidates than 4 per FTE, by hub they carry them in."""
    from roadmap.accounts.models import SupervisorProfile

    loads = Counter(session.scalars(sa.select(SupervisorAssignment.supervisor_id).join(
        Enrolment).where(SupervisorAssignment.kind == "primary", Enrolment.status == "active",
                         covering(clock.now()))))
    fte = dict(session.execute(sa.select(SupervisorProfile.user_id, SupervisorProfile.fte)).all())
    over = {s for s, n in loads.items() if n > 4 * fte[s]}
    hubs = Counter()
    for supervisor_id, hub_id in set(session.execute(
            sa.select(SupervisorAssignment.supervisor_id, Cohort.hub_id)
            .join(Enrolment, Enrolment.id == SupervisorAssignment.enrolment_id).join(Cohort)
            .where(covering(clock.now()), Enrolment.status == "active",
                   SupervisorAssignment.kind.in_(("primary", "backup"))))):
        hubs[hub_id] += supervisor_id in over
    return hubs


@pytest.mark.parametrize("lead, expected", [
    ("hub@example.nhs.uk", {"candidates": 10, "signed_off": 1, "no_backup": 2, "at_provider": 1}),
    ("hub2@example.nhs.uk", {"candidates": 3, "signed_off": 0, "no_backup": 0, "at_provider": 1}),
    ("hub3@example.nhs.uk", {"candidates": 3, "signed_off": 0, "no_backup": 0, "at_provider": 0}),
])
def test_each_hubs_dashboard_shows_its_figures_as_counted_by_hand(built: Built, session: Session,
                                                                  lead: str, expected: dict):
    user = session.scalar(sa.select(User).where(User.email == lead))
    hub = session.scalar(sa.select(TrainingHub).where(TrainingHub.id == user.roles[0].hub_id))
    counted = _by_hand(session, hub)
    assert counted == expected  # the plan, counted from the rows
    cohort = session.scalar(sa.select(Cohort).where(Cohort.hub_id == hub.id))
    page = _sign_in(built, lead).get(f"/hubs/{hub.id}").get_data(as_text=True)
    page = page.replace("&#39;", "'")
    assert f"{counted['candidates']} candidates in 1 cohort." in page
    assert f"Target: {hub.annual_signoff_target} Stage 2 sign-offs a year; " \
           f"{counted['signed_off']} in the last 12 months." in page
    assert f">{counted['no_backup']}<span class=\"nhsuk-u-visually-hidden\"> without a backup " \
           f"in {cohort.name}" in page
    assert f">{counted['at_provider']}<span class=\"nhsuk-u-visually-hidden\"> waiting for " \
           f"the education provider in {cohort.name}" in page
    over = _over_capacity(session)[hub.id]
    assert f"Supervisors over 4 candidates per FTE: <strong>{over}</strong>" in page


def test_the_logins_work_and_lead_to_each_persons_page(built: Built):
    home = _sign_in(built, "candidate1@example.nhs.uk").get("/home", follow_redirects=True)
    assert b"Hello, Jamie Patel" in home.data and b"Dr Priya Shah" in home.data
    queue = _sign_in(built, "provider@example.ac.uk").get("/provider").get_data(as_text=True)
    assert "Mohammed Ali" in queue  # waiting for the provider's review
    second = _sign_in(built, "provider2@example.ac.uk").get("/provider").get_data(as_text=True)
    assert "Kiran Desai" in second and "Second review" in second

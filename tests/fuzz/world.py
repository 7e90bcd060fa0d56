"""The world the fuzz test attacks: the demo hub, plus what the demo lacks.

The demo gives each role real objects in every state (drafts, submitted, returned and signed
items, a completed Stage 1, ratings). On top of it: feedback rounds with live links and
enough answers to release, an unopened round, an assessment ticket, a Stage 2 the candidate
has signed (so a supervisor sees the sign-off form), a learning needs analysis that candidate
has sent (so their primary supervisor sees the confirmation form), an invitation and a reset
link, and the supervisor as another candidate's educational supervisor, with a progress review
of the candidate's waiting for their response;
and an education provider with a reviewer (so an administrator sees its reviewer forms).
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from roadmap.accounts import service as accounts, tokens
from roadmap.accounts.models import AccountToken, Role, TokenPurpose, User
from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
from roadmap.db import utcnow
from roadmap.feedback.links import derived_token, digest
from roadmap.feedback.models import (AssessmentTicket, FeedbackRater, FeedbackResponse,
                                     FeedbackRound)
from roadmap.framework.models import EvidenceType
from roadmap.lna.models import LearningNeedsAnalysis
from roadmap.portfolio.models import Evidence
from roadmap.providers.models import EducationProvider, ProviderReviewer
from roadmap.regions.models import Region
from roadmap.regions.service import assign_regional_lead, create_region
from roadmap.supervision.models import (ProgressReview, StageSignOff, SupervisorAssignment,
                                        covering)
from tests.fixtures.demo import DEMO_PASSWORD, DemoSnapshot, put_demo
from tests.fuzz import extras

PASSWORD = DEMO_PASSWORD
PEOPLE = {"candidate": "candidate1@example.nhs.uk", "supervisor": "supervisor1@example.nhs.uk",
          "hub_lead": "hub@example.nhs.uk", "admin": "admin@example.nhs.uk"}
SIGNED_STAGE2 = "candidate5@example.nhs.uk"  # supervised by supervisor1, who then signs
RATER_TOKEN = "fuzz-rater-" + "r" * 32
TICKET_TOKEN = "fuzz-ticket-" + "t" * 32
PSQ_NONCE = "f" * 32


@dataclass
class World:
    """Who plays each role, and the links an outsider holds."""

    users: dict[str, User]
    hub_id: int  # the hub the hub lead leads
    ticket_item_id: int = 0  # the item the assessment ticket is for
    known: dict[str, list[str]] = field(default_factory=dict)  # real values, by field name
    public_paths: list[str] = field(default_factory=list)  # where an outsider starts
    role_paths: dict[str, list[str]] = field(default_factory=dict)  # crawled before the rest


def _user(session: Session, email: str) -> User:
    return session.scalar(sa.select(User).where(User.email == email))


def _enrolment(session: Session, user: User) -> Enrolment:
    return session.scalar(sa.select(Enrolment).where(Enrolment.candidate_id == user.id))


def _item(session: Session, enrolment: Enrolment, code: str, title: str,
          fields: dict[str, Any], candidate: User) -> Evidence:
    kind = session.scalar(sa.select(EvidenceType).where(
        EvidenceType.framework_version_id == enrolment.framework_version_id,
        EvidenceType.code == code))
    item = Evidence(enrolment_id=enrolment.id, evidence_type_id=kind.id, title=title,
                    fields=fields, status="draft", created_by_id=candidate.id,
                    occurred_on=dt.date.today())
    session.add(item)
    session.flush()
    return item


def _feedback(session: Session, app: Flask, enrolment: Enrolment, candidate: User) -> list[Evidence]:
    """An unopened MSF, an MSF ready to release, a PSQ with its poster link, a COT ticket."""
    own = {"self_professional_behaviour": "meets", "self_clinical_performance": "above"}
    unopened = _item(session, enrolment, "msf", "Fuzz MSF not started", own, candidate)
    msf = _item(session, enrolment, "msf", "Fuzz MSF open", own, candidate)
    psq = _item(session, enrolment, "psq", "Fuzz PSQ open", {"self_overall": "good"}, candidate)
    cot = _item(session, enrolment, "cot", "Fuzz COT with a ticket", {}, candidate)
    expires = utcnow() + dt.timedelta(days=30)
    session.add_all([
        FeedbackRound(evidence_id=msf.id, kind="msf", self_assessment=own, opened_by_id=candidate.id),
        FeedbackRound(evidence_id=psq.id, kind="psq", self_assessment={"self_overall": "good"},
                      opened_by_id=candidate.id, link_nonce=PSQ_NONCE,
                      link_hash=digest(derived_token(app.config["SECRET_KEY"], PSQ_NONCE))),
        FeedbackRater(evidence_id=msf.id, name="Fuzz Colleague", email="colleague@example.nhs.uk",
                      role="Practice nurse", rater_group="clinical", token_hash=digest(RATER_TOKEN),
                      expires_at=expires, added_by_id=candidate.id),
        AssessmentTicket(evidence_id=cot.id, invited_name="Fuzz Assessor",
                         invited_email="assessor@example.nhs.uk", token_hash=digest(TICKET_TOKEN),
                         expires_at=expires, created_by_id=candidate.id),
        *[FeedbackResponse(evidence_id=msf.id, respondent_group=group,
                           answers={"respondent_group": group, "professional_behaviour": "meets"})
          for group in ("clinical", "non_clinical") for _ in range(5)],
    ])
    return [unopened, msf, psq, cot]


def _stage2_signed_by_candidate(session: Session) -> Enrolment:
    """A Stage 2 waiting on its supervisor's signature (the gates need not be met)."""
    enrolment = _enrolment(session, _user(session, SIGNED_STAGE2))
    session.add(StageSignOff(enrolment_id=enrolment.id, stage_code="stage2",
                             status="candidate_signed", candidate_signed_at=utcnow(),
                             signed_content={"candidate": {"declarations": []}},
                             content_hash="0" * 64))
    return enrolment


def _educational(session: Session, supervisor: User,
                 candidate: User) -> tuple[Enrolment, ProgressReview]:
    """The supervisor made educational supervisor of a candidate they do not supervise, and a
    progress review of the given candidate's, not yet answered."""
    theirs = sa.select(SupervisorAssignment.enrolment_id).where(
        SupervisorAssignment.supervisor_id == supervisor.id, covering(dt.date.today()))
    other = session.scalars(sa.select(Enrolment).where(Enrolment.id.not_in(theirs))
                            .order_by(Enrolment.id).limit(1)).one()
    session.add(SupervisorAssignment(enrolment_id=other.id, supervisor_id=supervisor.id,
                                     kind="educational", starts_on=other.enrolled_on))
    review = ProgressReview(enrolment_id=_enrolment(session, candidate).id,
                            reviewer_id=supervisor.id, reviewed_on=dt.date.today(),
                            heading_progress={}, agreed_actions="Two CBDs by next month")
    session.add(review)
    session.flush()
    return other, review


def _provider(session: Session, enrolment: Enrolment) -> EducationProvider:
    """An education provider with one reviewer, named by the enrolment."""
    provider = EducationProvider(name="Fuzz University")
    reviewer = accounts.create_user(session, "reviewer@example.ac.uk", "Fuzz Reviewer",
                                    [Role.PROVIDER_REVIEWER], None, "fast")
    session.add(provider)
    session.flush()
    session.add(ProviderReviewer(provider_id=provider.id, user_id=reviewer.id))
    enrolment.provider_id = provider.id
    return provider


def _region(session: Session, enrolment: Enrolment) -> Region:
    """The region of the enrolment's hub (made if the demo has none), with a regional lead."""
    hub = session.scalar(sa.select(TrainingHub).join(Cohort, Cohort.hub_id == TrainingHub.id)
                         .where(Cohort.id == enrolment.cohort_id))
    region = session.get(Region, hub.region_id) if hub.region_id else None
    if region is None:
        region = create_region(session, "Fuzz region", 10, by=None)
        hub.region_id = region.id
    lead = accounts.create_user(session, "region.fuzz@example.nhs.uk", "Fuzz Regional Lead",
                                [Role.REGIONAL_LEAD], None, "fast")
    assign_regional_lead(session, region, lead, by=None)
    return region


def build(app: Flask, session: Session, demo: DemoSnapshot) -> World:
    """The demo, then the extras; committed, so the app's own sessions see them."""
    put_demo(app, demo)
    users = {role: _user(session, email) for role, email in PEOPLE.items()}
    candidate = users["candidate"]
    enrolment = _enrolment(session, candidate)
    items = _feedback(session, app, enrolment, candidate)
    signed = _stage2_signed_by_candidate(session)
    analysis = LearningNeedsAnalysis(enrolment_id=signed.id, status="submitted",
                                     answers={"details": "Fuzz: an MSc"}, submitted_at=utcnow())
    session.add(analysis)
    provider = _provider(session, enrolment)
    region = _region(session, enrolment)
    invited = accounts.create_user(session, "invited@example.nhs.uk", "Fuzz Invited",
                                   [Role.CANDIDATE], None, "fast")
    invitation = tokens.issue(session, invited, TokenPurpose.INVITATION, dt.timedelta(days=7))
    reset = tokens.issue(session, _user(session, "candidate2@example.nhs.uk"),
                         TokenPurpose.PASSWORD_RESET, dt.timedelta(hours=2))
    with_file = _item(session, enrolment, "learning_log", "Fuzz draft with a file", {}, candidate)
    extras.file_on(app, session, with_file, candidate)
    assessed = _item(session, enrolment, "cot", "Fuzz COT an assessor signed", {}, candidate)
    extras.externally_signed(app, session, assessed, candidate)
    on_device = _item(session, enrolment, "cot", "Fuzz COT signed on the phone", {}, candidate)
    extras.on_device_pending(app, session, on_device, candidate)
    unlock = extras.unlock_link(session, users["hub_lead"])
    reviewed, review = _educational(session, users["supervisor"], candidate)
    session.commit()
    round_pages = [f"/feedback/rounds/{item.id}" for item in items[:3]]
    return World(
        users=users, hub_id=next(g.hub_id for g in users["hub_lead"].roles if g.hub_id),
        ticket_item_id=items[3].id,
        # Real people and the demo password, so some examples get past sign-in and re-checks.
        known={"email": [*PEOPLE.values(), "candidate2@example.nhs.uk"],
               **{name: [PASSWORD] for name in ("password", "current", "secret", "identity")}},
        public_paths=["/sign-in", "/sign-in/code", "/sign-in/set-up-app", "/forgot-password",
                      f"/invitation/{invitation}", f"/reset-password/{reset}",
                      f"/feedback/colleague/{RATER_TOKEN}", f"/feedback/assess/{TICKET_TOKEN}",
                      f"/feedback/patient/{derived_token(app.config['SECRET_KEY'], PSQ_NONCE)}",
                      f"/feedback/confirm/{extras.ON_DEVICE_TOKEN}",
                      "/verify", "/feedback/thank-you", unlock],
        role_paths={
            "candidate": [*round_pages, f"/feedback/items/{items[3].id}/assessor",
                          f"/portfolio/evidence/{with_file.id}",
                          f"/feedback/items/{on_device.id}/on-device",
                          f"/stages/{enrolment.id}/stage2", f"/timeline/{enrolment.id}",
                          f"/progress-reviews/review/{review.id}"],
            "supervisor": [*round_pages, f"/stages/{signed.id}/stage2",
                           f"/learning-needs-analyses/{analysis.id}",
                           f"/supervision/items/{assessed.id}",
                           f"/supervision/candidates/{enrolment.id}/observed?type_code=cbd",
                           f"/supervision/candidates/{enrolment.id}/observed?type_code=mini_cex",
                           f"/supervision/candidates/{reviewed.id}/progress-reviews/new"],
            "hub_lead": [f"/stages/{enrolment.id}/stage2", f"/enrolments/{enrolment.id}/supervisors"],
            "admin": [f"/people/{candidate.id}", f"/enrolments/{enrolment.id}/supervisors",
                      f"/providers/{provider.id}", f"/regions/{region.id}/leads"],
        })


def sign_in(app: Flask, session: Session, client: FlaskClient, user: User) -> None:
    """Give the client a fresh server-side session of the user (no password or code needed)."""
    session.rollback()  # a fresh transaction: the app has written since the last one
    token = accounts.start_session(session, user, "127.0.0.1", "fuzz")
    session.commit()
    with client.session_transaction() as cookie:
        cookie.clear()
        cookie["sid"] = token


def half_signed_in(client: FlaskClient, user: User) -> None:
    """Put the client between the password step and the code step, as an outsider may be."""
    with client.session_transaction() as cookie:
        cookie.clear()
        cookie["pending_user"], cookie["pending_at"] = user.id, time.time()


def rearm(session: Session, world: World) -> None:
    """Make the one-time links usable again, so every example reaches the form behind them."""
    session.rollback()
    session.execute(sa.update(AssessmentTicket).values(used_at=None))
    session.execute(sa.update(Evidence).where(Evidence.id == world.ticket_item_id)
                    .values(status="draft"))
    session.execute(sa.update(FeedbackRater).values(responded=False))
    session.execute(sa.update(AccountToken).values(used_at=None))
    session.commit()


def restore(app: Flask, session: Session, client: FlaskClient, world: World, role: str) -> None:
    """Undo what an example did to the player itself: disabled, roles changed, signed out."""
    session.expire_all()
    user = session.get(User, world.users[role].id)
    if not user.is_active or role not in {g.role for g in user.roles}:
        accounts.set_roles(session, user, {Role(role)}, world.hub_id, None)
        user.is_active = True
        session.commit()
    session.rollback()
    if client.get("/account").status_code != 200:
        sign_in(app, session, client, user)

"""Routes of feedback, for the access test: every round and item is someone else's."""
from __future__ import annotations

import datetime as dt
from typing import Any

from tests.web.access_routes import Route

NOBODY = frozenset()  # the world's feedback belongs to a candidate nobody in the world reaches
ANYONE = frozenset({"anonymous", "candidate", "supervisor", "hub_lead", "admin"})
RATER_TOKEN, POSTER_TOKEN, TICKET_TOKEN = "rater-token-" + "r" * 30, "poster-" + "p" * 30, "ticket-" + "t" * 30
ON_DEVICE_TOKEN = "on-device-" + "o" * 30

ROUTES: dict[str, Route] = {
    "feedback.round_page": (lambda w: {"evidence_id": w["feedback_msf"].id}, NOBODY),
    "feedback.open_round": (lambda w: {"evidence_id": w["feedback_msf"].id}, NOBODY),
    "feedback.add_rater": (lambda w: {"evidence_id": w["feedback_msf"].id}, NOBODY),
    "feedback.resend": (lambda w: {"rater_id": w["feedback_rater"].id}, NOBODY),
    "feedback.correct_email": (lambda w: {"rater_id": w["feedback_rater"].id}, NOBODY),
    "feedback.poster_page": (lambda w: {"evidence_id": w["feedback_psq"].id}, NOBODY),
    "feedback.release": (lambda w: {"evidence_id": w["feedback_msf"].id}, NOBODY),
    "feedback.results_csv": (lambda w: {"evidence_id": w["feedback_msf"].id}, NOBODY),
    "feedback.ask_assessor": (lambda w: {"evidence_id": w["feedback_cot"].id}, NOBODY),
    "feedback.on_device": (lambda w: {"evidence_id": w["feedback_cot"].id}, NOBODY),
    "feedback.assess_on_device": (lambda w: {"evidence_id": w["feedback_cot"].id}, NOBODY),
    "feedback.hand_back": (lambda w: {"evidence_id": w["feedback_cot"].id}, NOBODY),
    "feedback.sync_on_device": (lambda w: {"evidence_id": w["feedback_cot"].id}, NOBODY),
    "feedback.resend_on_device": (lambda w: {"evidence_id": w["feedback_cot"].id,
                                             "ticket_id": w["feedback_ticket"].id}, NOBODY),
    "feedback.withdraw_on_device": (lambda w: {"evidence_id": w["feedback_cot"].id,
                                               "ticket_id": w["feedback_ticket"].id}, NOBODY),
    # Public: anyone holding the link. The test checks they never fail with a server error.
    "feedback.rater_form": (lambda w: {"token": RATER_TOKEN}, ANYONE),
    "feedback.patient_form": (lambda w: {"token": POSTER_TOKEN}, ANYONE),
    "feedback.assess_form": (lambda w: {"token": TICKET_TOKEN}, ANYONE),
    "feedback.check_ticket": (lambda w: {"token": TICKET_TOKEN}, ANYONE),
    "feedback.confirm_on_device": (lambda w: {"token": ON_DEVICE_TOKEN}, ANYONE),
    "feedback.thanks": (lambda w: {}, ANYONE),
}


def extend_world(world: dict[str, Any], session: Any) -> None:
    """A candidate of another hub with an MSF round (one rater), a PSQ round and a COT ticket."""
    import sqlalchemy as sa

    from roadmap.accounts.models import Role
    from roadmap.accounts.service import create_user
    from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
    from roadmap.feedback.links import digest
    from roadmap.feedback.models import AssessmentTicket, FeedbackRater, FeedbackRound
    from roadmap.framework import service as frameworks
    from roadmap.framework.models import EvidenceType
    from roadmap.portfolio.models import Evidence
    from roadmap.supervision.models import SupervisorAssignment
    from tests.fixtures.msk import msk_document

    loaded = msk_document()
    version, _ = frameworks.load_into_db(session, loaded.document, loaded.source_path)
    hub = TrainingHub(name="Feedback access hub")
    session.add(hub)
    session.flush()
    cohort = Cohort(hub_id=hub.id, name="Feedback access cohort")
    candidate = create_user(session, "fb-other@example.nhs.uk", "Feedback Candidate",
                            [Role.CANDIDATE], None, "fast")
    supervisor = create_user(session, "fb-sup@example.nhs.uk", "Feedback Supervisor",
                             [Role.SUPERVISOR], None, "fast")
    session.add(cohort)
    session.flush()
    enrolment = Enrolment(candidate_id=candidate.id, cohort_id=cohort.id,
                          framework_version_id=version.id, enrolled_on=dt.date(2026, 1, 1))
    session.add(enrolment)
    session.flush()
    session.add(SupervisorAssignment(enrolment_id=enrolment.id, supervisor_id=supervisor.id,
                                     kind="primary", starts_on=dt.date(2026, 1, 1)))
    types = {t.code: t for t in session.scalars(sa.select(EvidenceType).where(
        EvidenceType.framework_version_id == version.id))}
    items = {}
    for code in ("msf", "psq", "cot"):
        items[code] = Evidence(enrolment_id=enrolment.id, evidence_type_id=types[code].id,
                               title=f"Their {code}", fields={}, status="draft",
                               created_by_id=candidate.id)
    session.add_all(items.values())
    session.flush()
    expires = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30)
    rater = FeedbackRater(evidence_id=items["msf"].id, name="A Colleague", email="col@example.nhs.uk",
                          role="Nurse", rater_group="clinical", token_hash=digest(RATER_TOKEN),
                          expires_at=expires, added_by_id=candidate.id)
    session.add_all([
        FeedbackRound(evidence_id=items["msf"].id, kind="msf", opened_by_id=candidate.id),
        FeedbackRound(evidence_id=items["psq"].id, kind="psq", opened_by_id=candidate.id,
                      link_nonce="0" * 32, link_hash=digest(POSTER_TOKEN)),
        AssessmentTicket(evidence_id=items["cot"].id, invited_name="Ext", invited_email="ext@example.nhs.uk",
                         token_hash=digest(TICKET_TOKEN), expires_at=expires, created_by_id=candidate.id),
        on_device := AssessmentTicket(
            evidence_id=items["cot"].id, invited_name="Ext", invited_email="ext@example.nhs.uk",
            token_hash=digest(ON_DEVICE_TOKEN), expires_at=expires, created_by_id=candidate.id,
            on_device=True, draft={}),
        rater])
    session.commit()
    world.update(feedback_msf=items["msf"], feedback_psq=items["psq"], feedback_cot=items["cot"],
                 feedback_rater=rater, feedback_ticket=on_device)

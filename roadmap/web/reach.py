"""Who reaches an enrolment, and how far: the one place object access is decided.

Views load enrolments, items, attachments and stage sign-offs only through these loaders.
Anything a person may not reach is a 404, so nobody learns that it exists. On top of the
reach into the enrolment, these rules hold for every loader:

- A draft is the candidate's alone until it is shared: submitted, or a feedback round opened
  on it (the candidate then chose to let respondents and supervisors see it).
- An assignment ends at the moment it is ended, not at midnight (see roadmap.clock.moment).
- A former supervisor reads only what they signed themselves: those items as they signed
  them, with the files they had then, and the stage sign-offs they signed. Nothing newer, no
  timeline, no candidate page, no export.
- An educational supervisor (the education provider's) reads what a supervisor reads while
  assigned, and acts on nothing: views that act allow Reach.SUPERVISOR, never EDUCATIONAL.
  Once the assignment ends they read nothing, as they signed nothing.

The training hub pages manage hubs, cohorts and enrolments through `load_hub`, `load_cohort`
and `load_managed_enrolment`: an administrator manages every hub, a hub lead only their own.
The administrators' people pages load an account with `load_person`. A learning needs
analysis, once sent, is reached by whoever confirms it (`load_analysis`): the reviewer of the
enrolment's education provider, or with no provider the primary supervisor; its draft is the
candidate's alone, like any draft.

An education provider's reviewer reaches the learners of the providers they review for now
(`reviewing_for`), and of those only what a supervisor signed off: the frozen rounds
(`load_review_round`), never the live portfolio. Another provider's learner is a 404.

A region's pages load it with `load_region` and `load_region_hub`: an administrator sees every
region, a regional lead the regions they lead now, and a hub of another region is a 404. A
regional lead reaches no enrolment at all: they see counts only.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import Iterable, Optional

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import Session

from roadmap import clock
from roadmap.accounts.models import Role, User
from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub, hubs_led_by
from roadmap.lna.models import (ConfirmerCapacity, LearningNeedsAnalysis, LnaStatus,
                                confirmable_by)
from roadmap.portfolio.models import Attachment, Evidence, EvidenceVersion
from roadmap.providers.models import (EducationProvider, ProviderDecision, ProviderReviewer,
                                      independent_of)
from roadmap.readers.models import shared
from roadmap.regions.models import Region, regions_led_by
from roadmap.supervision.models import (AssignmentKind, ProgressReview, Signature, StageSignOff,
                                        StageSignOffRound, SupervisorAssignment)

When = dt.date | dt.datetime  # a day means "now, if today" (roadmap.clock.moment)


class Reach(enum.IntEnum):
    """How far a person reaches into an enrolment; higher reaches more."""

    NONE = 0
    HUB = 1  # progress, counts, statuses and dates; never reflective text or feedback
    SUPERVISOR_READONLY = 2  # a former supervisor: only what they signed, read, never act
    EDUCATIONAL = 3  # the current educational supervisor: reads everything shared, never acts
    SUPERVISOR = 4  # a current primary or backup supervisor
    OWNER = 5  # the candidate

    @property
    def sees_content(self) -> bool:
        """True when the person may read reflections, answers and feedback (of shared items)."""
        return self >= Reach.SUPERVISOR_READONLY


CONTENT = frozenset({Reach.SUPERVISOR_READONLY, Reach.EDUCATIONAL, Reach.SUPERVISOR, Reach.OWNER})
__all__ = ["CONTENT", "Reach", "is_shared", "load_analysis", "load_analysis_file",
           "load_attachment", "load_cohort", "load_enrolment", "load_evidence", "load_hub",
           "load_managed_enrolment", "load_person", "load_progress_review", "load_provider",
           "load_region", "load_region_hub", "load_review_round", "load_signoff", "load_stage",
           "reach",
           "reviewing_for", "shared", "signed_stage", "signed_version"]


def reach(session: Session, user: User, enrolment: Enrolment, today: When) -> Reach:
    """The furthest the person reaches into the enrolment, over all the roles they hold."""
    best = Reach.NONE
    if user.has_role(Role.CANDIDATE) and enrolment.candidate_id == user.id:
        return Reach.OWNER
    if user.has_role(Role.SUPERVISOR):
        at = clock.moment(today)
        periods = session.execute(
            sa.select(SupervisorAssignment.kind, SupervisorAssignment.starts_on,
                      SupervisorAssignment.ended_at)
            .where(SupervisorAssignment.enrolment_id == enrolment.id,
                   SupervisorAssignment.supervisor_id == user.id)).all()
        for kind, starts_on, ended_at in periods:
            if starts_on > clock.day_of(at):
                continue  # not started yet
            current = ended_at is None or ended_at > at
            if kind == AssignmentKind.EDUCATIONAL.value:
                if current:  # an ended one leaves nothing: an educational supervisor signs nothing
                    best = max(best, Reach.EDUCATIONAL)
                continue
            if current:
                return Reach.SUPERVISOR
            best = max(best, Reach.SUPERVISOR_READONLY)
    if best == Reach.NONE and user.has_role(Role.HUB_LEAD):
        if session.scalar(sa.select(sa.exists().where(
                Cohort.id == enrolment.cohort_id, Cohort.hub_id.in_(hubs_led_by(user.id))))):
            best = Reach.HUB
    return best


def is_shared(session: Session, evidence: Evidence) -> bool:
    """True unless the item is a draft only its candidate may see (the rule: `shared`)."""
    return bool(session.scalar(sa.select(shared()).where(Evidence.id == evidence.id)))


def signed_version(session: Session, user: User,
                   evidence_id: int) -> Optional[tuple[EvidenceVersion, dt.datetime]]:
    """The latest version of the item this person signed, and when they signed it."""
    row = session.execute(
        sa.select(EvidenceVersion, Signature.signed_at)
        .join(Signature, sa.and_(Signature.subject_type == "evidence_version",
                                 Signature.subject_id == EvidenceVersion.id))
        .where(EvidenceVersion.evidence_id == evidence_id, Signature.signer_id == user.id)
        .order_by(EvidenceVersion.number.desc()).limit(1)).first()
    return (row[0], row[1]) if row else None


def load_enrolment(session: Session, user: User, enrolment_id: int, allowed: Iterable[Reach],
                   today: When) -> tuple[Enrolment, Reach]:
    """The enrolment and the person's reach, or 404 when the reach is not among those allowed."""
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None:
        abort(404)
    level = reach(session, user, enrolment, today)
    if level not in set(allowed):
        abort(404)
    return enrolment, level


def load_evidence(session: Session, user: User, evidence_id: int, allowed: Iterable[Reach],
                  today: When) -> tuple[Evidence, Reach]:
    """An item and the person's reach into its enrolment, or 404 (drafts, former supervisors)."""
    evidence = session.get(Evidence, evidence_id)
    if evidence is None:
        abort(404)
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    assert enrolment is not None
    level = reach(session, user, enrolment, today)
    if level not in set(allowed):
        abort(404)
    if level is not Reach.OWNER:
        if not is_shared(session, evidence):
            abort(404)
        if level is Reach.SUPERVISOR_READONLY and signed_version(session, user, evidence.id) is None:
            abort(404)
    return evidence, level


def load_attachment(session: Session, user: User, attachment_id: int, allowed: Iterable[Reach],
                    today: When) -> tuple[Attachment, Evidence, Reach]:
    """A file, its item and the reach, or 404; a former supervisor gets only files they signed with."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    evidence, level = load_evidence(session, user, attachment.evidence_id, allowed, today)
    if level is Reach.SUPERVISOR_READONLY:
        signed = signed_version(session, user, evidence.id)
        if signed is None or attachment.uploaded_at > signed[1]:
            abort(404)
    return attachment, evidence, level


def signed_stage(session: Session, user: User, enrolment_id: int, stage_code: str) -> bool:
    """True when the person signed this stage's sign-off."""
    return session.scalar(sa.select(sa.exists().where(
        Signature.subject_type == "stage_signoff", Signature.signer_id == user.id,
        Signature.subject_id == StageSignOff.id, StageSignOff.enrolment_id == enrolment_id,
        StageSignOff.stage_code == stage_code))) or False


def load_stage(session: Session, user: User, enrolment_id: int, stage_code: str,
               allowed: Iterable[Reach], today: When) -> tuple[Enrolment, Reach]:
    """An enrolment for one stage's page; a former supervisor only for a stage they signed off."""
    enrolment, level = load_enrolment(session, user, enrolment_id, allowed, today)
    if level is Reach.SUPERVISOR_READONLY and not signed_stage(session, user, enrolment.id,
                                                               stage_code):
        abort(404)
    return enrolment, level


def load_signoff(session: Session, user: User, signoff_id: int, allowed: Iterable[Reach],
                 today: When) -> tuple[StageSignOff, Reach]:
    """A stage sign-off record and the reach, with the same rule as `load_stage`."""
    record = session.get(StageSignOff, signoff_id)
    if record is None:
        abort(404)
    _enrolment, level = load_stage(session, user, record.enrolment_id, record.stage_code,
                                   allowed, today)
    return record, level


def load_progress_review(session: Session, user: User, review_id: int, allowed: Iterable[Reach],
                         today: When) -> tuple[ProgressReview, Reach]:
    """An educational supervisor's progress review and the reach into its enrolment, or 404."""
    review = session.get(ProgressReview, review_id)
    if review is None:
        abort(404)
    _enrolment, level = load_enrolment(session, user, review.enrolment_id, allowed, today)
    return review, level


def _managed(user: User, hub_id: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """True for a hub the person manages: an administrator every hub, a hub lead their own."""
    return sa.true() if user.has_role(Role.ADMIN) else hub_id.in_(hubs_led_by(user.id))


def load_hub(session: Session, user: User, hub_id: int) -> TrainingHub:
    """The hub, or 404 when the person may not manage it."""
    hub = session.scalar(sa.select(TrainingHub).where(TrainingHub.id == hub_id,
                                                       _managed(user, TrainingHub.id)))
    if hub is None:
        abort(404)
    return hub


def load_cohort(session: Session, user: User, cohort_id: int) -> Cohort:
    """The cohort, or 404 when it belongs to a hub the person may not manage."""
    cohort = session.scalar(sa.select(Cohort).where(Cohort.id == cohort_id,
                                                     _managed(user, Cohort.hub_id)))
    if cohort is None:
        abort(404)
    return cohort


def load_managed_enrolment(session: Session, user: User,
                           enrolment_id: int) -> tuple[Enrolment, Cohort]:
    """The enrolment and its cohort, or 404 outside the hubs the person manages."""
    row = session.execute(
        sa.select(Enrolment, Cohort).join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.id == enrolment_id, _managed(user, Cohort.hub_id))).first()
    if row is None:
        abort(404)
    return row[0], row[1]


def load_person(session: Session, user_id: int) -> User:
    """An account, for the pages that manage people (their role decorator says who), or 404."""
    person = session.get(User, user_id)
    if person is None:
        abort(404)
    return person


def load_analysis(session: Session, user: User, analysis_id: int,
                  today: When) -> tuple[LearningNeedsAnalysis, Enrolment, ConfirmerCapacity]:
    """A sent (or confirmed) analysis, its enrolment and the capacity the person confirms it
    in, or 404: another provider's learner, another supervisor's, or a draft."""
    row = session.execute(
        sa.select(LearningNeedsAnalysis, Enrolment)
        .join(Enrolment, Enrolment.id == LearningNeedsAnalysis.enrolment_id)
        .where(LearningNeedsAnalysis.id == analysis_id,
               LearningNeedsAnalysis.status != LnaStatus.DRAFT.value,
               confirmable_by(user, today))).first()
    if row is None:
        abort(404)
    analysis, enrolment = row
    capacity = (ConfirmerCapacity.PROVIDER_REVIEWER if enrolment.provider_id is not None
                else ConfirmerCapacity.SUPERVISOR)
    return analysis, enrolment, capacity


def load_analysis_file(session: Session, user: User, analysis_id: int, attachment_id: int,
                       today: When) -> tuple[Attachment, Evidence, Enrolment]:
    """A file the candidate uploaded with the analysis, for its confirmer, or 404."""
    analysis, enrolment, _capacity = load_analysis(session, user, analysis_id, today)
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or analysis.files_evidence_id is None or \
            attachment.evidence_id != analysis.files_evidence_id:
        abort(404)
    evidence = session.get(Evidence, attachment.evidence_id)
    assert evidence is not None
    return attachment, evidence, enrolment


def reviewing_for(user: User) -> sa.Select[tuple[int]]:
    """The ids of the providers the person reviews for now, for `....provider_id.in_(...)`.

    Both the role and a current reviewer row are needed: either alone reaches no learner.
    """
    if not user.has_role(Role.PROVIDER_REVIEWER):
        return sa.select(ProviderReviewer.provider_id).where(sa.false())
    return sa.select(ProviderReviewer.provider_id).where(ProviderReviewer.user_id == user.id,
                                                         ProviderReviewer.ended_at.is_(None))


def load_review_round(session: Session, user: User,
                      round_id: int) -> tuple[StageSignOffRound, StageSignOff, Enrolment]:
    """A signed-off round of a learner of the reviewer's provider, its stage and enrolment; or 404.

    Nobody on the learner's supervision team reaches it (providers.models.independent_of).
    While a sampled approval waits for its second review, the reviewer who made it does not
    reach the round: the second review is another person's.
    """
    row = session.execute(
        sa.select(StageSignOffRound, StageSignOff, Enrolment)
        .join(StageSignOff, StageSignOff.id == StageSignOffRound.signoff_id)
        .join(Enrolment, Enrolment.id == StageSignOff.enrolment_id)
        .where(StageSignOffRound.id == round_id,
               Enrolment.provider_id.in_(reviewing_for(user)),
               independent_of(user.id))).first()
    if row is None:
        abort(404)
    decisions = session.scalars(sa.select(ProviderDecision)
                                .where(ProviderDecision.round_id == round_id)).all()
    if (len(decisions) == 1 and decisions[0].sampled_for_audit
            and decisions[0].reviewer_id == user.id and row[1].status == "supervisor_signed"):
        abort(404)
    return row[0], row[1], row[2]


def load_provider(session: Session, provider_id: int) -> EducationProvider:
    """An education provider, for the pages that manage them (their role decorator says who)."""
    provider = session.get(EducationProvider, provider_id)
    if provider is None:
        abort(404)
    return provider


def _led(user: User) -> sa.ColumnElement[bool]:
    """True for a region the person sees: an administrator every region, a regional lead the
    regions they lead now (both the role and a current lead row are needed)."""
    if user.has_role(Role.ADMIN):
        return sa.true()
    if not user.has_role(Role.REGIONAL_LEAD):
        return sa.false()
    return Region.id.in_(regions_led_by(user.id))


def load_region(session: Session, user: User, region_id: int) -> Region:
    """The region, or 404 when the person may not see it."""
    region = session.scalar(sa.select(Region).where(Region.id == region_id, _led(user)))
    if region is None:
        abort(404)
    return region


def load_region_hub(session: Session, user: User, region_id: int,
                    hub_id: int) -> tuple[Region, TrainingHub]:
    """The region and one of its hubs, or 404: a hub of another region is never reached."""
    row = session.execute(sa.select(Region, TrainingHub)
                          .join(TrainingHub, TrainingHub.region_id == Region.id)
                          .where(Region.id == region_id, TrainingHub.id == hub_id,
                                 _led(user))).first()
    if row is None:
        abort(404)
    return row[0], row[1]

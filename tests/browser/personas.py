"""The people of the demo, by kind, and the ids that fill a route's arguments for each of them.

A persona is one kind of person in the data: their roles, the kind of supervisor they are and
how they are assigned, where their own stages stand, whether they review for a provider. The
first account of each kind stands for it, so a rebuilt demo brings its new kinds of people
along without a change here.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import SupervisorProfile, User, UserRole
from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
from roadmap.credentials.models import IssuedCredential, SigningKey
from roadmap.feedback.models import FeedbackRater
from roadmap.framework.models import Capability, EvidenceType, FrameworkVersion, Stage
from roadmap.lna.models import LearningNeedsAnalysis
from roadmap.portfolio.models import Attachment, Evidence
from roadmap.providers.models import EducationProvider, ProviderReviewer
from roadmap.regions.models import Region, RegionLead
from roadmap.supervision.models import (ProgressReview, StageSignOff, StageSignOffRound,
                                        SupervisorAssignment)


@dataclass(frozen=True)
class Persona:
    """One kind of person, played by the first account of that kind (none: not signed in)."""

    label: str
    email: Optional[str] = None
    totp_secret: Optional[str] = None
    user_id: Optional[int] = None
    roles: frozenset[str] = frozenset()


ANONYMOUS = Persona("someone not signed in")


def personas(session: Session) -> list[Persona]:
    """Someone not signed in, then one account of each kind the data holds."""
    categories = dict(session.execute(sa.select(SupervisorProfile.user_id,
                                                SupervisorProfile.category)).all())
    kinds: dict[int, set[str]] = defaultdict(set)
    for user_id, kind in session.execute(sa.select(SupervisorAssignment.supervisor_id,
                                                   SupervisorAssignment.kind)
                                         .where(SupervisorAssignment.ended_at.is_(None))):
        kinds[user_id].add(kind)
    stages: dict[int, set[str]] = defaultdict(set)
    for user_id, stage, status in session.execute(
            sa.select(Enrolment.candidate_id, StageSignOff.stage_code, StageSignOff.status)
            .join(StageSignOff, StageSignOff.enrolment_id == Enrolment.id)):
        stages[user_id].add(f"{stage} {status}")
    enrolled = set(session.scalars(sa.select(Enrolment.candidate_id)))
    reviewers = set(session.scalars(sa.select(ProviderReviewer.user_id)
                                    .where(ProviderReviewer.ended_at.is_(None))))
    found: dict[tuple[Any, ...], Persona] = {}
    for user in session.scalars(sa.select(User).where(User.is_active, User.password_hash.is_not(None))
                                .order_by(User.id)):
        roles = frozenset(grant.role for grant in user.roles)
        kind = (tuple(sorted(roles)), categories.get(user.id), tuple(sorted(kinds[user.id])),
                user.id in enrolled, tuple(sorted(stages[user.id])), user.id in reviewers)
        if kind in found:
            continue
        words = [", ".join(sorted(roles)), categories.get(user.id), " and ".join(sorted(kinds[user.id])),
                 "; ".join(sorted(stages[user.id])), "reviews for a provider" if user.id in reviewers else None]
        found[kind] = Persona(f"{user.email} ({'; '.join(w for w in words if w)})", user.email,
                              user.totp_secret, user.id, roles)
    return [ANONYMOUS, *found.values()]


def _related_enrolments(session: Session, user_id: Optional[int]) -> list[int]:
    """Enrolments the person has to do with: their own, supervised, in their hub, reviewed."""
    if user_id is None:
        return []
    hubs = sa.select(UserRole.hub_id).where(UserRole.user_id == user_id, UserRole.hub_id.is_not(None))
    providers = sa.select(ProviderReviewer.provider_id).where(ProviderReviewer.user_id == user_id)
    regions = sa.select(RegionLead.region_id).where(RegionLead.user_id == user_id)
    related = sa.union(
        sa.select(Enrolment.id).where(Enrolment.candidate_id == user_id),
        sa.select(SupervisorAssignment.enrolment_id).where(SupervisorAssignment.supervisor_id == user_id),
        sa.select(Enrolment.id).join(Cohort, Cohort.id == Enrolment.cohort_id).where(Cohort.hub_id.in_(hubs)),
        sa.select(Enrolment.id).where(Enrolment.provider_id.in_(providers)),
        sa.select(Enrolment.id).join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(TrainingHub, TrainingHub.id == Cohort.hub_id).where(TrainingHub.region_id.in_(regions)))
    return sorted(session.scalars(sa.select(related.subquery().c[0])))


class Ids:
    """Values for a route's arguments: the person's own objects first, then everyone else's."""

    def __init__(self, session: Session, user_id: Optional[int]) -> None:
        self.session, self.user_id = session, user_id
        self.enrolments = _related_enrolments(session, user_id)

    def _ordered(self, rows: Iterable[tuple[Any, Any]]) -> list[Any]:
        """(value, enrolment) rows: values of the person's enrolments first, each value once."""
        mine, others, seen = [], [], set()
        for value, enrolment in rows:
            if value in seen:
                continue
            seen.add(value)
            (mine if enrolment in self.enrolments else others).append(value)
        return mine + others

    def by_enrolment(self, value: Any, enrolment: Any, *joins: Any, order: Any = None) -> list[Any]:
        """Values of a column, ordered by whether their enrolment is the person's."""
        query = sa.select(value, enrolment)
        for target, on in zip(joins[::2], joins[1::2]):
            query = query.join(target, on)
        return self._ordered(self.session.execute(query.order_by(order if order is not None else value)))

    def evidence(self) -> list[int]:
        """Items, one of each kind and state first, so the first tries show different pages."""
        rows = self.session.execute(sa.select(Evidence.id, Evidence.enrolment_id,
                                              Evidence.evidence_type_id, Evidence.status)
                                    .order_by(Evidence.id)).all()
        first, seen = [], set()
        for row in rows:
            if (row[2], row[3]) not in seen and row[1] in self.enrolments:
                seen.add((row[2], row[3]))
                first.append((row[0], row[1]))
        return self._ordered([*first, *((row[0], row[1]) for row in rows)])

    def hubs(self) -> list[int]:
        """Training hubs, the person's own first."""
        own = set(self.session.scalars(sa.select(UserRole.hub_id).where(UserRole.user_id == self.user_id)))
        every = self.session.scalars(sa.select(TrainingHub.id).order_by(TrainingHub.id)).all()
        return [h for h in every if h in own] + [h for h in every if h not in own]

    def providers(self) -> list[int]:
        """Education providers, the person's own first."""
        own = set(self.session.scalars(sa.select(ProviderReviewer.provider_id)
                                       .where(ProviderReviewer.user_id == self.user_id)))
        every = self.session.scalars(sa.select(EducationProvider.id).order_by(EducationProvider.id)).all()
        return [p for p in every if p in own] + [p for p in every if p not in own]

    def regions(self) -> list[int]:
        """Regions, the person's own first."""
        own = set(self.session.scalars(sa.select(RegionLead.region_id)
                                       .where(RegionLead.user_id == self.user_id)))
        every = self.session.scalars(sa.select(Region.id).order_by(Region.id)).all()
        return [r for r in every if r in own] + [r for r in every if r not in own]

    def codes(self, column: Any, version: Any) -> list[str]:
        """Codes (of stages, evidence types) of the frameworks the person's enrolments follow."""
        rows = self.session.execute(sa.select(column, Enrolment.id).join(
            Enrolment, Enrolment.framework_version_id == version).order_by(Enrolment.id))
        return self._ordered(rows)


def _signoff(column: Any) -> Callable[[Ids], list[Any]]:
    return lambda ids: ids.by_enrolment(column, StageSignOff.enrolment_id, order=StageSignOff.id)


# How to fill each argument of a route. A route with an argument not here fails the guard, so
# a new route is covered from the day it is added. Tokens and export jobs are secrets or made
# on demand: nothing in the data can fill them, and their pages are other tests' business.
FILLERS: dict[str, Callable[[Ids], list[Any]]] = {
    "enrolment_id": lambda ids: ids.by_enrolment(Enrolment.id, Enrolment.id),
    "evidence_id": Ids.evidence,
    "cohort_id": lambda ids: ids.by_enrolment(Cohort.id, Enrolment.id, Enrolment,
                                              Enrolment.cohort_id == Cohort.id),
    "hub_id": Ids.hubs,
    "provider_id": Ids.providers,
    "user_id": lambda ids: ids.session.scalars(sa.select(User.id).order_by(User.id)).all(),
    "capability_id": lambda ids: ids.codes(Capability.id, Capability.framework_version_id),
    "stage_code": lambda ids: ids.codes(Stage.code, Stage.framework_version_id),
    "type_code": lambda ids: ids.codes(EvidenceType.code, EvidenceType.framework_version_id),
    "signoff_id": _signoff(StageSignOff.id),
    "code": lambda ids: [c for c in _signoff(StageSignOff.verification_code)(ids) if c],
    "round_id": lambda ids: ids.by_enrolment(StageSignOffRound.id, StageSignOff.enrolment_id,
                                             StageSignOff,
                                             StageSignOff.id == StageSignOffRound.signoff_id),
    "analysis_id": lambda ids: ids.by_enrolment(LearningNeedsAnalysis.id,
                                                LearningNeedsAnalysis.enrolment_id),
    "review_id": lambda ids: ids.by_enrolment(ProgressReview.id, ProgressReview.enrolment_id),
    "rater_id": lambda ids: ids.by_enrolment(FeedbackRater.id, Evidence.enrolment_id, Evidence,
                                             Evidence.id == FeedbackRater.evidence_id),
    "attachment_id": lambda ids: ids.by_enrolment(Attachment.id, Evidence.enrolment_id, Evidence,
                                                  Evidence.id == Attachment.evidence_id),
    "region_id": Ids.regions,
    "version_id": lambda ids: ids.codes(FrameworkVersion.id, FrameworkVersion.id),
    "public_id": lambda ids: ids.by_enrolment(IssuedCredential.public_id, IssuedCredential.enrolment_id,
                                             order=IssuedCredential.id),
    "number": lambda ids: ids.by_enrolment(IssuedCredential.status_list, IssuedCredential.enrolment_id,
                                           order=IssuedCredential.id),
    "thumbprint": lambda ids: ids.session.scalars(sa.select(SigningKey.thumbprint)
                                                  .order_by(SigningKey.id)).all(),
    "token": lambda ids: [],
    "job_id": lambda ids: [],
}

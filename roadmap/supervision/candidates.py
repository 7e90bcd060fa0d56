"""A supervised candidate as their supervisor sees them: headings, ratings, stages, evidence."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.cohorts.models import Enrolment
from roadmap.framework.models import Capability, Stage
from roadmap.portfolio.models import Evidence, EvidenceCapability
from roadmap.portfolio.progress import COUNTED_STATUSES, capability_counts, targets
from roadmap.readers import service as readers
from roadmap.readers.models import Opened, shared
from roadmap.supervision import ratings
from roadmap.readers.team import Team, current_team
from roadmap.supervision.models import CapabilityRating
from roadmap.supervision.waiting import StageWait, one_enrolment

LATEST = 20  # items listed on the candidate's page


@dataclass
class Overview:
    """One candidate: each heading's evidence and both ratings, the stages, the latest items."""

    person: User
    capabilities: list[Capability]
    given: dict[tuple[int, str], CapabilityRating]  # (capability id, rater kind): the rating
    counts: dict[int, int]  # capability id: items counted for it
    waits: list[StageWait]  # each stage in order, and where it waits
    items: list[Evidence]
    labels: dict[str, str]  # rating code: its label on the framework's scale
    team: Team
    names: dict[int, str]  # user id: full name, of the team and of whoever rated a heading
    target: int  # items suggested for each heading, as the candidate's home page counts them

    def member(self, kind: str) -> Optional[str]:
        """The name of the current primary, backup or educational supervisor, if any."""
        assignment = {"primary": self.team.primary, "backup": self.team.backup,
                      "educational": self.team.educational}[kind]
        return self.names.get(assignment.supervisor_id) if assignment is not None else None


def overview(session: Session, enrolment: Enrolment, today: dt.date) -> Overview:
    """What the candidate's page shows to their supervisor."""
    version_id = enrolment.framework_version_id
    capabilities = session.scalars(sa.select(Capability).where(
        Capability.framework_version_id == version_id).order_by(Capability.position)).all()
    given = {(r.capability_id, r.rater_kind): r for r in session.scalars(
        sa.select(CapabilityRating).where(CapabilityRating.enrolment_id == enrolment.id))}
    items = session.scalars(sa.select(Evidence).where(Evidence.enrolment_id == enrolment.id, shared())
                            .order_by(Evidence.updated_at.desc()).limit(LATEST)).all()
    team = current_team(session, enrolment.id, today)
    people = {m.supervisor_id for m in (team.primary, team.backup, team.educational) if m}
    people |= {r.rated_by_id for r in given.values()}
    names = dict(session.execute(sa.select(User.id, User.full_name)
                                 .where(User.id.in_(people))).all()) if people else {}
    return Overview(session.get(User, enrolment.candidate_id), list(capabilities), given,
                    capability_counts(session, [enrolment.id])[enrolment.id],
                    one_enrolment(session, enrolment.id, today), list(items),
                    _labels(session, version_id), team, names,
                    targets(list(session.scalars(sa.select(Stage).where(
                        Stage.framework_version_id == version_id))))[0])


@dataclass
class Heading:
    """One heading of a candidate's: both ratings, the items linked to it, the items that could be."""

    person: User
    capability: Capability
    levels: list[dict[str, Any]]  # the framework's capability scale, in order
    linked: list[Evidence]
    others: list[Evidence]  # counted items not linked to it yet
    mine: Optional[CapabilityRating]  # the supervisor's rating (the last supervisor to rate)
    own: Optional[CapabilityRating]  # the candidate's self-rating
    rater: Optional[str] = None  # who gave the supervisor's rating

    @property
    def labels(self) -> dict[str, str]:
        """Rating code: its label."""
        return {level["code"]: level["label"] for level in self.levels}


def heading(session: Session, enrolment: Enrolment, capability_id: int) -> Optional[Heading]:
    """A heading of the candidate's roadmap as their supervisor sees it; None if it is not one."""
    capability = session.get(Capability, capability_id)
    if capability is None or capability.framework_version_id != enrolment.framework_version_id:
        return None
    linked = session.scalars(sa.select(Evidence).join(
        EvidenceCapability, EvidenceCapability.evidence_id == Evidence.id)
        .where(EvidenceCapability.capability_id == capability.id,
               Evidence.enrolment_id == enrolment.id, shared())
        .order_by(Evidence.occurred_on)).all()
    others = session.scalars(sa.select(Evidence).where(
        Evidence.enrolment_id == enrolment.id, Evidence.status.in_(COUNTED_STATUSES),
        Evidence.id.not_in([e.id for e in linked])).order_by(Evidence.title)).all()
    rated = {r.rater_kind: r for r in session.scalars(sa.select(CapabilityRating).where(
        CapabilityRating.enrolment_id == enrolment.id,
        CapabilityRating.capability_id == capability.id))}
    mine = rated.get("supervisor")
    rater = session.get(User, mine.rated_by_id) if mine is not None else None
    return Heading(session.get(User, enrolment.candidate_id), capability,
                   ratings.capability_scale(session, enrolment.framework_version_id),
                   list(linked), list(others), mine, rated.get("self"),
                   rater.full_name if rater is not None else None)


def opened_heading(session: Session, reader: User, enrolment: Enrolment, shown: Heading) -> None:
    """Note that someone read the candidate's own words about a heading (when there are any)."""
    if shown.own is not None:
        readers.record(session, reader, enrolment, Opened.HEADING, former=False,
                       label=f"{shown.capability.code}. {shown.capability.title}")


def _labels(session: Session, version_id: int) -> dict[str, str]:
    """Rating code: its label on the framework's capability scale."""
    return {level["code"]: level["label"] for level in ratings.capability_scale(session, version_id)}

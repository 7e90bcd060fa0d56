"""The supervisor's inbox, gathered in a fixed number of queries whatever the caseload."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from roadmap import clock
from roadmap.accounts.models import User
from roadmap.cohorts.models import Enrolment
from roadmap.framework.models import Capability, EvidenceType
from roadmap.portfolio.models import Evidence, EvidenceVersion
from roadmap.portfolio.progress import capability_counts
from roadmap.readers.team import WORKPLACE_KINDS
from roadmap.supervision.external import Pending, pending
from roadmap.supervision.models import Signature, StageSignOff, SupervisorAssignment, covering


@dataclass
class Waiting:
    """An item waiting for assessment."""

    evidence_id: int
    title: str
    kind: str
    candidate: str
    submitted_to: str
    days: int


@dataclass
class CandidateRow:
    """One of my candidates and where they stand."""

    enrolment_id: int
    candidate: str
    kind: str
    headings_met: int
    headings: int
    waiting: int
    target_on: Optional[dt.date]


@dataclass
class SignedRow:
    """Something I signed."""

    what: str
    candidate: str
    capacity: str
    signed_at: dt.datetime
    evidence_id: Optional[int]


@dataclass
class Inbox:
    """Everything on the supervisor's first page."""

    mine: list[Waiting]
    colleagues: list[Waiting]
    candidates: list[CandidateRow]
    signed: list[SignedRow]
    external: list[Pending]  # signed by an external assessor, not yet reviewed

    @property
    def signs_nothing(self) -> bool:
        """True for an educational supervisor only: they review progress and sign no item,
        so "Waiting for you (0)" and "Recently signed by you" would only puzzle them."""
        return (bool(self.candidates) and not self.mine and not self.signed
                and all(row.kind == "educational" for row in self.candidates))


def _current(today: dt.date):  # type: ignore[no-untyped-def]
    return covering(today)


def gather(session: Session, user: User, today: dt.date) -> Inbox:
    """Items waiting on me and my co-supervisors, external signatures to review, my candidates.

    Only a primary or backup supervisor acts on items: a candidate I am the educational
    supervisor of is listed, but nothing of theirs waits on me.
    """
    assignments = session.execute(
        sa.select(SupervisorAssignment.kind, Enrolment, User.full_name)
        .join(Enrolment, Enrolment.id == SupervisorAssignment.enrolment_id)
        .join(User, User.id == Enrolment.candidate_id)
        .where(SupervisorAssignment.supervisor_id == user.id, _current(today))
        .order_by(User.full_name)).all()
    enrolment_ids = [row[1].id for row in assignments if row[0] in WORKPLACE_KINDS]
    waiting = _waiting(session, enrolment_ids)
    counts = capability_counts(session, [row[1].id for row in assignments])
    headings = dict(session.execute(
        sa.select(Capability.framework_version_id, sa.func.count())
        .group_by(Capability.framework_version_id)).all())
    per_enrolment: dict[int, int] = {}
    for item in waiting:
        per_enrolment[item[1]] = per_enrolment.get(item[1], 0) + 1
    rows = [CandidateRow(e.id, name, kind, sum(1 for n in counts[e.id].values() if n >= 3),
                         headings.get(e.framework_version_id, 0), per_enrolment.get(e.id, 0),
                         e.target_on) for kind, e, name in assignments]
    mine, colleagues = [], []
    for item, _enrolment_id, kind, candidate, to_id, to_name in waiting:
        entry = Waiting(item.id, item.title, kind, candidate, to_name or "",
                        clock.days_since(item.submitted_at) if item.submitted_at else 0)
        (mine if to_id == user.id else colleagues).append(entry)
    return Inbox(mine, colleagues, rows, _signed(session, user), pending(session, enrolment_ids))


def _waiting(session: Session, enrolment_ids: list[int]) -> list[tuple]:
    """Submitted items of these enrolments, oldest first."""
    if not enrolment_ids:
        return []
    candidate, to = aliased(User), aliased(User)
    return list(session.execute(
        sa.select(Evidence, Evidence.enrolment_id, EvidenceType.name, candidate.full_name,
                  Evidence.submitted_to_id, to.full_name)
        .join(EvidenceType, EvidenceType.id == Evidence.evidence_type_id)
        .join(Enrolment, Enrolment.id == Evidence.enrolment_id)
        .join(candidate, candidate.id == Enrolment.candidate_id)
        .outerjoin(to, to.id == Evidence.submitted_to_id)
        .where(Evidence.enrolment_id.in_(enrolment_ids), Evidence.status == "submitted")
        .order_by(Evidence.submitted_at, Evidence.id)).all())


def _signed(session: Session, user: User, limit: int = 10) -> list[SignedRow]:
    """My latest signatures on items and stages."""
    candidate = aliased(User)
    items = session.execute(
        sa.select(Signature, Evidence.title, Evidence.id, candidate.full_name)
        .join(EvidenceVersion, sa.and_(Signature.subject_type == "evidence_version",
                                       EvidenceVersion.id == Signature.subject_id))
        .join(Evidence, Evidence.id == EvidenceVersion.evidence_id)
        .join(Enrolment, Enrolment.id == Evidence.enrolment_id)
        .join(candidate, candidate.id == Enrolment.candidate_id)
        .where(Signature.signer_id == user.id)
        .order_by(Signature.signed_at.desc()).limit(limit)).all()
    stages = session.execute(
        sa.select(Signature, StageSignOff.stage_code, candidate.full_name)
        .join(StageSignOff, sa.and_(Signature.subject_type == "stage_signoff",
                                    StageSignOff.id == Signature.subject_id))
        .join(Enrolment, Enrolment.id == StageSignOff.enrolment_id)
        .join(candidate, candidate.id == Enrolment.candidate_id)
        .where(Signature.signer_id == user.id)
        .order_by(Signature.signed_at.desc()).limit(limit)).all()
    rows = [SignedRow(title, name, sig.capacity, sig.signed_at, evidence_id)
            for sig, title, evidence_id, name in items]
    rows += [SignedRow(f"Sign-off of {code.replace('stage', 'Stage ')}", name, sig.capacity,
                       sig.signed_at, None) for sig, code, name in stages]
    return sorted(rows, key=lambda row: row.signed_at, reverse=True)[:limit]

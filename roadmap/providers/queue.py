"""What a reviewer reads: their queue, and the frozen snapshot of one signed-off round.

The review page shows the round's signed content, never the live portfolio: the portfolio
may change after the sign-off; what the reviewer judges cannot. Names of headings, rating
levels and items come from rows that are frozen too (the pinned framework version, the
signed evidence versions).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import clock
from roadmap.accounts.models import User
from roadmap.cohorts.models import Enrolment
from roadmap.framework.definitions import capability_levels
from roadmap.framework.models import Capability, FrameworkVersion, Stage
from roadmap.portfolio.models import EvidenceVersion
from roadmap.providers.decisions import decisions_of, due
from roadmap.providers.models import EducationProvider, ProviderDecision, ProviderReviewer
from roadmap.supervision import approvals
from roadmap.supervision.models import StageSignOff, StageSignOffRound


@dataclass
class Waiting:
    """One round in a reviewer's queue."""

    round_id: int
    candidate: str
    stage: str
    provider: str
    review: str  # "first" or "second"
    since: dt.datetime
    days: int


def queue(session: Session, reviewer: User, today: dt.date) -> list[Waiting]:
    """Rounds waiting for the reviewer's providers, oldest first; a second review is never
    offered to the reviewer who made the first."""
    providers = sa.select(ProviderReviewer.provider_id).where(
        ProviderReviewer.user_id == reviewer.id, ProviderReviewer.ended_at.is_(None))
    latest = (sa.select(StageSignOffRound.signoff_id,
                        sa.func.max(StageSignOffRound.number).label("number"))
              .group_by(StageSignOffRound.signoff_id).subquery())
    rows = session.execute(
        sa.select(StageSignOffRound, User.full_name, Stage.name, EducationProvider.name)
        .join(latest, sa.and_(latest.c.signoff_id == StageSignOffRound.signoff_id,
                              latest.c.number == StageSignOffRound.number))
        .join(StageSignOff, StageSignOff.id == StageSignOffRound.signoff_id)
        .join(Enrolment, Enrolment.id == StageSignOff.enrolment_id)
        .join(User, User.id == Enrolment.candidate_id)
        .join(EducationProvider, EducationProvider.id == Enrolment.provider_id)
        .join(Stage, sa.and_(Stage.framework_version_id == Enrolment.framework_version_id,
                             Stage.code == StageSignOff.stage_code))
        .where(StageSignOff.status == approvals.WAITING, Enrolment.provider_id.in_(providers))
    ).all()
    ids = [row[0].id for row in rows]
    firsts = {d.round_id: d for d in session.scalars(sa.select(ProviderDecision).where(
        ProviderDecision.round_id.in_(ids), ProviderDecision.review == "first"))} if ids else {}
    found = []
    for kept, candidate, stage, provider in rows:
        first = firsts.get(kept.id)
        if first is not None and (not first.sampled_for_audit or first.reviewer_id == reviewer.id):
            continue
        since = first.decided_at if first is not None else kept.signed_at
        found.append(Waiting(kept.id, candidate, stage, provider,
                             "second" if first is not None else "first", since,
                             max(0, (today - clock.day_of(since)).days)))
    return sorted(found, key=lambda item: (item.since, item.round_id))


@dataclass
class Heading:
    """A capability heading as signed off: both ratings, in words."""

    code: str
    title: str
    self_rating: str
    supervisor_rating: str


@dataclass
class SignedItem:
    """An evidence version the sign-off covers, with the hash it was signed with."""

    evidence_id: int
    number: int
    content_hash: str
    title: str


@dataclass
class Credit:
    """A requirement earlier study met, as the sign-off froze it, in words."""

    requirement: str
    evidence: str  # the item's title or the file's name
    note: Optional[str]
    given_by: str
    given_on: str  # the day it was given, in words


@dataclass
class ReviewPage:
    """One round as the reviewer reads it, and what they may do with it."""

    round: StageSignOffRound
    record: StageSignOff
    candidate: User
    provider: Optional[EducationProvider]
    stage: str
    due: Optional[str]  # "first", "second" or None: nothing to decide
    decisions: list[ProviderDecision]
    content: dict[str, Any]
    headings: list[Heading] = field(default_factory=list)
    items: list[SignedItem] = field(default_factory=list)

    @property
    def checklist(self) -> list[dict[str, Any]]:
        """The checklist as it stood when signed off."""
        return list(self.content.get("checklist") or [])

    @property
    def guidance_unmet(self) -> list[dict[str, Any]]:
        """Guidance not met, each with the supervisor's reason for signing off without it."""
        return list(self.content.get("guidance_unmet") or [])

    @property
    def lna_credits(self) -> list[Credit]:
        """Requirements the learning needs analysis credited, as the round froze them."""
        labels = {check.get("code"): check.get("label") for check in self.checklist}
        found = []
        for given in self.content.get("lna_credits") or []:
            piece = given.get("evidence") or {}
            by = given.get("given_by") or {}
            found.append(Credit(str(labels.get(given.get("code")) or given.get("code") or ""),
                                str(piece.get("title") or piece.get("filename") or ""),
                                given.get("note"), str(by.get("name") or ""),
                                _day(given.get("given_at"))))
        return found

    @property
    def supervisor(self) -> dict[str, Any]:
        """Who signed it off, and in which capacity."""
        return dict(self.content.get("supervisor") or {})


def _day(moment: Any) -> str:
    """A frozen ISO moment as the day in England, in words; blank when there is none."""
    try:
        return clock.long_date(clock.day_of(dt.datetime.fromisoformat(str(moment))))
    except (TypeError, ValueError):
        return ""


def review_page(session: Session, kept: StageSignOffRound, record: StageSignOff,
                enrolment: Enrolment) -> ReviewPage:
    """The round as the reviewer reads it, in a fixed number of queries."""
    content = dict(kept.signed_content or {})
    decided = decisions_of(session, kept.id)
    latest = approvals.latest_round(session, record.id)
    stage = session.scalar(sa.select(Stage.name).where(
        Stage.framework_version_id == enrolment.framework_version_id,
        Stage.code == record.stage_code)) or record.stage_code
    page = ReviewPage(kept, record, session.get(User, enrolment.candidate_id),
                      session.get(EducationProvider, enrolment.provider_id)
                      if enrolment.provider_id else None, stage,
                      due(record, kept, latest.number if latest else 0, decided), decided, content)
    page.headings = _headings(session, enrolment.framework_version_id, content.get("ratings") or {})
    page.items = _items(session, content.get("evidence") or [])
    return page


def _headings(session: Session, version_id: int,
              ratings: dict[str, dict[str, str]]) -> list[Heading]:
    """Every heading of the pinned framework with the two ratings the sign-off froze."""
    document = session.scalar(sa.select(FrameworkVersion.document)
                              .where(FrameworkVersion.id == version_id)) or {}
    words = {level["code"]: level["label"] for level in capability_levels(document)}
    capabilities = session.execute(sa.select(Capability.code, Capability.title)
                                   .where(Capability.framework_version_id == version_id)
                                   .order_by(Capability.position)).all()
    shown = [Heading(code, title, *(_level(words, ratings.get(code, {}).get(kind))
                                    for kind in ("self", "supervisor")))
             for code, title in capabilities]
    known = {code for code, _ in capabilities}
    return shown + [Heading(code, "", *(_level(words, given.get(kind))
                                        for kind in ("self", "supervisor")))
                    for code, given in ratings.items() if code not in known]


def _level(words: dict[str, str], code: Optional[str]) -> str:
    """A rating level in words; "Not rated" for none."""
    return words.get(code, code) if code else "Not rated"


def _items(session: Session, listed: list[list[Any]]) -> list[SignedItem]:
    """The evidence versions the sign-off lists, titled as they were signed."""
    wanted = {(int(e), int(n)) for e, n, _ in listed}
    titles: dict[tuple[int, int], str] = {}
    if wanted:
        for evidence_id, number, content in session.execute(
                sa.select(EvidenceVersion.evidence_id, EvidenceVersion.number,
                          EvidenceVersion.content)
                .where(EvidenceVersion.evidence_id.in_({e for e, _ in wanted}))):
            if (evidence_id, number) in wanted:
                titles[(evidence_id, number)] = str((content or {}).get("title") or "")
    return [SignedItem(int(e), int(n), str(h), titles.get((int(e), int(n)), ""))
            for e, n, h in listed]

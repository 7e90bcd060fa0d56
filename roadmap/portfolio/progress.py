"""Where a candidate stands: the one rule for what counts, and the home page in fixed queries.

Evidence counts toward the per-heading target once it has gone to a supervisor: submitted,
signed, or changed since signed. Drafts and returned items do not count. The hub dashboard
uses capability_counts for whole cohorts in one statement.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from roadmap.cohorts.models import Enrolment
from roadmap.framework import definitions
from roadmap.framework.models import Capability, EvidenceType, FrameworkVersion, Stage
from roadmap.portfolio.models import Evidence, EvidenceCapability, EvidenceStatus
from roadmap.supervision.models import CapabilityRating, SupervisorAssignment

COUNTED_STATUSES = (EvidenceStatus.SUBMITTED.value, EvidenceStatus.SIGNED.value,
                    EvidenceStatus.CHANGED_SINCE_SIGNED.value)
DEFAULT_TARGET, DEFAULT_WPBA_PER_MONTH = 3, 2


def counts(status: str) -> bool:
    """True when an item in this status counts toward the targets."""
    return status in COUNTED_STATUSES


def capability_counts(session: Session, enrolment_ids: Iterable[int]) -> dict[int, dict[int, int]]:
    """{enrolment id: {capability id: counted items linked to it}}, in one statement."""
    ids = list(enrolment_ids)
    table: dict[int, dict[int, int]] = {eid: {} for eid in ids}
    if not ids:
        return table
    rows = session.execute(
        sa.select(Evidence.enrolment_id, EvidenceCapability.capability_id,
                  sa.func.count(sa.distinct(Evidence.id)))
        .join(EvidenceCapability, EvidenceCapability.evidence_id == Evidence.id)
        .where(Evidence.enrolment_id.in_(ids), Evidence.status.in_(COUNTED_STATUSES))
        .group_by(Evidence.enrolment_id, EvidenceCapability.capability_id))
    for enrolment_id, capability_id, n in rows:
        table[enrolment_id][capability_id] = n
    return table


def rag(count: int, target: int) -> tuple[str, str]:
    """(colour, words) for a count against its target; the words carry the meaning."""
    if count >= target:
        return "green", "Target met"
    if count > 0:
        return "yellow", "Under way"
    return "red", "None yet"


def targets(stages: list[Stage]) -> tuple[int, int]:
    """The per-heading evidence target and the WPBAs a month, from the last stage that sets them."""
    target, per_month = DEFAULT_TARGET, DEFAULT_WPBA_PER_MONTH
    for stage in sorted(stages, key=lambda s: s.position):
        target = stage.requirements.get("min_evidence_per_capability") or target
        per_month = stage.requirements.get("wpba_per_month") or per_month
    return target, per_month


@dataclass
class HeadingRow:
    """One capability heading on the home page."""

    capability: Capability
    by_type: dict[int, int]
    total: int
    colour: str
    words: str
    self_rating: Optional[CapabilityRating] = None
    supervisor_rating: Optional[CapabilityRating] = None


@dataclass
class Standing:
    """Everything the portfolio home shows."""

    enrolment: Enrolment
    version: FrameworkVersion
    types: list[EvidenceType]
    headings: list[HeadingRow]
    target: int
    wpba_per_month: int
    wpbas_this_month: int
    days_to_target: Optional[int]
    waiting: list[Evidence]
    returned: list[Evidence]
    drafts: int
    supervisors: list[SupervisorAssignment]
    rating_labels: dict[str, str] = field(default_factory=dict)


def standing(session: Session, enrolment: Enrolment, today: dt.date) -> Standing:
    """The candidate's standing, in the same number of statements however much evidence there is."""
    version = session.get(FrameworkVersion, enrolment.framework_version_id)
    assert version is not None
    caps = list(session.scalars(sa.select(Capability).where(
        Capability.framework_version_id == version.id).order_by(Capability.position)))
    types = list(session.scalars(sa.select(EvidenceType).where(
        EvidenceType.framework_version_id == version.id).order_by(EvidenceType.position)))
    stages = list(session.scalars(sa.select(Stage).where(Stage.framework_version_id == version.id)))
    target, per_month = targets(stages)
    matrix: dict[int, dict[int, int]] = defaultdict(dict)
    for capability_id, type_id, n in session.execute(
            sa.select(EvidenceCapability.capability_id, Evidence.evidence_type_id,
                      sa.func.count(sa.distinct(Evidence.id)))
            .join(Evidence, Evidence.id == EvidenceCapability.evidence_id)
            .where(Evidence.enrolment_id == enrolment.id, Evidence.status.in_(COUNTED_STATUSES))
            .group_by(EvidenceCapability.capability_id, Evidence.evidence_type_id)):
        matrix[capability_id][type_id] = n
    totals = capability_counts(session, [enrolment.id])[enrolment.id]
    ratings = {(r.capability_id, r.rater_kind): r for r in session.scalars(
        sa.select(CapabilityRating).where(CapabilityRating.enrolment_id == enrolment.id))}
    headings = []
    for cap in caps:
        total = totals.get(cap.id, 0)
        colour, words = rag(total, target)
        headings.append(HeadingRow(cap, matrix.get(cap.id, {}), total, colour, words,
                                   ratings.get((cap.id, "self")), ratings.get((cap.id, "supervisor"))))
    month_start = today.replace(day=1)
    wpbas = session.scalar(
        sa.select(sa.func.count()).select_from(Evidence)
        .join(EvidenceType, EvidenceType.id == Evidence.evidence_type_id)
        .where(Evidence.enrolment_id == enrolment.id, EvidenceType.is_wpba.is_(True),
               Evidence.status.in_(COUNTED_STATUSES), Evidence.occurred_on >= month_start,
               Evidence.occurred_on <= today)) or 0
    open_items = list(session.scalars(
        sa.select(Evidence).where(Evidence.enrolment_id == enrolment.id,
                                  Evidence.status.in_((EvidenceStatus.SUBMITTED.value,
                                                       EvidenceStatus.RETURNED.value)))
        .options(selectinload(Evidence.evidence_type), selectinload(Evidence.submitted_to))
        .order_by(Evidence.submitted_at, Evidence.id)))
    drafts = session.scalar(sa.select(sa.func.count()).select_from(Evidence).where(
        Evidence.enrolment_id == enrolment.id, Evidence.status == EvidenceStatus.DRAFT.value)) or 0
    assignments = [a for a in session.scalars(
        sa.select(SupervisorAssignment).where(SupervisorAssignment.enrolment_id == enrolment.id)
        .options(selectinload(SupervisorAssignment.supervisor))) if a.is_current(today)]
    return Standing(
        enrolment=enrolment, version=version, types=types, headings=headings, target=target,
        wpba_per_month=per_month, wpbas_this_month=wpbas,
        days_to_target=(enrolment.target_on - today).days if enrolment.target_on else None,
        waiting=[e for e in open_items if e.status == EvidenceStatus.SUBMITTED.value],
        returned=[e for e in open_items if e.status == EvidenceStatus.RETURNED.value],
        drafts=drafts, supervisors=sorted(assignments, key=lambda a: a.kind != "primary"),
        rating_labels={lv["code"]: lv["label"]
                       for lv in definitions.capability_levels(version.document)})

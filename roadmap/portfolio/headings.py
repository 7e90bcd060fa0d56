"""The capability headings an item is linked to, as its form's per-heading grades name them.

A type whose definition says the assessor grades each linked heading (a CBD) asks one grade
per heading the candidate tagged; every page that asks, checks, shows or prints those grades
reads the headings here, in the framework's order.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.framework.models import Capability
from roadmap.portfolio.models import EvidenceCapability


def tagged(session: Session, evidence_id: int) -> list[tuple[str, str]]:
    """(code, title) of each heading the item is linked to, in the framework's order."""
    return [(code, title) for code, title in session.execute(
        sa.select(Capability.code, Capability.title)
        .join(EvidenceCapability, EvidenceCapability.capability_id == Capability.id)
        .where(EvidenceCapability.evidence_id == evidence_id)
        .order_by(Capability.position))]


def tagged_many(session: Session, evidence_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """tagged() for many items in one query: item id -> its headings (empty when none)."""
    found: dict[int, list[tuple[str, str]]] = {evidence_id: [] for evidence_id in evidence_ids}
    if not evidence_ids:
        return found
    for evidence_id, code, title in session.execute(
            sa.select(EvidenceCapability.evidence_id, Capability.code, Capability.title)
            .join(Capability, Capability.id == EvidenceCapability.capability_id)
            .where(EvidenceCapability.evidence_id.in_(evidence_ids))
            .order_by(Capability.position)):
        found[evidence_id].append((code, title))
    return found

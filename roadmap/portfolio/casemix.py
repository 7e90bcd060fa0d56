"""The case mix: logged consultations totalled by body region and outcome, with the gaps."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.framework import definitions
from roadmap.framework.models import EvidenceType
from roadmap.portfolio.models import Evidence

CASE_MIX_CODE = "case_mix"
GAP_SHARE = 0.5  # a region with under half an even share of cases is a gap


@dataclass
class Tally:
    """One option and how many logged cases chose it."""

    code: str
    label: str
    count: int
    gap: bool = False


@dataclass
class CaseMix:
    """The summary the case-mix page shows."""

    total: int
    regions: list[Tally]
    outcomes: list[Tally]
    consultation_types: list[Tally]


def summary(session: Session, enrolment_id: int, framework_version_id: int) -> Optional[CaseMix]:
    """Totals of the enrolment's case-mix log, or None when the roadmap has no case-mix log."""
    kind = session.scalar(sa.select(EvidenceType).where(
        EvidenceType.framework_version_id == framework_version_id,
        EvidenceType.code == CASE_MIX_CODE))
    if kind is None:
        return None
    answers = session.scalars(sa.select(Evidence.fields).where(
        Evidence.enrolment_id == enrolment_id, Evidence.evidence_type_id == kind.id)).all()
    regions, outcomes, types = Counter(), Counter(), Counter()
    for fields in answers:
        fields = fields or {}
        regions[fields.get("body_region")] += 1
        types[fields.get("consultation_type")] += 1
        for outcome in fields.get("outcomes") or []:
            outcomes[outcome] += 1
    total = len(answers)
    region_options = definitions.options(kind.definition, "body_region")
    fair_share = total / len(region_options) if region_options else 0
    return CaseMix(
        total=total,
        regions=[Tally(c, label, regions[c], gap=regions[c] < fair_share * GAP_SHARE or regions[c] == 0)
                 for c, label in region_options],
        outcomes=[Tally(c, label, outcomes[c], gap=outcomes[c] == 0)
                  for c, label in definitions.options(kind.definition, "outcomes")],
        consultation_types=[
            Tally(c, label, types[c])
            for c, label in definitions.options(kind.definition, "consultation_type")],
    )

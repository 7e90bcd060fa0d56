"""The gaps an analysis leaves seed the personal development plan: one draft item listing them."""
from __future__ import annotations

from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.cohorts.models import Enrolment
from roadmap.framework import definitions
from roadmap.framework.models import EvidenceType
from roadmap.lna import definition
from roadmap.portfolio import service as portfolio
from roadmap.portfolio.models import Evidence

PDP_TYPE = "pdp"  # the personal development plan item's evidence type (D12)
TITLE = "Learning needs from your learning needs analysis"


def seed(session: Session, enrolment: Enrolment, actor: User, stage_name: str,
         gaps: list[definition.Requirement]) -> Optional[Evidence]:
    """A draft PDP item listing the requirements not credited, for the candidate to plan.

    Called once, as the analysis is confirmed (which happens once). None when nothing is
    missing, or the roadmap has no PDP item or no long answer to write the list into.
    """
    if not gaps:
        return None
    kind = session.scalar(sa.select(EvidenceType).where(
        EvidenceType.framework_version_id == enrolment.framework_version_id,
        EvidenceType.code == PDP_TYPE))
    if kind is None or definitions.templates(kind.definition):
        return None
    # The list goes into the item's first long answer (the learning need, on the MSK roadmap).
    spec = next((s for s in definitions.fields(kind.definition, None, [definitions.CANDIDATE])
                 if s["kind"] == "textarea"), None)
    if spec is None:
        return None
    text = (f"{stage_name}: the requirements your earlier study does not already meet.\n\n"
            + "\n".join(f"- {gap.label}" for gap in gaps))
    return portfolio.create_evidence(session, enrolment, actor, kind, None, TITLE, None,
                                     {spec["code"]: text}, portfolio.Links((), {}))

"""The framework's rules for a round: which kind it is and its minimum responses (rule D7)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.feedback.models import FeedbackResponse
from roadmap.framework.models import EvidenceType, Stage
from roadmap.portfolio.models import Evidence


@dataclass
class Rule:
    """One kind of round (msf or psq) and the minimums the framework file sets for it.

    A minimum of 0 means the file sets none (D7): the round then needs one response.
    """

    kind: str
    min_responses: int
    min_clinical: int = 0
    min_non_clinical: int = 0

    def met(self, groups: Counter) -> bool:
        """True when the responses reach every minimum (as the stage checklist counts them)."""
        return (sum(groups.values()) >= max(self.min_responses, 1)
                and groups["clinical"] >= self.min_clinical
                and groups["non_clinical"] >= self.min_non_clinical)


def rule_for(session: Session, etype: EvidenceType) -> Optional[Rule]:
    """The round rule for an evidence type, from its framework's stage requirements; None if
    the type is not a feedback round."""
    for requirements in session.scalars(sa.select(Stage.requirements).where(
            Stage.framework_version_id == etype.framework_version_id)):
        for kind in ("msf", "psq"):
            found: dict[str, Any] = (requirements or {}).get(kind) or {}
            if found.get("evidence_type") == etype.code:
                return Rule(kind, int(found.get("min_responses") or 0),
                            int(found.get("min_clinical", 0)),
                            int(found.get("min_non_clinical", 0)))
    return None


def groups(session: Session, evidence_id: int) -> Counter:
    """Responses so far by group."""
    return Counter(dict(session.execute(
        sa.select(FeedbackResponse.respondent_group, sa.func.count())
        .where(FeedbackResponse.evidence_id == evidence_id)
        .group_by(FeedbackResponse.respondent_group)).all()))


def round_type(session: Session, evidence: Evidence) -> tuple[EvidenceType, Optional[Rule]]:
    """The item's type and its round rule."""
    etype = session.get(EvidenceType, evidence.evidence_type_id)
    assert etype is not None
    return etype, rule_for(session, etype)

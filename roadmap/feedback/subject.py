"""The item someone without an account is asked about: its form, its scales, whose it is."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.cohorts.models import Enrolment
from roadmap.framework.models import EvidenceType, FrameworkVersion
from roadmap.framework import definitions
from roadmap.portfolio import headings
from roadmap.portfolio.models import Evidence


@dataclass
class Subject:
    """An item, its type and scales, and the name of the candidate it belongs to."""

    evidence: Evidence
    etype: EvidenceType
    scales: Any
    candidate_name: str
    headings: list[tuple[str, str]]  # (code, title) of the headings the candidate tagged

    def sections(self, parts: list[str], template: Optional[str] = None) -> list[Any]:
        """The sections of the item's form that these parts fill in (with a grade for each
        tagged heading where the type asks the assessor for one)."""
        return definitions.sections(self.etype.definition, template, parts, self.headings)

    def answer(self, spec: dict[str, Any]) -> Any:
        """The candidate's answer to one question, as a person reads it."""
        return definitions.display_answer(spec, self.evidence.fields or {}, self.scales)


def subject_of(session: Session, evidence: Evidence) -> Subject:
    """What a respondent or an external assessor is shown about the item they answer on."""
    etype = session.get(EvidenceType, evidence.evidence_type_id)
    scales = definitions.scales(session.get(FrameworkVersion, etype.framework_version_id))
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    candidate = session.get(User, enrolment.candidate_id)
    return Subject(evidence, etype, scales, candidate.full_name,
                   headings.tagged(session, evidence.id))

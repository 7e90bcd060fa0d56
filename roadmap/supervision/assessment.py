"""What the assessment pages show: an item with all around it, and the WPBAs one may record."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.cohorts.models import Enrolment
from roadmap.framework.models import EvidenceType, FrameworkVersion
from roadmap.framework import definitions
from roadmap.portfolio import headings
from roadmap.portfolio.models import Attachment, Evidence, EvidenceComment
from roadmap.supervision import external


@dataclass
class ItemPage:
    """An item as its assessor reads it: the candidate's part, comments, files, external signatures."""

    evidence: Evidence
    kind: EvidenceType
    scales: Any
    candidate: User
    enrolment: Enrolment
    comments: list[EvidenceComment]
    files: list[Attachment]
    externals: list[external.ExternalSignature]
    sections: list[Any]
    can_act: bool  # still waiting for assessment: it can be signed or returned
    headings: list[tuple[str, str]]  # (code, title) of the headings the candidate tagged

    @property
    def assessor_sections(self) -> list[dict[str, Any]]:
        """The assessor's part of the form, by section: a grade for each tagged heading first,
        where the type asks for one, then the form's own questions."""
        return definitions.sections(self.kind.definition, self.evidence.template_code,
                                    [definitions.ASSESSOR], self.headings)

    def answer(self, spec: dict[str, Any]) -> Any:
        """The candidate's answer to one question, as a person reads it."""
        return definitions.display_answer(spec, self.evidence.fields or {}, self.scales)

    def context(self) -> dict[str, Any]:
        """The page's names for the template."""
        return dict(evidence=self.evidence, kind=self.kind, scales=self.scales,
                    candidate=self.candidate, enrolment=self.enrolment, comments=self.comments,
                    files=self.files, externals=self.externals, sections=self.sections,
                    answer=self.answer, can_act=self.can_act, headings=self.headings,
                    assessor_sections=self.assessor_sections)


def item_page(session: Session, evidence: Evidence) -> ItemPage:
    """Everything the assessment page shows about an item."""
    kind = session.get(EvidenceType, evidence.evidence_type_id)
    scales = definitions.scales(session.get(FrameworkVersion, kind.framework_version_id))
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    comments = session.scalars(sa.select(EvidenceComment).where(
        EvidenceComment.evidence_id == evidence.id).order_by(EvidenceComment.created_at)).all()
    files = session.scalars(sa.select(Attachment).where(Attachment.evidence_id == evidence.id)).all()
    return ItemPage(evidence, kind, scales, session.get(User, enrolment.candidate_id), enrolment,
                    list(comments), list(files), external.for_item(session, evidence.id),
                    definitions.sections(kind.definition, evidence.template_code, ["candidate"]),
                    evidence.status == "submitted", headings.tagged(session, evidence.id))


@dataclass
class Observable:
    """The WPBAs a supervisor may record for a candidate, and the scales their questions use."""

    candidate: User
    kinds: list[EvidenceType]
    scales: Any

    def chosen(self, code: Optional[str]) -> Optional[EvidenceType]:
        """The kind with this code, if it is one of them."""
        return next((kind for kind in self.kinds if kind.code == code), None)


def observable(session: Session, enrolment: Enrolment) -> Observable:
    """The WPBAs of the candidate's roadmap that a supervisor starts: those without templates."""
    kinds = session.scalars(sa.select(EvidenceType).where(
        EvidenceType.framework_version_id == enrolment.framework_version_id,
        EvidenceType.is_wpba.is_(True)).order_by(EvidenceType.position)).all()
    version = session.get(FrameworkVersion, enrolment.framework_version_id)
    return Observable(session.get(User, enrolment.candidate_id),
                      [kind for kind in kinds if not kind.definition.get("templates")],
                      definitions.scales(version))

"""What the item pages read: the candidate's list, and one item's page (noting who opened it)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any, Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from roadmap.accounts.models import User
from roadmap.cohorts.models import Enrolment
from roadmap.framework.models import Capability, EvidenceType, FrameworkVersion
from roadmap.framework import definitions
from roadmap.portfolio import attachments, service
from roadmap.portfolio.as_signed import narrow
from roadmap.portfolio.models import Attachment, Evidence, EvidenceComment, EvidenceVersion
from roadmap.readers import service as readers
from roadmap.readers.models import Opened
from roadmap.supervision.models import ExternalSignatureReview, Signature


def evidence_list(session: Session, enrolment_id: int) -> list[Evidence]:
    """Every item of an enrolment with its type, newest first (undated items last)."""
    return list(session.scalars(
        sa.select(Evidence).where(Evidence.enrolment_id == enrolment_id)
        .options(selectinload(Evidence.evidence_type))
        .order_by(Evidence.occurred_on.desc().nulls_last(), Evidence.id.desc())))


def scales(session: Session, enrolment: Enrolment) -> dict[str, dict[str, Any]]:
    """The rating scales of the enrolment's framework version, by code."""
    version = session.get(FrameworkVersion, enrolment.framework_version_id)
    assert version is not None
    return definitions.scales(version)


def signed_versions(session: Session, evidence_ids: Iterable[int]) -> dict[int, EvidenceVersion]:
    """The latest signed snapshot of each item that has one."""
    rows = session.scalars(sa.select(EvidenceVersion).where(
        EvidenceVersion.evidence_id.in_(list(evidence_ids))).order_by(EvidenceVersion.number)).all()
    return {row.evidence_id: row for row in rows}


def signature_history(session: Session, evidence_id: int) -> list[tuple[EvidenceVersion, list[Any]]]:
    """Every signed version of an item, oldest first, with the signatures bound to it."""
    versions = session.scalars(sa.select(EvidenceVersion).where(
        EvidenceVersion.evidence_id == evidence_id).order_by(EvidenceVersion.number)).all()
    signatures = session.scalars(sa.select(Signature).where(
        Signature.subject_type == "evidence_version",
        Signature.subject_id.in_([v.id for v in versions])).order_by(Signature.signed_at)).all()
    return [(v, [s for s in signatures if s.subject_id == v.id]) for v in versions]


def disputed_signatures(session: Session, evidence_id: int) -> dict[int, ExternalSignatureReview]:
    """Signature id -> the supervisor's dispute, for each disputed signature on an item."""
    return {r.signature_id: r for r in session.scalars(sa.select(ExternalSignatureReview).where(
        ExternalSignatureReview.evidence_id == evidence_id,
        ExternalSignatureReview.outcome == "disputed"))}


@dataclass
class ItemPage:
    """What an item's page shows; for a former supervisor, only what they signed."""

    evidence: Any  # the Evidence, or for a former supervisor the SignedItem they signed
    kind: EvidenceType
    owner: bool
    former: bool
    supervisor: Optional[User]
    sections: list[dict[str, Any]]
    signed: Optional[EvidenceVersion]
    history: list[tuple[EvidenceVersion, list[Any]]]
    linked: list[Capability]
    files: list[Attachment]
    comments: list[EvidenceComment]
    signed_files: set[int]
    disputed: dict[int, ExternalSignatureReview]
    attachments_rule: str
    submittable: bool
    template: Optional[dict[str, Any]]
    scales: dict[str, dict[str, Any]]

    def answer(self, spec: dict[str, Any]) -> Any:
        """One of the item's answers as the page shows it."""
        return definitions.display_answer(spec, self.evidence.fields or {}, self.scales)

    def signed_answer(self, spec: dict[str, Any], answers: Optional[dict[str, Any]]) -> Any:
        """One answer of a signed version as the page shows it."""
        return definitions.display_answer(spec, answers or {}, self.scales)

    def context(self) -> dict[str, Any]:
        """The page's template variables."""
        shown = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "scales"}
        return {**shown, "answer": self.answer, "signed_answer": self.signed_answer}


def item_page(session: Session, reader: User, evidence: Evidence, owner: bool,
              as_signed: Optional[tuple[EvidenceVersion, dt.datetime]]) -> ItemPage:
    """An item's answers, links, files, comments and signatures, and a note that it was opened.

    `as_signed` (a former supervisor's signed version and when they signed it) cuts the page
    back to that version: nothing newer shows.
    """
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    kind = session.get(EvidenceType, evidence.evidence_type_id)
    assert enrolment is not None and kind is not None
    item_scales = scales(session, enrolment)
    links = service.current_links(session, evidence)
    caps = {c.id: c for c in service.capabilities(session, enrolment)}
    page = dict(
        evidence=evidence, signed=signed_versions(session, [evidence.id]).get(evidence.id),
        history=signature_history(session, evidence.id),
        linked=[caps[i] for i in links.capability_ids if i in caps],
        files=session.scalars(sa.select(Attachment).where(Attachment.evidence_id == evidence.id)
                              .order_by(Attachment.uploaded_at)).all(),
        comments=session.scalars(sa.select(EvidenceComment).where(
            EvidenceComment.evidence_id == evidence.id).order_by(EvidenceComment.created_at.desc())).all())
    former = as_signed is not None
    if as_signed is not None:
        page = narrow(page, list(caps.values()), *as_signed)
    shown = page["evidence"]
    readers.record(session, reader, enrolment, Opened.ITEM, former=former,
                   evidence_id=shown.id, label=shown.title)
    supervisor = session.get(User, shown.submitted_to_id) if shown.submitted_to_id else None
    tagged = [(c.code, c.title) for c in sorted(page["linked"], key=lambda c: c.position)]
    sections = [s for s in definitions.sections(kind.definition, shown.template_code, None, tagged)
                if s.get("completed_by") in ("candidate", "assessor")]
    return ItemPage(
        kind=kind, owner=owner, former=former, supervisor=supervisor, sections=sections,
        signed_files=attachments.signed_file_ids(session, shown.id, page["files"]),
        disputed=disputed_signatures(session, shown.id),
        attachments_rule=definitions.attachments_rule(kind),
        submittable=shown.status in service.SUBMITTABLE,
        template=definitions.template_named(kind.definition, shown.template_code),
        scales=item_scales, **page)

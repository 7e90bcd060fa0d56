"""Everything a portfolio export shows, read once into plain data in a fixed number of queries.

`content=False` (a hub lead's reach) leaves out every answer, justification and comment:
what remains is progress, counts, statuses and dates.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import storage
from roadmap.clock import day_of
from roadmap.accounts.models import User
from roadmap.cohorts.models import Cohort, Employer, Enrolment, TrainingHub
from roadmap.exports import images
from roadmap.exports.analysis import analysis_of
from roadmap.exports.released import released_results
from roadmap.feedback.models import FeedbackResponse
from roadmap.framework import definitions
from roadmap.pid import check as pid_check
from roadmap.framework.models import Capability, Domain, EvidenceType, FrameworkVersion, Stage
from roadmap.portfolio.models import (Attachment, Evidence, EvidenceCapability, EvidenceComment,
                                      EvidenceVersion)
from roadmap.portfolio.progress import COUNTED_STATUSES, rag, targets
from roadmap.portfolio.status import STATUS_TAGS
from roadmap.readers.models import shared
from roadmap.supervision import checklist as checklists, statements, timeline
from roadmap.supervision.waiting import one_enrolment
from roadmap.supervision.models import (CapabilityRating, Signature, StageSignOff,
                                        SupervisorAssignment)

IMAGE_TYPES = {"image/png", "image/jpeg"}
# Issue 22: a draft is checked for patient details only when it is submitted, and the PDF is
# the document that leaves the service, so a draft whose text may identify a patient is not
# printed (the ZIP's data.json, the candidate's own data, keeps it whole).
WITHHELD = "This draft may identify a patient: check it in Roadmap before it is shared."
WITHHELD_TITLE = "Draft (its title may identify a patient)"


def capacity_words(capacity: str) -> str:
    """A signer's capacity as people say it."""
    return timeline.CAPACITY.get(capacity, capacity.replace("_", " ")).removeprefix("as ")


def _signatures(session: Session, subject_type: str, ids: list[int]) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = defaultdict(list)
    if not ids:
        return found
    for s in session.scalars(sa.select(Signature).where(
            Signature.subject_type == subject_type, Signature.subject_id.in_(ids))
            .order_by(Signature.signed_at, Signature.id)):
        found[s.subject_id].append({
            "name": s.signer_name, "capacity": capacity_words(s.capacity),
            "acting_reason": s.acting_reason, "signed_at": s.signed_at,
            "content_hash": s.content_hash})
    return found


def _people(session: Session, enrolment: Enrolment) -> dict[str, Any]:
    candidate = session.get(User, enrolment.candidate_id)
    cohort = session.get(Cohort, enrolment.cohort_id)
    hub = session.get(TrainingHub, cohort.hub_id) if cohort else None
    employer = session.get(Employer, enrolment.employer_id) if enrolment.employer_id else None
    rows = session.execute(sa.select(SupervisorAssignment, User.full_name)
                           .join(User, User.id == SupervisorAssignment.supervisor_id)
                           .where(SupervisorAssignment.enrolment_id == enrolment.id)
                           .order_by(SupervisorAssignment.starts_on, SupervisorAssignment.id)).all()
    return {"candidate": candidate, "cohort": cohort.name if cohort else None,
            "hub": hub.name if hub else None, "employer": employer.name if employer else None,
            "supervisors": [{"name": name, "kind": a.kind, "starts_on": a.starts_on,
                             "ends_on": a.ends_on} for a, name in rows]}


def _items(session: Session, enrolment: Enrolment, version: FrameworkVersion,
           types: dict[int, EvidenceType], caps: dict[int, Capability], content: bool,
           image_dir: Optional[Path], drafts: bool = True,
           printing: bool = True) -> list[dict[str, Any]]:
    evidence = session.scalars(sa.select(Evidence).where(
        Evidence.enrolment_id == enrolment.id, sa.true() if drafts else shared())
        .order_by(Evidence.occurred_on, Evidence.id)).all()
    ids = [e.id for e in evidence]
    links: dict[int, list[str]] = defaultdict(list)
    for link in session.scalars(sa.select(EvidenceCapability).where(
            EvidenceCapability.evidence_id.in_(ids))):
        links[link.evidence_id].append(caps[link.capability_id].code)
    versions: dict[int, list[EvidenceVersion]] = defaultdict(list)
    for v in session.scalars(sa.select(EvidenceVersion).where(EvidenceVersion.evidence_id.in_(ids))
                             .order_by(EvidenceVersion.number)):
        versions[v.evidence_id].append(v)
    signatures = _signatures(session, "evidence_version",
                             [v.id for vs in versions.values() for v in vs])
    files: dict[int, list[Attachment]] = defaultdict(list)
    for a in session.scalars(sa.select(Attachment).where(Attachment.evidence_id.in_(ids))
                             .order_by(Attachment.id)):
        files[a.evidence_id].append(a)
    comments: dict[int, list[dict]] = defaultdict(list)
    if content:
        for c, name in session.execute(sa.select(EvidenceComment, User.full_name)
                                       .join(User, User.id == EvidenceComment.author_id)
                                       .where(EvidenceComment.evidence_id.in_(ids))
                                       .order_by(EvidenceComment.created_at)):
            comments[c.evidence_id].append({"author": name, "when": c.created_at, "kind": c.kind,
                                            "body": c.body})
    feedback: dict[int, dict[str, int]] = defaultdict(dict)
    for evidence_id, group, n in session.execute(
            sa.select(FeedbackResponse.evidence_id, FeedbackResponse.respondent_group,
                      sa.func.count()).where(FeedbackResponse.evidence_id.in_(ids))
            .group_by(FeedbackResponse.evidence_id, FeedbackResponse.respondent_group)):
        feedback[evidence_id][group] = n
    scales = definitions.scales(version)
    # Released MSF/PSQ aggregates are content (answers, comments): a progress-only copy omits them.
    released = (released_results(session, [(e.id, e.evidence_type_id) for e in evidence])
                if content else {})
    found = []
    for number, e in enumerate(evidence, start=1):
        kind = types[e.evidence_type_id]
        template = definitions.template_named(kind.definition, e.template_code)
        tagged = sorted((c for c in caps.values() if c.code in links[e.id]),
                        key=lambda c: c.position)
        withheld, title_withheld = _unchecked(kind, e) if content and printing else (False, False)
        sections = (definitions.printed(kind.definition, e.template_code, e.fields or {}, scales,
                                        [(c.code, c.title) for c in tagged])
                    if content and not withheld else [])
        found.append({
            "number": number, "anchor": f"item-{e.id}", "id": e.id,
            "title": WITHHELD_TITLE if title_withheld else e.title, "withheld": WITHHELD if withheld else None,
            "type": kind.name, "template": template["name"] if template else None,
            "occurred_on": e.occurred_on, "status": STATUS_TAGS.get(e.status, (e.status,))[0],
            "status_code": e.status, "submitted_at": e.submitted_at,
            "capabilities": sorted(links[e.id], key=lambda c: (len(c), c)),
            "sections": sections, "comments": comments[e.id], "feedback": feedback[e.id],
            "results": released.get(e.id),
            "versions": [{"number": v.number, "created_at": v.created_at,
                          "content_hash": v.content_hash, "signatures": signatures[v.id]}
                         for v in versions[e.id]],
            "attachments": [_attachment(a, image_dir) for a in files[e.id]],
        })
    return found


def _unchecked(kind: EvidenceType, e: Evidence) -> tuple[bool, bool]:
    """(whether a draft's text may identify a patient, whether its title does). Only a private
    draft was never checked: any other status passed the check as it was submitted or saved."""
    if e.status != "draft":
        return False, False
    texts = {"title": e.title, **{
        f["code"]: (e.fields or {}).get(f["code"])
        for f in definitions.fields(kind.definition, e.template_code, [definitions.CANDIDATE])
        if definitions.is_free_text(f)}}
    found = pid_check.flagged(texts)
    return bool(found), "title" in found


def _attachment(a: Attachment, image_dir: Optional[Path]) -> dict[str, Any]:
    """An attachment as the PDF lists it. An image gets the file:// URI of its print copy, or,
    when it cannot be printed, `image_failed` (a box naming it, not a failed export)."""
    found = {"filename": a.filename, "media_type": a.media_type,
             "size_kb": max(1, round(a.size_bytes / 1024)), "sha256": a.sha256,
             "image": None, "image_failed": False}
    if image_dir is not None and a.media_type in IMAGE_TYPES:
        copy = images.print_copy(storage.current(), a.sha256, image_dir, a.filename)
        found["image"] = copy.as_uri() if copy is not None else None
        found["image_failed"] = copy is None
    return found


def _headings(session: Session, enrolment: Enrolment, version: FrameworkVersion,
              caps: list[Capability], types: list[EvidenceType], items: list[dict[str, Any]],
              content: bool) -> tuple[list[dict[str, Any]], int]:
    stages = list(session.scalars(sa.select(Stage).where(Stage.framework_version_id == version.id)))
    target, _ = targets(stages)
    labels = {lv["code"]: lv["label"] for lv in definitions.capability_levels(version.document)}
    ratings = {(r.capability_id, r.rater_kind): r for r in session.scalars(
        sa.select(CapabilityRating).where(CapabilityRating.enrolment_id == enrolment.id))}
    domains = {d.id: d for d in session.scalars(sa.select(Domain).where(
        Domain.framework_version_id == version.id))}
    type_names = {t.name: definitions.short_name(t) for t in types}
    found = []
    for cap in caps:
        linked = [i for i in items if cap.code in i["capabilities"]]
        counted = [i for i in linked if i["status_code"] in COUNTED_STATUSES]
        by_type: dict[str, int] = defaultdict(int)
        for item in counted:
            by_type[type_names.get(item["type"], item["type"])] += 1
        rated = {}
        for kind in ("self", "supervisor"):
            r: Optional[CapabilityRating] = ratings.get((cap.id, kind))
            rated[kind] = None if r is None else {
                "label": labels.get(r.rating, r.rating), "rated_at": r.rated_at,
                "justification": r.justification if content else None}
        found.append({"code": cap.code, "title": cap.title, "anchor": f"heading-{cap.code}",
                      "domain": f"{domains[cap.domain_id].code}. {domains[cap.domain_id].title}",
                      "description": cap.description, "linked": linked, "total": len(counted),
                      "by_type": dict(by_type), "rag": rag(len(counted), target)[1], **rated})
    return found, target


def _stages(session: Session, enrolment: Enrolment, version: FrameworkVersion,
            today: dt.date) -> list[dict]:
    stages = session.scalars(sa.select(Stage).where(Stage.framework_version_id == version.id)
                             .order_by(Stage.position)).all()
    signoffs = {s.stage_code: s for s in session.scalars(sa.select(StageSignOff).where(
        StageSignOff.enrolment_id == enrolment.id))}
    signatures = _signatures(session, "stage_signoff", [s.id for s in signoffs.values()])
    approvals = statements.approvals_for(session, [s.id for s in signoffs.values()])
    waits = {w.stage_code: w for w in one_enrolment(session, enrolment.id, today)}
    found = []
    for stage in stages:
        checks = checklists.compute(session, enrolment, stage.code).checks
        record = signoffs.get(stage.code)
        found.append({"code": stage.code, "name": stage.name, "checks": checks,
                      "status": record.status if record else "open",
                      "completed_at": record.completed_at if record else None,
                      "verification_code": record.verification_code if record else None,
                      "content_hash": record.content_hash if record else None,
                      "signatures": signatures[record.id] if record else [],
                      "approvals": approvals.get(record.id) if record else None,
                      "wait": waits.get(stage.code)})
    return found


def _timeline(session: Session, enrolment: Enrolment, drafts: bool) -> list[timeline.Entry]:
    """The whole audit timeline, oldest first, so new events only ever add to the end."""
    found, page, more = [], 1, True
    while more:
        entries, more = timeline.entries(session, enrolment.id, page, drafts=drafts)
        found.extend(entries)
        page += 1
    return list(reversed(found))


def gather(session: Session, enrolment: Enrolment, today: dt.date, image_dir: Optional[Path],
           content: bool = True, drafts: bool = True, printing: bool = True) -> dict[str, Any]:
    """The whole portfolio of an enrolment as plain data for the print templates.

    `image_dir`: where print copies of image attachments go (images.folder); None: no images.
    `drafts=False` (an export made by anyone but the candidate) leaves out the candidate's
    private drafts and does not name them on the timeline. `printing=False` (the ZIP's data,
    the candidate's own) keeps drafts whose text may identify a patient, which a PDF withholds.
    """
    version = session.get(FrameworkVersion, enrolment.framework_version_id)
    assert version is not None
    caps = list(session.scalars(sa.select(Capability).where(
        Capability.framework_version_id == version.id).order_by(Capability.position)))
    types = list(session.scalars(sa.select(EvidenceType).where(
        EvidenceType.framework_version_id == version.id).order_by(EvidenceType.position)))
    items = _items(session, enrolment, version, {t.id: t for t in types},
                   {c.id: c for c in caps}, content, image_dir, drafts, printing)
    headings, target = _headings(session, enrolment, version, caps, types, items, content)
    used_types = [definitions.short_name(t) for t in types]
    stages = _stages(session, enrolment, version, today)
    return {**_people(session, enrolment), "enrolment": enrolment, "version": version,
            "today": today, "content": content, "items": items, "headings": headings,
            "target": target, "type_columns": used_types, "stages": stages,
            # The day each stage was signed off, from its signed record: the cover, the
            # checklist and the stage's own page all read this one fact.
            "signed_off_on": {s["code"]: day_of(s["completed_at"]) for s in stages
                              if s["completed_at"] is not None},
            "timeline": _timeline(session, enrolment, drafts),
            "analysis": analysis_of(session, enrolment, content)}

"""Everything a candidate owns, in one ZIP: the PDF, every attachment, and all their data as JSON.

The JSON follows roadmap/exports/export-schema.json (JSON Schema), which the ZIP carries too.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any, Callable, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import storage
from roadmap.accounts.models import User
from roadmap.audit.models import AuditEvent
from roadmap.cohorts.models import Enrolment
from roadmap.credentials import service as credentials
from roadmap.db import utcnow
# The module, not its functions: looked up at each call, a stand-in that a test puts there
# lasts for that test only, whichever test first imports this module.
from roadmap.exports import portfolio
from roadmap.exports.gather import gather
from roadmap.framework.models import Capability
from roadmap.portfolio.models import Attachment, Evidence, EvidenceVersion
from roadmap.supervision.models import CapabilityRating, StageSignOff
from roadmap.supervision.statements import Approvals

SCHEMA = Path(__file__).resolve().parent / "export-schema.json"
SCHEMA_VERSION = 1
Progress = Callable[[int, str], None]
CHUNK = 1024 * 1024


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def _signatures(signatures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**s, "signed_at": _iso(s["signed_at"])} for s in signatures]


def _approvals(found: Optional[Approvals]) -> dict[str, Any]:
    """A stage's approvals, rounds, referrals and reasons as plain JSON values."""
    if found is None:
        return {"approvals": [], "guidance_unmet": [], "rounds": []}
    return {
        "approvals": [{"label": a.label, "text": a.text, "at": _iso(a.at)}
                      for a in found.approvals],
        "guidance_unmet": found.guidance_unmet,
        "rounds": [{"number": r.number, "signed_at": _iso(r.signed_at), "supervisor": r.supervisor,
                    "guidance_unmet": r.guidance_unmet,
                    "decisions": [{"review": d.review, "outcome": d.outcome, "provider": d.provider,
                                   "reviewer": d.reviewer, "decided_at": _iso(d.decided_at),
                                   "reason": d.reason, "sampled_for_audit": d.sampled,
                                   "headings": [{"heading": h, "reason": why}
                                                for h, why in d.headings]}
                                  for d in r.decisions]} for r in found.rounds]}


def _analysis(found: Optional[dict[str, Any]]) -> Optional[dict[str, Any]]:
    """The learning needs analysis as plain JSON values."""
    if found is None:
        return None
    return {**{k: _iso(v) for k, v in found.items() if k != "credits"},
            "credits": [{k: _iso(v) for k, v in c.items()} for c in found["credits"]]}


def data(session: Session, enrolment: Enrolment, today: dt.date, drafts: bool = True,
         printing: bool = False) -> dict[str, Any]:
    """All of a candidate's data for one enrolment, as plain JSON values; `drafts=False` (the
    copy embedded in a PDF made for anyone but the candidate) leaves their drafts out;
    `printing` (the copy embedded in a PDF) leaves out a draft's text that may identify a
    patient, as the PDF's pages do. The ZIP's copy is the candidate's own data, whole."""
    p = gather(session, enrolment, today, None, content=True, drafts=drafts, printing=printing)
    candidate: User = p["candidate"]
    evidence = {e.id: e for e in session.scalars(
        sa.select(Evidence).where(Evidence.enrolment_id == enrolment.id))}
    contents = {(v.evidence_id, v.number): v.content for v in session.scalars(
        sa.select(EvidenceVersion).where(EvidenceVersion.evidence_id.in_(list(evidence))))}
    files = {a.sha256: a for a in session.scalars(
        sa.select(Attachment).where(Attachment.evidence_id.in_(list(evidence))))}
    codes = {c.id: c.code for c in session.scalars(sa.select(Capability).where(
        Capability.framework_version_id == enrolment.framework_version_id))}
    items = []
    for item in p["items"]:
        e = evidence[item["id"]]
        items.append({
            "id": e.id, "type": item["type"], "template": e.template_code, "title": item["title"],
            "occurred_on": _iso(e.occurred_on), "status": e.status,
            "fields": {} if item["withheld"] else e.fields,
            "capabilities": item["capabilities"], "submitted_at": _iso(e.submitted_at),
            "created_at": _iso(e.created_at), "updated_at": _iso(e.updated_at),
            "feedback_responses": item["feedback"],
            "feedback_results": item["results"],
            "comments": [{**c, "when": _iso(c["when"])} for c in item["comments"]],
            "versions": [{"number": v["number"], "created_at": _iso(v["created_at"]),
                          "content_hash": v["content_hash"],
                          "content": contents.get((e.id, v["number"])),
                          "signatures": _signatures(v["signatures"])} for v in item["versions"]],
            "attachments": [{"filename": a["filename"], "media_type": a["media_type"],
                             "size_bytes": files[a["sha256"]].size_bytes, "sha256": a["sha256"],
                             "path": attachment_path(item["number"], a["sha256"], a["filename"])}
                            for a in item["attachments"]],
        })
    ratings = [{"capability": codes.get(r.capability_id), "rater": r.rater_kind,
                "rating": r.rating, "justification": r.justification,
                "rated_at": _iso(r.rated_at)} for r in session.scalars(
        sa.select(CapabilityRating).where(CapabilityRating.enrolment_id == enrolment.id)
        .order_by(CapabilityRating.capability_id, CapabilityRating.rater_kind))]
    stages = {s.stage_code: s for s in session.scalars(
        sa.select(StageSignOff).where(StageSignOff.enrolment_id == enrolment.id))}
    events = session.scalars(sa.select(AuditEvent).where(AuditEvent.enrolment_id == enrolment.id)
                             .order_by(AuditEvent.id)).all()
    return {
        "schema_version": SCHEMA_VERSION, "exported_at": utcnow().isoformat(),
        "candidate": {"name": candidate.full_name, "email": candidate.email,
                      "profession": candidate.profession,
                      "registration_body": candidate.registration_body,
                      "registration_number": candidate.registration_number},
        "enrolment": {"id": enrolment.id, "route": enrolment.route, "status": enrolment.status,
                      "cohort": p["cohort"], "hub": p["hub"], "employer": p["employer"],
                      **{k: _iso(getattr(enrolment, k)) for k in (
                          "enrolled_on", "stage1_verified_on", "stage2_started_on", "target_on",
                          "stage2_signed_off_on")}},
        "framework": {"slug": p["version"].slug, "title": p["version"].title,
                      "version_label": p["version"].version_label,
                      "content_hash": p["version"].content_hash},
        "supervisors": [{**s, "starts_on": _iso(s["starts_on"]), "ends_on": _iso(s["ends_on"])}
                        for s in p["supervisors"]],
        "capability_ratings": ratings,
        "evidence": items,
        "learning_needs_analysis": _analysis(p["analysis"]),
        "stages": [{"code": s["code"], "name": s["name"], "status": s["status"],
                    "waiting": s["wait"].words if s["wait"] else None,
                    "checks": [{"code": c.code, "label": c.label, "met": c.met,
                                "detail": c.detail, "strength": c.strength}
                               for c in s["checks"]],
                    "completed_at": _iso(s["completed_at"]),
                    "verification_code": s["verification_code"],
                    "content_hash": s["content_hash"],
                    "signed_content": stages[s["code"]].signed_content if s["code"] in stages else None,
                    "signatures": _signatures(s["signatures"]), **_approvals(s["approvals"])}
                   for s in p["stages"]],
        "audit_events": [{"id": ev.id, "occurred_at": _iso(ev.occurred_at), "action": ev.action,
                          "actor_id": ev.actor_id, "subject_type": ev.subject_type,
                          "subject_id": ev.subject_id, "data": ev.data, "hash": ev.hash,
                          "prev_hash": ev.prev_hash} for ev in events],
    }


def attachment_path(number: int, sha256: str, filename: str) -> str:
    """Where an attachment sits in the ZIP: by item number, unique by its hash."""
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in filename)[:120]
    return f"attachments/E{number}/{sha256[:12]}-{safe or 'file'}"


def export_zip(session: Session, enrolment: Enrolment, today: dt.date, target: Path,
               progress: Optional[Progress] = None, archival: Optional[Path] = None) -> None:
    """Write the candidate's ZIP: portfolio.pdf, attachments/, data.json, schema.json, and
    credentials/ (each completed stage's signed credential and badge image).

    `archival`: the candidate's stored archival PDF when it holds every change
    (stored.current_own), which goes in as it is: tagged, with its data and signed manifest
    inside, so it can be checked at /verify. Without it a quick copy is made now."""
    report = progress or (lambda percent, message: None)
    if archival is None:
        quick = portfolio.export_pdf(session, enrolment, today, True,
                                     lambda percent, message: report(percent * 8 // 10, message))
    report(82, "Collecting attachments and data")
    content = data(session, enrolment, today)
    store = storage.current()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        if archival is None:
            archive.writestr("portfolio.pdf", quick)
        else:  # a refresh only ever renames a complete, newer copy over it
            archive.write(archival, "portfolio.pdf")
        for item in content["evidence"]:
            for attachment in item["attachments"]:
                # Streamed from the store into the ZIP, one chunk at a time.
                with store.open(attachment["sha256"]) as source, \
                        archive.open(attachment["path"], "w") as member:
                    shutil.copyfileobj(source, member, CHUNK)
        archive.writestr("data.json", json.dumps(content, indent=2, ensure_ascii=False,
                                                 default=str))
        archive.writestr("schema.json", SCHEMA.read_text())
        for name, text in credentials.holder_files(session, enrolment.id):
            archive.writestr(name, text)  # each stage's signed credential and its badge
    report(100, "Ready")

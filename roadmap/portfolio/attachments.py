"""Attachments: checked by content, kept in the app's store (roadmap.storage) by SHA-256.

Files are part of what a supervisor signs (rule D8, content recipe 2). Adding a file to a
signed item is a change like any edit: the item becomes "changed since signed" and the
signature stays bound to the files it covered. A file that a signature covers can never be
removed; any other file can, by its candidate.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import IO, BinaryIO, Iterable, Optional, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import storage
from roadmap.accounts.models import User
from roadmap.audit.service import record
from roadmap.cohorts.models import Enrolment
from roadmap.db import utcnow
from roadmap.framework.models import EvidenceType
from roadmap.framework import definitions
from roadmap.lna.models import LearningNeedsAnalysis, LnaStatus
from roadmap.pid import check as pid_check
from roadmap.pid.finding import Finding
from roadmap.portfolio import doc_text
from roadmap.portfolio.content import recipe_of
from roadmap.portfolio.models import Attachment, Evidence, EvidenceStatus, EvidenceVersion
from roadmap.portfolio.uploads import (ACCEPTED, DOCX, UploadRefused, check, check_pdf,
                                      clean_filename, kept_name, sniff)
from roadmap.readers import service as readers
from roadmap.readers.models import Opened

__all__ = ["ACCEPTED", "DOCX", "MAX_BYTES", "AttachmentRefused", "NameMayIdentify", "add", "attach",
           "keeps_sent_analysis", "open_for", "remove", "signed_file_ids", "why_kept"]

MAX_BYTES = 10 * 1024 * 1024
AttachmentRefused = UploadRefused
log = logging.getLogger(__name__)


class NameMayIdentify(AttachmentRefused):
    """The file's name or its text may identify a patient (or its text could not be read):
    nothing was kept. `marked` is the name with what was found highlighted (None when the name
    is clean); `excerpts` are (kind, masked excerpt) from the file's text; the candidate
    changes the file, or confirms and attaches it again."""

    def __init__(self, message: str, marked: object = None,
                 excerpts: Optional[list[tuple[str, str]]] = None) -> None:
        super().__init__(message)
        self.marked = marked
        self.excerpts = excerpts or []


def content_findings(data: bytes) -> tuple[doc_text.DocumentText, list[tuple[str, list[Finding]]]]:
    """What the text inside a PDF or DOCX holds: the text read (bounded, see doc_text) and, for
    each piece with findings, (where, findings). Other files, and files the format check will
    refuse anyway, hold no text to read."""
    media_type = sniff(data)
    if media_type not in (doc_text.PDF, doc_text.DOCX):
        return doc_text.DocumentText(), []
    if media_type == doc_text.PDF:
        check_pdf(data)  # a broken or locked PDF is refused as before, not asked about
    read = doc_text.extract(data, media_type)
    return read, [(where, found) for where, text in read.pieces
                  if (found := pid_check.flagged({"text": text}).get("text"))]


def _content_words(read: doc_text.DocumentText, found: list[tuple[str, list[Finding]]],
                   confirmable: bool) -> tuple[str, list[tuple[str, str]]]:
    """The message and the masked excerpts for what was found inside the file."""
    texts = dict(read.pieces)
    shown = [(f"{kind}, {where}", words) for where, findings in found
             for kind, words in pid_check.excerpts(texts[where], findings)][:8]
    if read.unreadable:
        message = (f"We could not check the text inside this file for patient details: "
                   f"{read.unreadable}. Look through it yourself")
    elif not found:  # only part was read, and nothing found there: the rest is unchecked
        message = (f"We checked the first {doc_text.MAX_PAGES} pages of this file (or its first "
                   f"{doc_text.MAX_CHARS:,} characters of text) and found nothing that may "
                   f"identify a patient, but the file is longer and the rest was not checked. "
                   f"Look through the rest yourself")
    else:
        kinds = sorted({k for _, findings in found for k in pid_check.kinds(findings)})
        message = f"The text inside this file may identify a patient ({', '.join(kinds)})"
        if read.partial:
            message += " (only its first part was checked: it is long)"
        message += ": remove it from the file"
    return message + (" and attach it again, or tick the box to confirm that it identifies "
                      "nobody and attach it again" if confirmable else " and attach it again"), shown


def name_findings(filename: str) -> tuple[str, list[Finding]]:
    """The name as it is read for the check (its extension dropped, underscores and hyphens as
    spaces, so "letter_SW1A_1AA.pdf" reads "letter SW1A 1AA"), and what in it may identify a patient."""
    read = pid_check.file_name_words(filename)
    return read, pid_check.flagged({"filename": read}).get("filename", [])


def _touch(session: Session, evidence: Evidence) -> str:
    """The item changed: a new lock version (an assessor's open form goes stale) and, if it
    was signed, "changed since signed". Decided in the database, against its current status."""
    session.execute(
        sa.update(Evidence).where(Evidence.id == evidence.id)
        .values(status=sa.case((Evidence.status == EvidenceStatus.SIGNED.value,
                                EvidenceStatus.CHANGED_SINCE_SIGNED.value),
                               else_=Evidence.status),
                lock_version=Evidence.lock_version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False))
    session.refresh(evidence)
    return evidence.status


def add(session: Session, evidence: Evidence, actor: User, filename: str, data: bytes) -> Attachment:
    """Check a file (images decoded and re-encoded), keep it, and attach it to the item."""
    if not data:
        raise AttachmentRefused("The selected file is empty")
    if len(data) > MAX_BYTES:
        raise AttachmentRefused("The selected file must be smaller than 10 MB")
    kept = check(data)
    digest = hashlib.sha256(kept.data).hexdigest()
    try:
        storage.current().put(digest, kept.data)
    except storage.StorageError:
        log.exception("attachment %s could not be stored", digest)
        raise AttachmentRefused("The file could not be saved just now. Try again in a few "
                                "minutes") from None
    attachment = Attachment(evidence_id=evidence.id, filename=kept_name(filename, kept.media_type),
                            media_type=kept.media_type, size_bytes=len(kept.data), sha256=digest,
                            uploaded_by_id=actor.id)
    session.add(attachment)
    session.flush()
    status = _touch(session, evidence)
    record(session, "evidence.attachment_added", actor_id=actor.id, subject_type="evidence",
           subject_id=evidence.id, enrolment_id=evidence.enrolment_id,
           data={"attachment_id": attachment.id, "sha256": digest, "media_type": kept.media_type,
                 "size_bytes": len(kept.data), "status": status})
    return attachment


class Upload(Protocol):
    """What attach reads of an uploaded file (a request's FileStorage)."""

    filename: Optional[str]
    stream: IO[bytes]


def attach(session: Session, evidence: Evidence, actor: User, upload: Optional[Upload], *,
           pid_confirmed: Optional[bool] = None) -> Attachment:
    """An uploaded file added to the item, when its kind takes files and a file was chosen.

    A name that may identify a patient (a postcode, an NHS number...) is refused before
    anything is kept (NameMayIdentify) unless the candidate confirmed it identifies nobody;
    the confirmation is audited, kinds only. `pid_confirmed` None: the page offers no
    confirmation, so such a name can only be changed."""
    kind = session.get(EvidenceType, evidence.evidence_type_id)
    assert kind is not None
    if definitions.attachments_rule(kind) == "none":
        raise AttachmentRefused("This kind of evidence does not take attachments")
    if keeps_sent_analysis(session, evidence.id):
        raise AttachmentRefused("These are the files of the learning needs analysis you sent, "
                                "so no file can be added")
    if upload is None or not upload.filename:
        raise AttachmentRefused("Select a file to attach")
    read, found = name_findings(clean_filename(upload.filename))
    if found and not pid_confirmed:
        kinds = ", ".join(pid_check.kinds(found))
        raise NameMayIdentify(
            f"The file name may identify a patient ({kinds}): rename the file and attach it "
            + ("again" if pid_confirmed is None else
               "again, or tick the box to confirm that it identifies nobody and attach it again"),
            pid_check.marked({"filename": read}, {"filename": found})["filename"])
    # One byte past the limit is enough to refuse it, without reading a huge upload whole.
    data = upload.stream.read(MAX_BYTES + 1)
    inside, inside_found = content_findings(data) if 0 < len(data) <= MAX_BYTES else (
        doc_text.DocumentText(), [])
    # A file read only in part is never passed as checked: the rest is for the candidate to look
    # through and confirm, even when the part read held nothing (issue 22).
    if (inside_found or inside.unreadable or inside.partial) and not pid_confirmed:
        message, shown = _content_words(inside, inside_found, pid_confirmed is not None)
        raise NameMayIdentify(message, None, shown)
    added = add(session, evidence, actor, upload.filename, data)
    if found or inside_found or inside.unreadable or inside.partial:
        findings = pid_check.audit_data({"filename": found, **{
            f"content:{where}": items for where, items in inside_found}})["findings"]
        record(session, "evidence.attachment_pid_confirmed", actor_id=actor.id,
               subject_type="evidence", subject_id=evidence.id, enrolment_id=evidence.enrolment_id,
               data={"attachment_id": added.id, "findings": findings, **({
                   "content_unreadable": bool(inside.unreadable),
                   "content_partial": inside.partial}
                   if inside_found or inside.unreadable or inside.partial else {})})
    return added


def open_for(session: Session, reader: User, attachment: Attachment, evidence: Evidence,
             former: bool) -> Optional[BinaryIO]:
    """Note that the reader downloaded the file, and open it; None when the store has lost it."""
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    assert enrolment is not None
    readers.record(session, reader, enrolment, Opened.ATTACHMENT, former=former,
                   evidence_id=evidence.id, attachment_id=attachment.id, label=attachment.filename)
    try:  # streamed from the store in chunks, never read whole into memory
        return storage.current().open(attachment.sha256)
    except storage.MissingObject:
        return None


def signed_file_ids(session: Session, evidence_id: int, files: Iterable[Attachment]) -> set[int]:
    """Which of an item's files some signature covers.

    Recipe 2 lists them by id. A version signed before files were covered (recipe 1) is taken
    to cover the files that were there when it was signed: its signer saw them.
    """
    covered: set[int] = set()
    first_recipe_at: list[dt.datetime] = []
    for version in session.scalars(sa.select(EvidenceVersion).where(
            EvidenceVersion.evidence_id == evidence_id)):
        content = version.content or {}
        if recipe_of(content) >= 2:
            covered.update(f.get("id") for f in content.get("attachments", [])
                           if isinstance(f, dict))
        else:
            first_recipe_at.append(_aware(version.created_at))
    last = max(first_recipe_at, default=None)
    if last is not None:
        covered.update(f.id for f in files if _aware(f.uploaded_at) <= last)
    return covered


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive UTC times; PostgreSQL aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def keeps_sent_analysis(session: Session, evidence_id: int) -> bool:
    """True when the item keeps the files of a sent learning needs analysis, which never change."""
    return bool(session.scalar(sa.select(sa.exists().where(
        LearningNeedsAnalysis.files_evidence_id == evidence_id,
        LearningNeedsAnalysis.status != LnaStatus.DRAFT.value))))


def why_kept(session: Session, attachment: Attachment) -> Optional[str]:
    """Why a file cannot be removed, in the candidate's words; None when it can."""
    if attachment.id in signed_file_ids(session, attachment.evidence_id, [attachment]):
        return (f"“{clean_filename(attachment.filename)}” is part of what was signed, so it "
                "stays with the item: what a supervisor or assessor signed never changes")
    if keeps_sent_analysis(session, attachment.evidence_id):
        return (f"“{clean_filename(attachment.filename)}” is part of the learning needs "
                "analysis you sent, so it stays with the item")
    return None


def remove(session: Session, attachment: Attachment, evidence: Evidence, actor: User) -> None:
    """Take a file off an item, unless a signature covers it; audited.

    The stored bytes stay: the store is content-addressed, so the same bytes may belong to
    another item, and an upload of them may be under way.
    """
    refusal = why_kept(session, attachment)
    if refusal:
        raise AttachmentRefused(refusal)
    details = {"attachment_id": attachment.id, "filename": clean_filename(attachment.filename),
               "sha256": attachment.sha256, "media_type": attachment.media_type}
    session.delete(attachment)
    session.flush()
    status = _touch(session, evidence)
    record(session, "evidence.attachment_removed", actor_id=actor.id, subject_type="evidence",
           subject_id=evidence.id, enrolment_id=evidence.enrolment_id,
           data={**details, "status": status})

"""Attachments: checked by content, kept in the app's store (roadmap.storage) by SHA-256."""
from __future__ import annotations

import hashlib
import io
import logging
import os
import zipfile
from typing import Optional

from sqlalchemy.orm import Session

from roadmap import storage
from roadmap.accounts.models import User
from roadmap.audit.service import record
from roadmap.portfolio.models import Attachment, Evidence

MAX_BYTES = 10 * 1024 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACCEPTED = "PDF, PNG, JPEG or Word (DOCX)"
log = logging.getLogger(__name__)


class AttachmentRefused(ValueError):
    """The file cannot be attached; the message says why, in the candidate's words."""


def sniff(data: bytes) -> Optional[str]:
    """The media type the bytes really are, among those we accept; None for anything else."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return DOCX
    return None


def add(session: Session, evidence: Evidence, actor: User, filename: str, data: bytes) -> Attachment:
    """Check and keep a file, and attach it to the item."""
    if not data:
        raise AttachmentRefused("The selected file is empty")
    if len(data) > MAX_BYTES:
        raise AttachmentRefused("The selected file must be smaller than 10 MB")
    media_type = sniff(data)
    if media_type is None:
        raise AttachmentRefused(f"The selected file must be a {ACCEPTED} file")
    digest = hashlib.sha256(data).hexdigest()
    try:
        storage.current().put(digest, data)
    except storage.StorageError:
        log.exception("attachment %s could not be stored", digest)
        raise AttachmentRefused("The file could not be saved just now. Try again in a few "
                                "minutes") from None
    name = os.path.basename(filename.replace("\\", "/")).strip() or "attachment"
    attachment = Attachment(evidence_id=evidence.id, filename=name[:255], media_type=media_type,
                            size_bytes=len(data), sha256=digest, uploaded_by_id=actor.id)
    session.add(attachment)
    session.flush()
    record(session, "evidence.attachment_added", actor_id=actor.id, subject_type="evidence",
           subject_id=evidence.id, enrolment_id=evidence.enrolment_id,
           data={"attachment_id": attachment.id, "sha256": digest, "media_type": media_type,
                 "size_bytes": len(data)})
    return attachment

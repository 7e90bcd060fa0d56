"""Attachments: checked by content, stored outside the web root under their SHA-256."""
from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path
from typing import Optional

from flask import current_app
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.audit.service import record
from roadmap.portfolio.models import Attachment, Evidence

MAX_BYTES = 10 * 1024 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACCEPTED = "PDF, PNG, JPEG or Word (DOCX)"


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


def folder() -> Path:
    """Where files are kept: ATTACHMENT_DIR, or instance/attachments."""
    configured = current_app.config.get("ATTACHMENT_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "attachments"


def path_for(sha256: str, base: Optional[Path] = None) -> Path:
    """The file of a content hash, two levels deep so no folder grows too large."""
    return (base or folder()) / sha256[:2] / sha256


def _store(data: bytes, digest: str) -> None:
    target = path_for(digest)
    if target.exists():
        return  # the same content is already kept
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(f".{os.getpid()}.part")
    temporary.write_bytes(data)
    os.replace(temporary, target)


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
    _store(data, digest)
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

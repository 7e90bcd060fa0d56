"""Exactly what a signature covers: an item's content as canonical JSON, and its SHA-256.

The recipe is versioned inside the content itself, so the hash covers the recipe too: nobody
can mark a version as made by an older recipe without breaking its signature.
  1: type, title, date, template, answers and capability links (signatures before files counted);
  2: the same, with each attached file's id, name, media type and SHA-256 (current).
"""
from __future__ import annotations

from typing import Any, Iterable, Protocol

from roadmap.audit.service import canonical_json, sha256_hex
from roadmap.portfolio.models import Evidence

RECIPE = 2


class AttachedFile(Protocol):
    """What the content reads of an attachment (an Attachment row)."""

    id: int
    filename: str
    media_type: str
    sha256: str


def recipe_of(content: dict[str, Any]) -> int:
    """The recipe a frozen content was made with; anything unknown reads as the first."""
    return 2 if content.get("recipe") == 2 else 1


def signed_files(files: Iterable[AttachedFile]) -> list[dict[str, Any]]:
    """The files of an item as the content lists them, in a stable order (by id)."""
    return [{"id": f.id, "name": f.filename, "media_type": f.media_type, "sha256": f.sha256}
            for f in sorted(files, key=lambda f: f.id)]


def evidence_content(evidence: Evidence, evidence_type_code: str,
                     capability_codes: Iterable[str], files: Iterable[AttachedFile] = (),
                     recipe: int = RECIPE) -> dict[str, Any]:
    """The signable content of an item: its type, title, date, template, answers, links, files."""
    content: dict[str, Any] = {
        "evidence_id": evidence.id,
        "type": evidence_type_code,
        "title": evidence.title,
        "occurred_on": evidence.occurred_on.isoformat() if evidence.occurred_on else None,
        "template": evidence.template_code,
        "fields": evidence.fields,
        "capabilities": sorted(capability_codes, key=lambda code: (len(code), code)),
    }
    if recipe >= 2:
        content.update(recipe=2, attachments=signed_files(files))
    return content


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of signable content."""
    return sha256_hex(canonical_json(content))

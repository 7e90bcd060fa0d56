"""Exactly what a signature covers: an item's content as canonical JSON, and its SHA-256."""
from __future__ import annotations

from typing import Any, Iterable

from roadmap.audit.service import canonical_json, sha256_hex
from roadmap.portfolio.models import Evidence


def evidence_content(evidence: Evidence, evidence_type_code: str,
                     capability_codes: Iterable[str]) -> dict[str, Any]:
    """The signable content of an item: its type, title, date, template, answers and links."""
    return {
        "evidence_id": evidence.id,
        "type": evidence_type_code,
        "title": evidence.title,
        "occurred_on": evidence.occurred_on.isoformat() if evidence.occurred_on else None,
        "template": evidence.template_code,
        "fields": evidence.fields,
        "capabilities": sorted(capability_codes, key=lambda code: (len(code), code)),
    }


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of signable content."""
    return sha256_hex(canonical_json(content))

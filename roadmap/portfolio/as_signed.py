"""An item as one signer signed it: what a former supervisor may still read, and nothing newer."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional, Sequence, TypeVar

from roadmap.portfolio.models import Evidence, EvidenceVersion

T = TypeVar("T")


@dataclass(frozen=True)
class SignedItem:
    """The fields an item's page shows, taken from a frozen version instead of the live item."""

    id: int
    enrolment_id: int
    evidence_type_id: int
    title: str
    occurred_on: Optional[dt.date]
    template_code: Optional[str]
    fields: dict[str, Any]
    capability_codes: tuple[str, ...]
    status: str
    submitted_to_id: Optional[int]
    submitted_at: Optional[dt.datetime]
    signed_at: dt.datetime
    version_number: int


def as_signed(evidence: Evidence, version: EvidenceVersion, signed_at: dt.datetime) -> SignedItem:
    """The item exactly as the version froze it, whatever the candidate changed since."""
    content = version.content or {}
    occurred = content.get("occurred_on")
    return SignedItem(
        id=evidence.id, enrolment_id=evidence.enrolment_id,
        evidence_type_id=evidence.evidence_type_id, title=content.get("title", evidence.title),
        occurred_on=dt.date.fromisoformat(occurred) if occurred else None,
        template_code=content.get("template"), fields=content.get("fields") or {},
        capability_codes=tuple(content.get("capabilities") or ()), status="signed",
        submitted_to_id=evidence.submitted_to_id, submitted_at=evidence.submitted_at,
        signed_at=signed_at, version_number=version.number)


def until(rows: Sequence[T], moment: dt.datetime, attribute: str) -> list[T]:
    """The rows (files, comments) that already existed at the moment."""
    return [row for row in rows if getattr(row, attribute) <= moment]


def narrow(page: dict[str, Any], capabilities: Sequence[Any], version: EvidenceVersion,
           signed_at: dt.datetime) -> dict[str, Any]:
    """An item page's parts cut back to one signature: the version, files and comments then."""
    item = as_signed(page["evidence"], version, signed_at)
    return {**page, "evidence": item, "signed": version,
            "files": until(page["files"], signed_at, "uploaded_at"),
            "comments": until(page["comments"], signed_at, "created_at"),
            "linked": [c for c in capabilities if c.code in item.capability_codes],
            "history": [(v, sigs) for v, sigs in page["history"] if v.number <= version.number]}

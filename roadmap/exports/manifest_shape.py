"""The form of signatures.json's manifest, checked before anything in it is used.

A file's manifest is only trusted once its signature holds, but even a forged one is read: its
claims are shown (as not to be trusted) and the service looks up the verification codes it
names. So before that, every value the check and the service's comparison read must be of the
kind the service writes, and the lists no longer than any portfolio's: an outsider's forged
manifest gave 500 pages (a number where a list was, a list where an id was) and one with 20,000
stages kept a request busy for minutes. A manifest of another form is not intact, and nothing
more is read from it.
"""
from __future__ import annotations

from typing import Any, Optional

from jsonschema import Draft202012Validator

MAX_STAGES = 20  # a roadmap has two
MAX_SIGNED = 20_000  # signed versions: the 200-item portfolio has a few hundred
MAX_PAGES = 1_500  # as pdffile.MAX_PAGES
TEXT = {"type": ["string", "null"], "maxLength": 100_000}
NUMBER = {"type": ["integer", "null"]}
OBJECT = {"type": ["object", "null"]}
LIST = {"type": ["array", "null"], "maxItems": 1_000}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["format", "version"],
    "properties": {
        "format": {"type": "string"},
        "version": {"type": "integer", "minimum": 1, "maximum": 1_000},
        "exported_at": TEXT,
        "candidate": {"type": ["object", "null"], "properties": {"name": TEXT}},
        "enrolment_id": NUMBER,
        "framework": OBJECT,
        "data_sha256": TEXT,
        "signed_items": {"type": ["array", "null"], "maxItems": MAX_SIGNED, "items": {
            "type": "object", "required": ["evidence_id", "version"],
            "properties": {"evidence_id": {"type": "integer"}, "version": {"type": "integer"},
                           "title": TEXT, "content_hash": TEXT, "signatures": LIST}}},
        "stages": {"type": ["array", "null"], "maxItems": MAX_STAGES, "items": {
            "type": "object",
            "properties": {"code": TEXT, "name": TEXT, "status": TEXT, "completed_at": TEXT,
                           "verification_code": TEXT, "content_hash": TEXT,
                           "signatures": LIST, "approvals": LIST}}},
        "audit_head": {"type": ["object", "null"], "required": ["id", "hash"],
                       "properties": {"id": {"type": "integer"}, "hash": {"type": "string"}}},
        "pages": {"type": ["array", "null"], "maxItems": MAX_PAGES,
                  "items": {"type": "string"}},
        "title": TEXT,
        "lang": TEXT,
        "resources": {"type": ["array", "null"], "maxItems": MAX_PAGES,
                      "items": {"type": "string"}},
        "properties": OBJECT,
        "outline": TEXT,
        "structure": OBJECT,
        "made_by": {"type": ["object", "null"], "properties": {
            "info": TEXT, "xmp": {**LIST, "items": TEXT}, "history": {**LIST, "items": TEXT},
            "creator": {**LIST, "items": TEXT}, "created": {**LIST, "items": TEXT}}},
    },
}
_VALIDATOR = Draft202012Validator(SCHEMA)


def problem(manifest: Any) -> Optional[str]:
    """Why the manifest is not of the form the service writes, in words; None when it is."""
    error = next(iter(sorted(_VALIDATOR.iter_errors(manifest), key=lambda e: list(e.path))), None)
    if error is None:
        return None
    where = "/".join(str(part) for part in error.path) or "the whole"
    return (f"The embedded signed record (signatures.json) is not in the form the service "
            f"writes (at “{where[:80]}”): it has been changed since the file was made.")

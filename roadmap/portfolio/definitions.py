"""Reading an evidence type's form definition: its sections, fields, scales and free text."""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Optional

from roadmap.framework.models import EvidenceType, FrameworkVersion

CANDIDATE = "candidate"
TEXT_KINDS = {"text", "textarea"}


def templates(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternative layouts the candidate chooses from (empty when the type has none)."""
    return list(definition.get("templates") or [])


def template_named(definition: dict[str, Any], code: Optional[str]) -> Optional[dict[str, Any]]:
    """The template with a code, or None."""
    return next((t for t in templates(definition) if t["code"] == code), None)


def sections(definition: dict[str, Any], template_code: Optional[str],
             parties: Optional[Iterable[str]] = None) -> list[dict[str, Any]]:
    """The form: the common sections, then the chosen template's, limited to some parties."""
    found = list(definition.get("sections") or [])
    chosen = template_named(definition, template_code)
    if chosen is not None:
        found += chosen.get("sections") or []
    if parties is not None:
        wanted = set(parties)
        found = [s for s in found if s.get("completed_by") in wanted]
    return found


def fields(definition: dict[str, Any], template_code: Optional[str],
           parties: Optional[Iterable[str]] = None) -> list[dict[str, Any]]:
    """Every field of the chosen sections, in order."""
    return [f for s in sections(definition, template_code, parties) for f in s.get("fields", [])]


def is_free_text(field: dict[str, Any]) -> bool:
    """True for the fields checked for patient-identifiable data (rule D9)."""
    if field["kind"] not in TEXT_KINDS:
        return False
    return field.get("free_text", True) is not False or field["kind"] == "textarea"


def scales(version: FrameworkVersion) -> dict[str, dict[str, Any]]:
    """The framework's rating scales by code."""
    return {scale["code"]: scale for scale in version.document.get("scales", [])}


def capability_scale(version: FrameworkVersion) -> dict[str, Any]:
    """The scale capability headings are rated on (rule D4)."""
    return scales(version)[version.document["capability_scale"]]


def choices(field: dict[str, Any], scale_table: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """(code, label) pairs of a choice or rating field."""
    if field["kind"] == "rating":
        return [(lv["code"], lv["label"]) for lv in scale_table[field["scale"]]["levels"]]
    return [(o["code"], o["label"]) for o in field.get("options") or []]


def short_name(evidence_type: EvidenceType) -> str:
    """The type's short name when it has one, else its name."""
    return evidence_type.definition.get("short_name") or evidence_type.name


def attachments_rule(evidence_type: EvidenceType) -> str:
    """none, optional or required."""
    return evidence_type.definition.get("attachments") or "optional"


def display_answer(spec: dict[str, Any], answers: dict[str, Any],
                   scale_table: dict[str, dict[str, Any]]) -> Any:
    """An answer as a page shows it: safe Markdown for text, labels for codes; None if blank."""
    from roadmap.portfolio.markdown import render
    from roadmap.clock import long_date

    value = answers.get(spec["code"])
    if value in (None, "", []):
        return None
    if spec["kind"] in TEXT_KINDS:
        return render(str(value))
    if spec["kind"] == "date":
        try:
            return long_date(dt.date.fromisoformat(value))
        except (TypeError, ValueError):
            return str(value)
    labels = dict(choices(spec, scale_table)) if spec["kind"] != "number" else {}
    if isinstance(value, list):
        return ", ".join(labels.get(v, str(v)) for v in value)
    return labels.get(value, str(value))

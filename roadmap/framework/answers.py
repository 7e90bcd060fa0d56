"""Check answers against an evidence form's definition: the rules of the form, without HTTP."""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Optional

from roadmap.fields import DATE_RANGE_MESSAGE, date_in_range


def sections(definition: dict[str, Any], template: Optional[str]) -> list[dict[str, Any]]:
    """The form's sections in order: the common ones, then the chosen template's."""
    chosen = list(definition.get("sections", []))
    for candidate in definition.get("templates", []):
        if candidate["code"] == template:
            chosen += candidate["sections"]
    return chosen


def fields_for(definition: dict[str, Any], template: Optional[str],
               parties: Iterable[str]) -> list[dict[str, Any]]:
    """Every field in the sections the given parties complete."""
    wanted = set(parties)
    return [field for section in sections(definition, template)
            if section["completed_by"] in wanted for field in section["fields"]]


def scale_levels(document: dict[str, Any]) -> dict[str, list[str]]:
    """Each scale's level codes, from a framework document."""
    return {scale["code"]: [level["code"] for level in scale["levels"]]
            for scale in document.get("scales", [])}


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def check(fields: list[dict[str, Any]], answers: dict[str, Any],
          scales: dict[str, list[str]]) -> dict[str, str]:
    """Problems by field code, as messages to show beside the field; empty when all is well."""
    problems: dict[str, str] = {}
    for field in fields:
        code, value, label = field["code"], answers.get(field["code"]), field["label"]
        if _empty(value):
            if field.get("required"):
                problems[code] = f"Answer: {label}"
            continue
        problem = _check_value(field, value, scales)
        if problem:
            problems[code] = problem
    return problems


def _check_value(field: dict[str, Any], value: Any, scales: dict[str, list[str]]) -> Optional[str]:
    kind = field["kind"]
    options = {option["code"] for option in field.get("options", [])}
    if kind in ("text", "textarea"):
        if not isinstance(value, str):
            return "Enter text"
        limit = field.get("max_words")
        if limit and len(value.split()) > limit:
            return f"Use {limit} words or fewer (you have {len(value.split())})"
    elif kind in ("select", "radios"):
        if value not in options:
            return "Choose one of the options"
    elif kind == "checkboxes":
        if not isinstance(value, list) or not set(value) <= options:
            return "Choose from the options"
    elif kind == "rating":
        if value not in scales.get(field["scale"], []):
            return "Choose a rating from the scale"
    elif kind == "date":
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            return "Enter a real date"
        if not date_in_range(day):
            return DATE_RANGE_MESSAGE
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "Enter a number"
        if field.get("min") is not None and value < field["min"]:
            return f"Enter a number of {field['min']} or more"
        if field.get("max") is not None and value > field["max"]:
            return f"Enter a number of {field['max']} or less"
    return None

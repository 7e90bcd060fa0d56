"""The analysis as the framework defines it: its form, and the requirements earlier study meets."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from roadmap.framework import strengths

# Checks earlier study cannot meet: they are judged, rated or signed in this portfolio itself.
NOT_CREDITABLE = frozenset({"requires_stage", "self_ratings", "supervisor_ratings",
                            "external_reviewed", "declarations"})
_LABELS = {"evidence_per_heading": "Evidence for every capability heading",
           "wpba_pace": "Workplace-based assessments at the expected pace",
           "msf": "Multi-source feedback", "psq": "Patient questionnaire"}


@dataclass(frozen=True)
class Requirement:
    """A check of the analysis's stage that a confirmer may credit: its code and its name."""

    code: str
    label: str


def of(document: dict[str, Any]) -> Optional[dict[str, Any]]:
    """The framework's learning needs analysis (title, stage, evidence type, sections), if any."""
    return document.get("lna")


def stage(document: dict[str, Any]) -> dict[str, Any]:
    """The stage the analysis credits (the framework's checks make sure it exists)."""
    code = (of(document) or {}).get("stage")
    return next((s for s in document.get("stages", []) if s["code"] == code),
                {"code": code, "name": code, "requirements": {}})


def label(requirements: dict[str, Any], code: str) -> str:
    """A requirement in words, as the stage's checklist names it."""
    family, _, module = code.partition(":")
    if family == "elearning":
        found = next((m for m in requirements.get("required_elearning") or []
                      if m["code"] == module), None)
        return f"Certificate: {found['title']}" if found else code
    return _LABELS.get(family, code)


def creditable(document: dict[str, Any]) -> list[Requirement]:
    """The stage's requirements earlier study may meet, in checklist order; none without an LNA."""
    if of(document) is None:
        return []
    requirements = stage(document)["requirements"]
    return [Requirement(code, label(requirements, code))
            for code in strengths.stage_checks(requirements)
            if code.split(":", 1)[0] not in NOT_CREDITABLE]

"""Which checks a stage makes, how strong each is, and who approves the stage (rules D10, D11).

Everything here reads a stage's requirements as stored (plain data), so the checklist, the
file checks and `framework show` share one answer. From schema_version 2 on, requirements carry
`strengths` and `approvals`; a version 1 stage has neither, and keeps what it always meant:
every check a gate, the candidate then the supervisor approve (D1).
"""
from __future__ import annotations

from typing import Any

GATE, GUIDANCE = "gate", "guidance"
STRENGTHS = (GATE, GUIDANCE)
PARTIES = ("candidate", "supervisor", "education_provider")
VERSION_1_APPROVALS = ("candidate", "supervisor")
# Every check code a strengths map may name. `elearning` covers every module of the stage;
# `elearning:<module>` one of them. `declarations` are always a gate (see roadmap.framework.checks).
CHECK_CODES = ("requires_stage", "elearning", "evidence_per_heading", "wpba_pace", "self_ratings",
               "supervisor_ratings", "msf", "psq", "external_reviewed", "declarations")


def has_strengths(requirements: dict[str, Any]) -> bool:
    """True for a stage written under schema_version 2 or later."""
    return requirements.get("strengths") is not None


def stage_checks(requirements: dict[str, Any]) -> list[str]:
    """The check codes a stage makes, in the order its checklist shows them.

    `external_reviewed` is the app's own check: the checklist shows it only while an external
    assessor's signature waits for a supervisor.
    """
    found = ["requires_stage"] if requirements.get("requires_stage") else []
    found += [f"elearning:{m['code']}" for m in requirements.get("required_elearning") or []]
    if requirements.get("min_evidence_per_capability"):
        found.append("evidence_per_heading")
    # Version 1 stages never had a WPBA pace check: adding one would add a gate to rules that
    # enrolments are already pinned to.
    if (has_strengths(requirements) and requirements.get("wpba_per_month")
            and requirements.get("expected_months")):
        found.append("wpba_pace")
    sign_off = requirements.get("sign_off") or {}
    if sign_off.get("every_capability_supportive"):
        found += ["self_ratings", "supervisor_ratings"]
    found += [kind for kind in ("msf", "psq") if requirements.get(kind)]
    found.append("external_reviewed")
    if sign_off.get("declarations"):
        found.append("declarations")
    return found


def strength(requirements: dict[str, Any], code: str) -> str:
    """gate or guidance for one check of a stage; a check the map does not name is a gate."""
    given = requirements.get("strengths")
    if given is None:
        return GATE
    if code in given:
        return str(given[code])
    return str(given.get(code.split(":", 1)[0], GATE))


def approvals(requirements: dict[str, Any]) -> list[str]:
    """The parties who approve the stage, in order."""
    return list(requirements.get("approvals") or VERSION_1_APPROVALS)


def described(requirements: dict[str, Any]) -> list[dict[str, str]]:
    """Each check of the stage with its strength, for `framework show` and other readers."""
    return [{"code": code, "strength": strength(requirements, code)}
            for code in stage_checks(requirements)]

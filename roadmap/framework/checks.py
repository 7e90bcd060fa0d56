"""Checks across the parts of a roadmap file, and validate(): schema first, then these."""
from __future__ import annotations

from typing import Any, Iterable, Optional

from pydantic import ValidationError

from roadmap.framework import strengths
from roadmap.framework.schema import (RESERVED_FIELD_CODES, EvidenceType, Framework, Requirements,
                                      Section, Stage)

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]  # where in the document, what is wrong


def _duplicates(items: Iterable[tuple[Loc, str]], what: str) -> list[Problem]:
    """A problem for every code seen before in the same list."""
    seen: set[str] = set()
    found: list[Problem] = []
    for loc, code in items:
        if code in seen:
            found.append(((*loc, "code"), f"duplicate {what} code {code!r}"))
        seen.add(code)
    return found


def _forms(loc: Loc, et: EvidenceType) -> list[list[tuple[Loc, Section]]]:
    """Each form a candidate can open: the common sections, plus one template's sections."""
    common = [((*loc, "sections", i), s) for i, s in enumerate(et.sections)]
    if not et.templates:
        return [common]
    return [common + [((*loc, "templates", t, "sections", i), s)
                      for i, s in enumerate(tpl.sections)]
            for t, tpl in enumerate(et.templates)]


def _check_evidence_type(loc: Loc, et: EvidenceType, scales: set[str],
                         capabilities: set[str]) -> list[Problem]:
    """Unique codes inside one form, and references to scales and capabilities that exist."""
    out = _duplicates((((*loc, "templates", i), t.code) for i, t in enumerate(et.templates)),
                      "template")
    if et.max_capabilities is not None and et.min_capabilities > et.max_capabilities:
        out.append(((*loc, "min_capabilities"),
                    "min_capabilities is greater than max_capabilities"))
    if et.rate_linked_capabilities and et.rate_linked_capabilities not in scales:
        out.append(((*loc, "rate_linked_capabilities"),
                    f"unknown scale {et.rate_linked_capabilities!r}"))
    out += [((*loc, "suggested_capabilities", i), f"unknown capability {c!r}")
            for i, c in enumerate(et.suggested_capabilities) if c not in capabilities]
    for sections in _forms(loc, et):
        out += _check_form(sections, scales, capabilities)
    # Common sections belong to every template's form: report what they hold once.
    return list(dict.fromkeys(out))


def _check_form(sections: list[tuple[Loc, Section]], scales: set[str],
                capabilities: set[str]) -> list[Problem]:
    """One form's sections: codes unique, no reserved field code, scales and headings known."""
    out = _duplicates(((sl, s.code) for sl, s in sections), "section")
    fields = [((*sl, "fields", j), f) for sl, s in sections for j, f in enumerate(s.fields)]
    out += _duplicates(((fl, f.code) for fl, f in fields), "field")
    for fl, f in fields:
        if f.code in RESERVED_FIELD_CODES:
            out.append(((*fl, "code"), f"{f.code!r} is given by the portfolio itself; "
                                       "choose another code"))
        if f.scale is not None and f.scale not in scales:
            out.append(((*fl, "scale"), f"unknown scale {f.scale!r}"))
        out += _duplicates((((*fl, "options", k), o.code) for k, o in enumerate(f.options)),
                           "option")
        out += [((*fl, "capabilities", k), f"unknown capability {c!r}")
                for k, c in enumerate(f.capabilities) if c not in capabilities]
    return out


def _check_lna(fw: Framework, scales: set[str], capabilities: set[str]) -> list[Problem]:
    """The learning needs analysis (D12): version 2, a known stage, a type that takes files."""
    lna = fw.lna
    if lna is None:
        return []
    if fw.schema_version == 1:
        return [(("lna",), "lna needs schema_version 2")]
    out: list[Problem] = []
    if lna.stage not in {s.code for s in fw.stages}:
        out.append((("lna", "stage"), f"unknown stage {lna.stage!r}"))
    kind = next((et for et in fw.evidence_types if et.code == lna.evidence_type), None)
    if kind is None:
        out.append((("lna", "evidence_type"), f"unknown evidence type {lna.evidence_type!r}"))
    elif kind.attachments == "none" or kind.templates:
        out.append((("lna", "evidence_type"), f"evidence type {kind.code!r} cannot keep the "
                                              "analysis's files: choose a type that takes "
                                              "attachments and has no templates"))
    sections = [(("lna", "sections", i), s) for i, s in enumerate(lna.sections)]
    out += [((*loc, "completed_by"), "the candidate completes the learning needs analysis")
            for loc, s in sections if s.completed_by != "candidate"]
    return out + _check_form(sections, scales, capabilities)


def _check_stage(loc: Loc, position: int, stage: Stage, fw: Framework,
                 capabilities: set[str]) -> list[Problem]:
    """References from a stage to stages, evidence types and capabilities; sensible thresholds."""
    req, rloc = stage.requirements, (*loc, "requirements")
    types = {et.code: et for et in fw.evidence_types}
    order = {s.code: i for i, s in enumerate(fw.stages)}
    out: list[Problem] = []
    if req.requires_stage is not None:
        if req.requires_stage == stage.code:
            out.append(((*rloc, "requires_stage"), "a stage cannot require itself"))
        elif req.requires_stage not in order:
            out.append(((*rloc, "requires_stage"), f"unknown stage {req.requires_stage!r}"))
        elif order[req.requires_stage] > position:
            out.append(((*rloc, "requires_stage"),
                        f"stage {req.requires_stage!r} comes later; a stage can only require "
                        "an earlier one"))
    out += _duplicates((((*rloc, "evidence_types", i), c)
                        for i, c in enumerate(req.evidence_types)), "evidence type")
    out += [((*rloc, "evidence_types", i), f"unknown evidence type {c!r}")
            for i, c in enumerate(req.evidence_types) if c not in types]
    out += [((*rloc, "capabilities", i), f"unknown capability {c!r}")
            for i, c in enumerate(req.capabilities or []) if c not in capabilities]
    accepted = set(req.evidence_types)
    if req.wpba_per_month and not any(types[c].is_wpba for c in accepted if c in types):
        out.append(((*rloc, "wpba_per_month"), "the stage accepts no WPBA evidence type"))
    if req.msf and req.msf.min_responses is None:
        out += [((*rloc, "msf", key), f"{key} needs min_responses")
                for key in ("min_clinical", "min_non_clinical") if getattr(req.msf, key)]
    elif req.msf and req.msf.min_clinical + req.msf.min_non_clinical > req.msf.min_responses:
        out.append(((*rloc, "msf"), f"min_clinical + min_non_clinical "
                                    f"({req.msf.min_clinical + req.msf.min_non_clinical}) is more "
                                    f"than min_responses ({req.msf.min_responses})"))
    refs = [((*rloc, key, "evidence_type"), rule.evidence_type)
            for key, rule in (("msf", req.msf), ("psq", req.psq)) if rule is not None]
    refs += [((*rloc, "required_elearning", i, "evidence_type"), m.evidence_type)
             for i, m in enumerate(req.required_elearning)]
    for ref_loc, code in refs:
        if code not in types:
            out.append((ref_loc, f"unknown evidence type {code!r}"))
        elif code not in accepted:
            out.append((ref_loc, f"evidence type {code!r} is not accepted by this stage"))
    out += _duplicates((((*rloc, "required_elearning", i), m.code)
                        for i, m in enumerate(req.required_elearning)), "e-learning")
    out += _duplicates((((*rloc, "sign_off", "declarations", i), d.code)
                        for i, d in enumerate(req.sign_off.declarations)), "declaration")
    if fw.schema_version == 1:
        return out + _version_1_only(rloc, req)
    return out + _strengths(rloc, req) + _approvals(rloc, req.approvals or [])


def _version_1_only(rloc: Loc, req: Requirements) -> list[Problem]:
    """A version 1 file keeps its old shape: minimums written out, no strengths or approvals."""
    out: list[Problem] = [((*rloc, key), f"{key} needs schema_version 2")
                          for key in ("strengths", "approvals") if getattr(req, key) is not None]
    out += [((*rloc, kind, "min_responses"), "field required")
            for kind, rule in (("msf", req.msf), ("psq", req.psq))
            if rule is not None and rule.min_responses is None]
    return out


def _strengths(rloc: Loc, req: Requirements) -> list[Problem]:
    """Every code in the strengths map names a check this stage makes (rule D10)."""
    made = strengths.stage_checks(req.model_dump(mode="json"))
    families = {code.split(":", 1)[0] for code in made}
    out: list[Problem] = []
    for code, value in (req.strengths or {}).items():
        loc = (*rloc, "strengths", code)
        family, _, module = code.partition(":")
        if family not in strengths.CHECK_CODES or (module and family != "elearning"):
            out.append((loc, f"unknown check code {code!r} ({', '.join(strengths.CHECK_CODES)})"))
        elif module and code not in made:
            out.append((loc, f"unknown e-learning module {module!r} in this stage"))
        elif family not in families:
            out.append((loc, f"this stage makes no {code!r} check"))
        elif code == "declarations" and value != strengths.GATE:
            out.append((loc, "declarations are always a gate: each party confirms what they sign"))
    return out


def _approvals(rloc: Loc, parties: list[str]) -> list[Problem]:
    """Each party once; the candidate, then the supervisor, then the education provider (D11)."""
    loc = (*rloc, "approvals")
    out = [((*loc, i), f"party {p!r} is listed twice")
           for i, p in enumerate(parties) if p in parties[:i]]
    if out:
        return out
    if parties[:2] != ["candidate", "supervisor"]:
        # The candidate's declarations come first and the supervisor signs off what they
        # declared; an education provider approves a stage its supervisor has signed off.
        out.append((loc, "a stage is approved by the candidate, then the supervisor, then "
                         "(optionally) the education provider, in that order"))
    return out


def cross_check(fw: Framework) -> list[Problem]:
    """Every check that spans more than one part of the document."""
    out = _duplicates(((("domains", i), d.code) for i, d in enumerate(fw.domains)), "domain")
    out += _duplicates(((("capabilities", i), c.code) for i, c in enumerate(fw.capabilities)),
                       "capability")
    out += _duplicates(((("scales", i), s.code) for i, s in enumerate(fw.scales)), "scale")
    out += _duplicates(((("stages", i), s.code) for i, s in enumerate(fw.stages)), "stage")
    out += _duplicates(((("evidence_types", i), e.code) for i, e in enumerate(fw.evidence_types)),
                       "evidence type")
    domains = {d.code for d in fw.domains}
    for i, cap in enumerate(fw.capabilities):
        if cap.domain not in domains:
            out.append((("capabilities", i, "domain"), f"unknown domain {cap.domain!r}"))
        out += _duplicates(((("capabilities", i, "outcomes", j), o.code)
                            for j, o in enumerate(cap.outcomes)), "outcome")
    used = {cap.domain for cap in fw.capabilities}
    out += [(("domains", i), f"domain {d.code!r} has no capabilities")
            for i, d in enumerate(fw.domains) if d.code not in used]
    scales = {s.code: s for s in fw.scales}
    for i, scale in enumerate(fw.scales):
        out += _duplicates(((("scales", i, "levels", j), lv.code)
                            for j, lv in enumerate(scale.levels)), "level")
    if fw.capability_scale not in scales:
        out.append((("capability_scale",), f"unknown scale {fw.capability_scale!r}"))
    else:
        supportive = [lv.supportive for lv in scales[fw.capability_scale].levels]
        if all(supportive) or not any(supportive):
            out.append((("capability_scale",), "the capability scale needs both supportive and "
                                               "non-supportive levels, or sign-off means nothing"))
    capabilities = {c.code for c in fw.capabilities}
    for i, et in enumerate(fw.evidence_types):
        out += _check_evidence_type(("evidence_types", i), et, set(scales), capabilities)
    for i, stage in enumerate(fw.stages):
        out += _check_stage(("stages", i), i, stage, fw, capabilities)
    return out + _check_lna(fw, set(scales), capabilities)


def validate(data: Any) -> tuple[Optional[Framework], list[Problem]]:
    """Validate parsed data: the framework, or the problems with their locations."""
    try:
        fw = Framework.model_validate(data)
    except ValidationError as error:
        return None, [(tuple(e["loc"]), _message(e)) for e in error.errors(include_url=False)]
    problems = cross_check(fw)
    return (None, problems) if problems else (fw, [])


def _message(error: Any) -> str:
    """Pydantic's message, worded for someone editing a data file."""
    if error["type"] == "missing":
        return "field required"
    if error["type"] == "extra_forbidden":
        return "unknown field (not part of the schema)"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")

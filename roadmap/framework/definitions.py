"""One reader of form definitions: an evidence type's sections and questions, its scales, and
how answers are asked, checked and shown (each kind's part is its entry in kinds.KINDS)."""
from __future__ import annotations

from typing import Any, Collection, Iterable, Optional

from wtforms import Field

from roadmap.framework.kinds import KINDS, Kind, Spec, question_field
from roadmap.framework.models import EvidenceType, FrameworkVersion

CANDIDATE = "candidate"
RESPONDENT = "respondent"
ASSESSOR = "assessor"
HEADING = "heading_"  # the answer code of a heading's grade: heading_<capability code>
GRADES_TITLE = "Grade for each capability heading"
# The longest answer an assessor (a supervisor, or a colleague through an emailed link) may
# type in one box: the limit of every other text a supervisor writes (a return, a dispute, a
# progress review), and of the provider's reasons. A candidate's own text may run longer.
ASSESSOR_LONGEST = 5000
Scales = dict[str, dict[str, Any]]  # a framework's rating scales by code
Headings = Iterable[tuple[str, str]]  # (code, title) of the headings an item is linked to


def templates(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternative layouts the candidate chooses from (empty when the type has none)."""
    return list(definition.get("templates") or [])


def template_named(definition: dict[str, Any], code: Optional[str]) -> Optional[dict[str, Any]]:
    """The template with a code, or None."""
    return next((t for t in templates(definition) if t["code"] == code), None)


def heading_grades(definition: dict[str, Any], headings: Headings) -> list[Spec]:
    """One required grade per heading the candidate tagged, when the type says the assessor
    grades each (`rate_linked_capabilities` names the scale); none otherwise.

    The grades are questions like any other, kept in the item's answers under
    `heading_<code>`, so they are signed, shown and printed with the rest of the form.
    """
    scale = definition.get("rate_linked_capabilities")
    if not scale:
        return []
    return [{"code": HEADING + code, "label": f"{code}. {title}", "kind": "rating",
             "scale": scale, "required": True, "capability": code,
             "required_message": f"Grade {code}. {title}"}
            for code, title in headings]


def sections(definition: dict[str, Any], template_code: Optional[str],
             parties: Optional[Iterable[str]] = None,
             headings: Optional[Headings] = None,
             skip: Collection[str] = ()) -> list[dict[str, Any]]:
    """The form: the common sections, then the chosen template's, limited to some parties,
    without the sections whose codes are in `skip`.

    Given the headings the candidate tagged, a type whose assessor grades each heading gets
    a section of those grades, before the assessor's other questions.
    """
    found = list(definition.get("sections") or [])
    chosen = template_named(definition, template_code)
    if chosen is not None:
        found += chosen.get("sections") or []
    graded = heading_grades(definition, headings or [])
    if graded:
        at = next((i for i, s in enumerate(found) if s.get("completed_by") == ASSESSOR),
                  len(found))
        found.insert(at, {"code": "heading_grades", "title": GRADES_TITLE,
                          "completed_by": ASSESSOR, "fields": graded})
    if parties is not None:
        wanted = set(parties)
        found = [s for s in found if s.get("completed_by") in wanted]
    return [s for s in found if s.get("code") not in skip]


def fields(definition: dict[str, Any], template_code: Optional[str],
           parties: Optional[Iterable[str]] = None,
           headings: Optional[Headings] = None, skip: Collection[str] = ()) -> list[Spec]:
    """Every question of the chosen sections, in order; the assessor's typed answers have
    their own, shorter limit (ASSESSOR_LONGEST)."""
    return [_limited(f, s.get("completed_by"))
            for s in sections(definition, template_code, parties, headings, skip)
            for f in s.get("fields", [])]


def _limited(spec: Spec, party: Optional[str]) -> Spec:
    if party == ASSESSOR and KINDS[spec["kind"]].text and "longest" not in spec:
        return {**spec, "longest": ASSESSOR_LONGEST}
    return spec


def on_results(definition: dict[str, Any], template_code: Optional[str]) -> frozenset[str]:
    """The candidate's sections about respondents' results (an MSF or PSQ reflection): those
    after a respondents' section. They can only be answered once the results are out."""
    seen, found = False, set()
    for section in sections(definition, template_code):
        if section.get("completed_by") == RESPONDENT:
            seen = True
        elif seen and section.get("completed_by") == CANDIDATE:
            found.add(section["code"])
    return frozenset(found)


def label_for(spec: Spec, own: bool) -> str:
    """A question's label for its reader: as written ("What you took from it") to the person
    whose answer it is, and in the third person (the framework's `read_label`, when it has
    one) to everyone else, so a supervisor is not addressed as the candidate."""
    return spec["label"] if own else (spec.get("read_label") or spec["label"])


def kind(spec: Spec) -> Kind:
    """What the application does for this question's kind."""
    return KINDS[spec["kind"]]


def is_free_text(spec: Spec) -> bool:
    """True for the questions checked for patient-identifiable data (rule D9)."""
    found = kind(spec)
    return found.text and (spec.get("free_text", True) is not False or found.always_scanned)


def short_name(evidence_type: EvidenceType) -> str:
    """The type's short name when it has one, else its name."""
    return evidence_type.definition.get("short_name") or evidence_type.name


def attachments_rule(evidence_type: EvidenceType) -> str:
    """none, optional or required."""
    return evidence_type.definition.get("attachments") or "optional"


def scales(version: FrameworkVersion) -> Scales:
    """The framework's rating scales by code."""
    return {scale["code"]: scale for scale in version.document.get("scales", [])}


def scale_levels(document: dict[str, Any]) -> dict[str, list[str]]:
    """Each scale's level codes, from a framework document."""
    return {scale["code"]: [level["code"] for level in scale["levels"]]
            for scale in document.get("scales", [])}


def capability_levels(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The levels capability headings are rated on (rule D4), in order; `supportive` marked."""
    code = document.get("capability_scale")
    scale = next((s for s in document.get("scales") or [] if s.get("code") == code), {})
    return list(scale.get("levels") or [])


def choices(spec: Spec, scale_table: Scales) -> list[tuple[str, str]]:
    """(code, label) pairs of a question's options, or of its scale's levels."""
    if kind(spec).scale:
        levels = scale_table.get(spec["scale"], {}).get("levels", [])
        return [(lv["code"], lv["label"]) for lv in levels]
    return [(o["code"], o["label"]) for o in spec.get("options") or []]


def options(definition: dict[str, Any], code: str) -> list[tuple[str, str]]:
    """(code, label) pairs of the options of a question of the common sections, by its code."""
    spec = next((f for f in fields(definition, None) if f["code"] == code), None)
    return choices(spec, {}) if spec is not None else []


def display_answer(spec: Spec, answers: dict[str, Any], scale_table: Scales) -> Any:
    """An answer as a page shows it: safe Markdown for text, labels for codes; None if blank."""
    value = answers.get(spec["code"])
    if value in (None, "", []):
        return None
    return kind(spec).show(value, dict(choices(spec, scale_table)))


def printed(definition: dict[str, Any], template_code: Optional[str], answers: dict[str, Any],
            scale_table: Scales, headings: Optional[Headings] = None) -> list[dict[str, Any]]:
    """The sections as the PDF prints them: a title and (question, answer) rows, blanks left out."""
    found = []
    for section in sections(definition, template_code, None, headings):
        rows = [(spec["label"], display_answer(spec, answers, scale_table))
                for spec in section.get("fields", [])]
        found.append({"title": section.get("title", ""),
                      "rows": [(label, value) for label, value in rows if value is not None]})
    return found


def check(specs: list[Spec], answers: dict[str, Any],
          levels: dict[str, list[str]]) -> dict[str, str]:
    """Problems by question code, as messages to show beside it; empty when all is well.

    `levels` is scale_levels() of the framework: the codes a rating may take.
    """
    problems: dict[str, str] = {}
    for spec in specs:
        code, value = spec["code"], answers.get(spec["code"])
        if value is None or value == "" or value == []:
            if spec.get("required"):
                problems[code] = spec.get("required_message") or f"Answer: {spec['label']}"
            continue
        found = kind(spec)
        allowed = (levels.get(spec["scale"], []) if found.scale
                   else [o["code"] for o in spec.get("options") or []])
        problem = found.problem(spec, value, allowed)
        if problem:
            problems[code] = problem
    return problems


def form_field(spec: Spec, scale_table: Scales) -> Field:
    """The unbound WTForms field that asks a question."""
    return question_field(spec, choices(spec, scale_table))


def form_data(spec: Spec, value: Any) -> Any:
    """A kept answer as its form field's data."""
    return kind(spec).to_form(value)


def kept(spec: Spec, data: Any) -> Any:
    """A form field's data as the answer is kept: ISO dates, numbers, codes, lists, text."""
    return kind(spec).to_keep(data)

"""The roadmap files validate, and every kind of mistake is named by file, line and place."""
from __future__ import annotations

import copy
import functools
import re
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from roadmap.framework import strengths
from roadmap.framework.loader import LoadedFramework, read_file, read_path

ROOT = Path(__file__).resolve().parents[2]
MSK = ROOT / "capabilities" / "msk-fcp.yaml"
MSK_V1 = ROOT / "tests" / "data" / "frameworks" / "msk-fcp-v1.yaml"
MINI = ROOT / "tests" / "data" / "frameworks" / "mini" / "mini-dietetic.yaml"
# libyaml when available: these tests parse and write the large MSK file many times.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

MSK_DOMAINS = [
    ("A", "Person-centred approaches"),
    ("B", "Assessment, investigation and diagnosis"),
    ("C", "Condition management, interventions and prevention"),
    ("D", "Service and professional development"),
]
MSK_CAPABILITIES = [
    ("1", "Communication", "A"),
    ("2", "Person-centred care", "A"),
    ("3", "History-taking", "B"),
    ("4", "Physical assessment", "B"),
    ("5", "Investigations and diagnosis", "B"),
    ("6", "Prevention and lifestyle interventions", "C"),
    ("7", "Self-management and behaviour change", "C"),
    ("8", "Pharmacotherapy", "C"),
    ("9", "Injection therapy", "C"),
    ("10", "Surgical interventions", "C"),
    ("11", "Rehabilitative interventions", "C"),
    ("12", "Interventions and care planning", "C"),
    ("13", "Referrals and collaborative working", "C"),
    ("14", "Evidence-based practice and service development", "D"),
]


def load_ok(path: Path) -> LoadedFramework:
    """Read a file that must be valid."""
    outcome = read_file(path)
    assert not isinstance(outcome, list), "\n".join(outcome)
    return outcome


@functools.cache
def _msk_text_data() -> dict[str, Any]:
    return yaml.load(MSK.read_text(encoding="utf-8"), Loader=YAML_LOADER)


def msk_data() -> dict[str, Any]:
    """The shipped MSK file as plain data, a fresh copy to break."""
    return copy.deepcopy(_msk_text_data())


def write(tmp_path: Path, data: Any, name: str = "broken.yaml") -> Path:
    """Write data as YAML into a file of its own."""
    path = tmp_path / name
    path.write_text(yaml.dump(data, Dumper=YAML_DUMPER, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    return path


def item(items: list[dict[str, Any]], code: str) -> dict[str, Any]:
    """The list item with this code."""
    return next(entry for entry in items if str(entry["code"]) == code)


def field_of(data: dict[str, Any], type_code: str, field_code: str) -> dict[str, Any]:
    """A field of an evidence type's common sections."""
    evidence_type = item(data["evidence_types"], type_code)
    return next(f for s in evidence_type["sections"] for f in s["fields"]
                if f["code"] == field_code)


def stage_req(data: dict[str, Any], code: str) -> dict[str, Any]:
    """A stage's requirements."""
    return item(data["stages"], code)["requirements"]


# ---- the shipped files --------------------------------------------------------------------

def test_msk_file_is_valid_with_the_framework_structure() -> None:
    doc = load_ok(MSK).document
    assert doc.slug == "msk-fcp"
    assert [(d.code, d.title) for d in doc.domains] == MSK_DOMAINS
    assert [(c.code, c.title, c.domain) for c in doc.capabilities] == MSK_CAPABILITIES
    assert all(c.description and not c.outcomes for c in doc.capabilities)


def test_msk_version_1_stages_carry_the_roadmap_rules() -> None:
    doc = load_ok(MSK_V1).document
    assert doc.schema_version == 1
    stage1, stage2 = doc.stages
    assert (stage1.code, stage2.code) == ("stage1", "stage2")
    assert stage1.requirements.required_elearning
    assert all(m.example and m.evidence_type == "elearning_certificate"
               for m in stage1.requirements.required_elearning)
    req = stage2.requirements
    assert req.requires_stage == "stage1"
    assert (req.min_evidence_per_capability, req.wpba_per_month, req.expected_months) == (3, 2, 6)
    assert req.msf is not None and req.psq is not None
    assert (req.msf.min_responses, req.msf.min_clinical, req.msf.min_non_clinical) == (10, 5, 5)
    assert req.psq.min_responses == 34
    assert req.sign_off.every_capability_supportive
    scale = next(s for s in doc.scales if s.code == doc.capability_scale)
    assert [(lv.code, lv.supportive) for lv in scale.levels] == [
        ("insufficient_evidence", False), ("needs_further_development", False),
        ("capable", True), ("excellent", True)]


def test_version_1_means_what_it_meant() -> None:
    """Every check a gate, the candidate then the supervisor approve, the old stored shape."""
    doc = load_ok(MSK_V1).document
    for stage in doc.stages:
        stored = stage.requirements.model_dump(mode="json")
        assert "strengths" not in stored and "approvals" not in stored  # the same content hash
        assert {c["strength"] for c in strengths.described(stored)} == {"gate"}
        assert "wpba_pace" not in strengths.stage_checks(stored)
        assert strengths.approvals(stored) == ["candidate", "supervisor"]


def test_msk_version_2_gates_and_guidance() -> None:
    doc = load_ok(MSK).document
    assert doc.schema_version == 2
    stage1, stage2 = (s.requirements.model_dump(mode="json") for s in doc.stages)
    by_strength = {code: strengths.strength(stage2, code)
                   for code in strengths.stage_checks(stage2)}
    assert by_strength == {
        "requires_stage": "gate", "self_ratings": "gate", "supervisor_ratings": "gate",
        "declarations": "gate", "external_reviewed": "gate", "evidence_per_heading": "guidance",
        "wpba_pace": "guidance", "msf": "guidance", "psq": "guidance"}
    assert strengths.stage_checks(stage1) == [
        "elearning:pci_shared_decision_making", "elearning:pci_care_and_support_planning",
        "elearning:pci_social_prescribing", "elearning:pci_supported_self_management",
        "external_reviewed", "declarations"]
    assert [strengths.strength(stage1, c) for c in strengths.stage_checks(stage1)] == [
        "guidance"] * 4 + ["gate", "gate"]
    assert strengths.approvals(stage1) == ["candidate", "supervisor"]
    assert strengths.approvals(stage2) == ["candidate", "supervisor", "education_provider"]
    # D7: no respondent minimum by default; the GP-training figures stay a documented option.
    assert stage2["msf"]["min_responses"] is None and stage2["psq"]["min_responses"] is None
    text = MSK.read_text(encoding="utf-8")
    assert "# min_responses: 10" in text and "# min_responses: 34" in text
    assert (stage2["min_evidence_per_capability"], stage2["wpba_per_month"]) == (3, 2)


def test_version_2_defaults_every_unnamed_check_to_a_gate(tmp_path: Path) -> None:
    data = msk_data()
    del stage_req(data, "stage2")["strengths"]
    del stage_req(data, "stage2")["approvals"]
    stored = load_ok(write(tmp_path, data)).document.stages[1].requirements.model_dump(mode="json")
    assert stored["strengths"] == {} and stored["approvals"] == ["candidate", "supervisor"]
    assert {c["strength"] for c in strengths.described(stored)} == {"gate"}


def test_msk_evidence_forms() -> None:
    doc = load_ok(MSK).document
    types = {et.code: et for et in doc.evidence_types}
    assert set(types) == {"cot", "cbd", "mini_cex", "ceps_dops", "learning_log", "reflection",
                          "tutorial_record", "csr", "audit_qip", "elearning_certificate", "msf",
                          "psq", "pdp", "case_mix"}
    assert {code for code, et in types.items() if et.is_wpba} == {"cot", "cbd", "mini_cex",
                                                                  "ceps_dops"}
    assert {t.code for t in types["reflection"].templates} == {"gibbs", "what_so_what_now_what"}
    fields = [f for et in doc.evidence_types
              for s in et.sections + [s for t in et.templates for s in t.sections]
              for f in s.fields]
    assert all(f.free_text for f in fields if f.kind == "textarea")
    assert not any(f.free_text for f in fields if f.kind not in {"text", "textarea"})
    cot_sections = {s.code: s for s in types["cot"].sections}
    assert cot_sections["criteria"].completed_by == "assessor"
    assert len(cot_sections["criteria"].fields) == 13
    assert {s.completed_by for s in types["msf"].sections} == {"candidate", "respondent",
                                                              "assessor"}
    case_mix = {f.code: f for f in types["case_mix"].sections[0].fields}
    regions = {o.code for o in case_mix["body_region"].options}
    assert {"neck", "low_back", "shoulder", "knee", "foot_ankle", "multiple"} <= regions
    assert [o.code for o in case_mix["consultation_type"].options] == ["face_to_face", "telephone",
                                                                      "video"]
    assert {"self_management", "physiotherapy_referral", "secondary_care_referral",
            "imaging_request", "injection", "medication_review", "other"} <= {
        o.code for o in case_mix["outcomes"].options}
    # YAML 1.1 would read `no` as false; the loader keeps it a code.
    assert [o.code for o in case_mix["serious_pathology"].options] == ["no", "yes"]


def test_mini_framework_is_a_second_valid_roadmap() -> None:
    doc = load_ok(MINI).document
    assert doc.slug == "mini-dietetic"
    assert (len(doc.domains), len(doc.capabilities)) == (2, 3)
    assert doc.capabilities[0].outcomes[0].code == "1.a"


def test_the_capabilities_folder_reads_cleanly() -> None:
    result = read_path(ROOT / "capabilities")
    assert result.ok, result.problems
    assert [f.document.slug for f in result.frameworks] == ["msk-fcp"]


# ---- the content hash ---------------------------------------------------------------------

def test_hash_ignores_comments_layout_key_order_and_spelled_out_defaults(tmp_path: Path) -> None:
    original = load_ok(MSK).content_hash
    data = msk_data()
    data = dict(reversed(list(data.items())))  # key order
    data["domains"][0]["description"] += "\n"  # trimmed on reading
    field_of(data, "cot", "pc1")["free_text"] = False  # the default, spelled out
    path = tmp_path / "msk-fcp.yaml"
    path.write_text("# another comment\n\n" + yaml.safe_dump(data, indent=4), encoding="utf-8")
    assert load_ok(path).content_hash == original


def test_hash_changes_with_meaning(tmp_path: Path) -> None:
    data = msk_data()
    stage_req(data, "stage2")["psq"]["min_responses"] = 40
    assert load_ok(write(tmp_path, data)).content_hash != load_ok(MSK).content_hash


def test_codes_may_be_written_as_numbers(tmp_path: Path) -> None:
    data = msk_data()
    for capability in data["capabilities"]:
        capability["code"] = int(capability["code"])
    assert load_ok(write(tmp_path, data)).content_hash == load_ok(MSK).content_hash


# ---- malformed files ----------------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def _set(getter: Callable[[dict[str, Any]], dict[str, Any]], key: str, value: Any) -> Mutation:
    return lambda data: getter(data).__setitem__(key, value)


def _delete(getter: Callable[[dict[str, Any]], dict[str, Any]], key: str) -> Mutation:
    return lambda data: getter(data).pop(key)


def _no_supportive(data: dict[str, Any]) -> None:
    for level in item(data["scales"], "capability")["levels"]:
        level["supportive"] = False


def _empty_domain(data: dict[str, Any]) -> None:
    data["domains"].append({"code": "E", "title": "Nothing here"})


BROKEN: list[tuple[str, Mutation, str, str]] = [
    ("missing field", _delete(lambda d: d["capabilities"][3], "title"),
     'capabilities["4"].title', "field required"),
    ("missing top-level list", _delete(lambda d: d, "stages"), "stages", "field required"),
    ("unknown key", _set(lambda d: d["domains"][0], "colour", "red"),
     "domains[A].colour", "unknown field"),
    ("wrong type", _set(lambda d: stage_req(d, "stage2"), "min_evidence_per_capability", "three"),
     "stages[stage2].requirements.min_evidence_per_capability", "valid integer"),
    ("wrong type (bool)", _set(lambda d: item(d["evidence_types"], "cot"), "is_wpba", "yes"),
     "evidence_types[cot].is_wpba", "valid boolean"),
    ("unknown field kind",
     _set(lambda d: field_of(d, "cot", "presenting_problem"), "kind", "essay"),
     "evidence_types[cot].sections[consultation].fields[presenting_problem].kind", "'textarea'"),
    ("unknown completed_by", _set(lambda d: item(d["evidence_types"], "cbd")["sections"][0],
                                  "completed_by", "tutor"),
     "evidence_types[cbd].sections[case].completed_by", "'assessor'"),
    ("schema version", _set(lambda d: d, "schema_version", 3), "schema_version", "1 or 2"),
    ("bad slug", _set(lambda d: d, "slug", "MSK FCP"), "slug", "pattern"),
    ("code too long for its column", _set(lambda d: d["domains"][0], "code", "A" * 11),
     "domains[AAAAAAAAAAA].code", "at most 10"),
    ("duplicate domain code", _set(lambda d: d["domains"][1], "code", "A"),
     "domains[A].code", "duplicate domain code 'A'"),
    ("duplicate capability code", _set(lambda d: d["capabilities"][4], "code", "4"),
     'capabilities["4"].code', "duplicate capability code '4'"),
    ("duplicate evidence type code", _set(lambda d: d["evidence_types"][1], "code", "cot"),
     "evidence_types[cot].code", "duplicate evidence type code 'cot'"),
    ("duplicate stage code", _set(lambda d: d["stages"][1], "code", "stage1"),
     "stages[stage1].code", "duplicate stage code 'stage1'"),
    ("duplicate field code", _set(lambda d: field_of(d, "cot", "pc2"), "code", "pc1"),
     "evidence_types[cot].sections[criteria].fields[pc1].code", "duplicate field code 'pc1'"),
    ("duplicate option code", _set(lambda d: field_of(d, "case_mix", "body_region")["options"][1],
                                   "code", "neck"),
     "evidence_types[case_mix].sections[consultation].fields[body_region].options[neck].code",
     "duplicate option code 'neck'"),
    ("duplicate level code", _set(lambda d: item(d["scales"], "capability")["levels"][1],
                                  "code", "insufficient_evidence"),
     "scales[capability].levels[insufficient_evidence].code", "duplicate level code"),
    ("unknown domain", _set(lambda d: d["capabilities"][0], "domain", "Z"),
     'capabilities["1"].domain', "unknown domain 'Z'"),
    ("unknown capability", _set(lambda d: field_of(d, "cot", "pc1"), "capabilities", ["99"]),
     'evidence_types[cot].sections[criteria].fields[pc1].capabilities[0]',
     "unknown capability '99'"),
    ("unknown evidence type", _set(lambda d: stage_req(d, "stage1"), "evidence_types",
                                   ["reflection", "portfolio_review"]),
     "stages[stage1].requirements.evidence_types[1]", "unknown evidence type 'portfolio_review'"),
    ("unknown stage", _set(lambda d: stage_req(d, "stage2"), "requires_stage", "stage0"),
     "stages[stage2].requirements.requires_stage", "unknown stage 'stage0'"),
    ("unknown scale", _set(lambda d: field_of(d, "cot", "pc3"), "scale", "inec"),
     "evidence_types[cot].sections[criteria].fields[pc3].scale", "unknown scale 'inec'"),
    ("unknown capability scale", _set(lambda d: d, "capability_scale", "grades"),
     "capability_scale", "unknown scale 'grades'"),
    ("stage requires itself", _set(lambda d: stage_req(d, "stage2"), "requires_stage", "stage2"),
     "stages[stage2].requirements.requires_stage", "cannot require itself"),
    ("stage requires a later stage", _set(lambda d: stage_req(d, "stage1"), "requires_stage",
                                          "stage2"),
     "stages[stage1].requirements.requires_stage", "comes later"),
    ("negative threshold",
     _set(lambda d: stage_req(d, "stage2"), "min_evidence_per_capability", -1),
     "stages[stage2].requirements.min_evidence_per_capability", "greater than or equal to 1"),
    ("zero months", _set(lambda d: stage_req(d, "stage2"), "expected_months", 0),
     "stages[stage2].requirements.expected_months", "greater than or equal to 1"),
    ("absurd WPBA rate", _set(lambda d: stage_req(d, "stage2"), "wpba_per_month", 100),
     "stages[stage2].requirements.wpba_per_month", "less than or equal to 20"),
    ("MSF minimums exceed the total",
     _set(lambda d: stage_req(d, "stage2"), "msf", {"evidence_type": "msf", "min_responses": 10,
                                                    "min_clinical": 5, "min_non_clinical": 6}),
     "stages[stage2].requirements.msf", "(11) is more than min_responses (10)"),
    ("MSF group minimum without a total", _set(lambda d: stage_req(d, "stage2")["msf"],
                                               "min_clinical", 5),
     "stages[stage2].requirements.msf.min_clinical", "min_clinical needs min_responses"),
    ("version 1 without MSF minimum", _set(lambda d: d, "schema_version", 1),
     "stages[stage2].requirements.msf.min_responses", "field required"),
    ("version 1 with strengths", _set(lambda d: d, "schema_version", 1),
     "stages[stage2].requirements.strengths", "strengths needs schema_version 2"),
    ("version 1 with approvals", _set(lambda d: d, "schema_version", 1),
     "stages[stage1].requirements.approvals", "approvals needs schema_version 2"),
    ("unknown strength", _set(lambda d: stage_req(d, "stage2")["strengths"], "msf", "optional"),
     "stages[stage2].requirements.strengths.msf", "unknown strength 'optional' (gate, guidance)"),
    ("unknown check code", _set(lambda d: stage_req(d, "stage2")["strengths"], "portfolio",
                                "gate"),
     "stages[stage2].requirements.strengths.portfolio", "unknown check code 'portfolio'"),
    ("check the stage does not make", _set(lambda d: stage_req(d, "stage1")["strengths"], "msf",
                                           "guidance"),
     "stages[stage1].requirements.strengths.msf", "this stage makes no 'msf' check"),
    ("unknown e-learning module", _set(lambda d: stage_req(d, "stage1")["strengths"],
                                       "elearning:first_aid", "gate"),
     "stages[stage1].requirements.strengths.elearning:first_aid",
     "unknown e-learning module 'first_aid'"),
    ("declarations as guidance", _set(lambda d: stage_req(d, "stage2")["strengths"],
                                      "declarations", "guidance"),
     "stages[stage2].requirements.strengths.declarations", "always a gate"),
    ("unknown party", _set(lambda d: stage_req(d, "stage2"), "approvals",
                           ["candidate", "supervisor", "hub_lead"]),
     "stages[stage2].requirements.approvals[2]",
     "unknown party 'hub_lead' (candidate, supervisor, education_provider)"),
    ("party twice", _set(lambda d: stage_req(d, "stage2"), "approvals",
                         ["candidate", "supervisor", "supervisor"]),
     "stages[stage2].requirements.approvals[2]", "party 'supervisor' is listed twice"),
    ("approvals out of order", _set(lambda d: stage_req(d, "stage2"), "approvals",
                                    ["candidate", "education_provider", "supervisor"]),
     "stages[stage2].requirements.approvals", "in that order"),
    ("no approvals", _set(lambda d: stage_req(d, "stage1"), "approvals", []),
     "stages[stage1].requirements.approvals", "in that order"),
    ("PSQ of no responses", _set(lambda d: stage_req(d, "stage2")["psq"], "min_responses", 0),
     "stages[stage2].requirements.psq.min_responses", "greater than or equal to 1"),
    ("MSF type the stage does not accept", _set(lambda d: stage_req(d, "stage2")["msf"],
                                                "evidence_type", "pdp_missing"),
     "stages[stage2].requirements.msf.evidence_type", "unknown evidence type 'pdp_missing'"),
    ("WPBA rate without WPBA types", _set(lambda d: stage_req(d, "stage1"), "wpba_per_month", 1),
     "stages[stage1].requirements.wpba_per_month", "accepts no WPBA"),
    ("rating without scale", _delete(lambda d: field_of(d, "cot", "pc4"), "scale"),
     "evidence_types[cot].sections[criteria].fields[pc4]", "needs a scale"),
    ("select without options",
     _set(lambda d: field_of(d, "case_mix", "body_region"), "options", []),
     "evidence_types[case_mix].sections[consultation].fields[body_region]", "needs options"),
    ("textarea not free text", _set(lambda d: field_of(d, "cot", "presenting_problem"),
                                    "free_text", False),
     "evidence_types[cot].sections[consultation].fields[presenting_problem]", "always free text"),
    ("reserved field code", _set(lambda d: field_of(d, "pdp", "learning_need"), "code", "title"),
     "evidence_types[pdp].sections[item].fields[title].code", "given by the portfolio"),
    ("no supportive level", _no_supportive, "capability_scale", "supportive"),
    ("domain without capabilities", _empty_domain, "domains[E]", "has no capabilities"),
]


@pytest.mark.parametrize(("mutate", "path", "message"),
                         [pytest.param(m, p, msg, id=name) for name, m, p, msg in BROKEN])
def test_malformed_file_is_refused_naming_file_line_and_place(
        tmp_path: Path, mutate: Mutation, path: str, message: str) -> None:
    data = msk_data()
    mutate(data)
    file = write(tmp_path, data)
    outcome = read_file(file)
    assert isinstance(outcome, list), "the broken file was accepted"
    pattern = re.compile(rf"^{re.escape(str(file))}:\d+: {re.escape(path)}: .*{re.escape(message)}")
    assert any(pattern.search(line) for line in outcome), "\n".join(outcome)


def test_bad_yaml_gives_line_and_column(tmp_path: Path) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text("schema_version: 1\nslug: msk-fcp\ndomains:\n  - {code: A, title: x\n",
                    encoding="utf-8")
    (problem,) = read_file(file)  # type: ignore[misc]
    assert re.match(rf"^{re.escape(str(file))}:5:1: .*flow mapping", problem), problem


def test_duplicate_yaml_key_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "dup.yaml"
    file.write_text("schema_version: 1\nslug: a\nslug: b\n", encoding="utf-8")
    assert read_file(file) == [f"{file}:3:1: duplicate key 'slug'"]


def test_unhashable_yaml_key_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "odd.yaml"
    file.write_text("schema_version: 1\n? [a, b]\n: 1\n", encoding="utf-8")
    (problem,) = read_file(file)  # type: ignore[misc]
    assert problem.startswith(f"{file}:2:") and "unhashable key" in problem


@pytest.mark.parametrize(("text", "message"), [("", "the file is empty"),
                                               ("- a\n- b\n", "must hold one roadmap")])
def test_empty_or_shapeless_file(tmp_path: Path, text: str, message: str) -> None:
    file = tmp_path / "odd.yaml"
    file.write_text(text, encoding="utf-8")
    outcome = read_file(file)
    assert isinstance(outcome, list) and message in outcome[0] and outcome[0].startswith(str(file))


def test_folder_refuses_two_files_with_one_slug(tmp_path: Path) -> None:
    write(tmp_path, msk_data(), "a.yaml")
    write(tmp_path, msk_data(), "b.yaml")
    result = read_path(tmp_path)
    assert [f.source_path for f in result.frameworks] == [str(tmp_path / "a.yaml")]
    assert result.problems == [f"{tmp_path / 'b.yaml'}: slug: 'msk-fcp' is also the slug of "
                               f"{tmp_path / 'a.yaml'}; each roadmap needs its own slug"]


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    assert "no *.yaml roadmap files" in read_path(tmp_path).problems[0]
    assert "no such file or folder" in read_path(tmp_path / "nope").problems[0]


def test_paths_inside_the_working_folder_are_shown_relative(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert load_ok(Path("capabilities/msk-fcp.yaml")).source_path == "capabilities/msk-fcp.yaml"
    assert load_ok(MSK).source_path == "capabilities/msk-fcp.yaml"

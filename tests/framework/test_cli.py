"""`roadmap framework check|load|list|show`, and versions in the database (rule D1)."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.audit.models import AuditEvent
from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
from roadmap.framework.loader import read_file
from roadmap.framework.models import (Capability, Domain, EvidenceType, FrameworkVersion, Outcome,
                                      Stage)
from roadmap.framework.schema import Framework
from roadmap.framework.service import (FrameworkInvalid, latest_version, list_versions,
                                       load_into_db)

ROOT = Path(__file__).resolve().parents[2]
MSK = ROOT / "capabilities" / "msk-fcp.yaml"
MINI = ROOT / "tests" / "data" / "frameworks" / "mini" / "mini-dietetic.yaml"
MSK_V1 = ROOT / "tests" / "data" / "frameworks" / "msk-fcp-v1.yaml"
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
TABLES = (FrameworkVersion, Domain, Capability, Outcome, Stage, EvidenceType, AuditEvent)

MSK_CAPABILITIES = [
    ("1", "Communication"), ("2", "Person-centred care"), ("3", "History-taking"),
    ("4", "Physical assessment"), ("5", "Investigations and diagnosis"),
    ("6", "Prevention and lifestyle interventions"), ("7", "Self-management and behaviour change"),
    ("8", "Pharmacotherapy"), ("9", "Injection therapy"), ("10", "Surgical interventions"),
    ("11", "Rehabilitative interventions"), ("12", "Interventions and care planning"),
    ("13", "Referrals and collaborative working"),
    ("14", "Evidence-based practice and service development"),
]


def msk_data() -> dict[str, Any]:
    """The shipped MSK file as plain data."""
    return yaml.load(MSK.read_text(encoding="utf-8"), Loader=YAML_LOADER)


def write(folder: Path, data: Any, name: str) -> Path:
    """Write data as a YAML file in folder."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.dump(data, Dumper=YAML_DUMPER, sort_keys=False), encoding="utf-8")
    return path


def counts(session: Session) -> dict[str, int]:
    """Rows in every table a load writes to, read in a fresh transaction."""
    session.rollback()
    found = {model.__tablename__: session.scalar(sa.select(sa.func.count()).select_from(model))
             for model in TABLES}
    session.rollback()
    return found


def invoke(runner: Any, *args: str) -> Any:
    """Run `roadmap framework ...`."""
    return runner.invoke(args=["framework", *args])


def enrol(session: Session, version_id: int) -> Enrolment:
    """A candidate in a cohort, pinned to a framework version."""
    hub = TrainingHub(name="Test hub")
    candidate = User(email="candidate@example.nhs.uk", full_name="Test Candidate")
    session.add_all([hub, candidate])
    session.flush()
    cohort = Cohort(hub_id=hub.id, name="Spring")
    session.add(cohort)
    session.flush()
    enrolment = Enrolment(candidate_id=candidate.id, cohort_id=cohort.id,
                          framework_version_id=version_id, enrolled_on=dt.date(2026, 3, 2))
    session.add(enrolment)
    session.commit()
    return enrolment


# ---- check --------------------------------------------------------------------------------

def test_check_validates_the_capabilities_folder_by_default(runner: Any) -> None:
    result = invoke(runner, "check")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "ok: 1 roadmap(s) valid"


def test_check_reports_each_problem_on_its_own_line(runner: Any, tmp_path: Path) -> None:
    data = msk_data()
    del data["capabilities"][2]["title"]
    data["stages"][1]["requirements"]["expected_months"] = 0
    bad = write(tmp_path, data, "msk-fcp.yaml")
    result = invoke(runner, "check", str(tmp_path))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert re.fullmatch(rf'{re.escape(str(bad))}:\d+: capabilities\["3"\]\.title: field required',
                        lines[0])
    assert re.fullmatch(rf"{re.escape(str(bad))}:\d+: stages\[stage2\]\.requirements"
                        r"\.expected_months: .*greater than or equal to 1", lines[1])
    assert result.stdout == ""


def test_check_refuses_unknown_strengths_checks_and_parties(runner: Any, tmp_path: Path) -> None:
    data = msk_data()
    stage1, stage2 = (stage["requirements"] for stage in data["stages"])
    stage2["strengths"]["msf"] = "advisory"
    stage1["approvals"] = ["candidate", "supervisor", "employer"]
    bad = write(tmp_path, data, "msk-fcp.yaml")
    result = invoke(runner, "check", str(bad))
    assert result.exit_code == 1
    assert [re.sub(r":\d+:", ":N:", line) for line in result.stderr.strip().splitlines()] == [
        f"{bad}:N: stages[stage1].requirements.approvals[2]: unknown party 'employer' "
        "(candidate, supervisor, education_provider)",
        f"{bad}:N: stages[stage2].requirements.strengths.msf: unknown strength 'advisory' "
        "(gate, guidance)"]
    data = msk_data()
    data["stages"][1]["requirements"]["strengths"]["portfolio_complete"] = "gate"
    bad = write(tmp_path, data, "msk-fcp.yaml")
    result = invoke(runner, "check", str(bad))
    assert result.exit_code == 1
    assert re.fullmatch(rf"{re.escape(str(bad))}:\d+: stages\[stage2\]\.requirements\.strengths"
                        r"\.portfolio_complete: unknown check code 'portfolio_complete' \(.*\)",
                        result.stderr.strip())


# ---- load and show ------------------------------------------------------------------------

def test_load_then_show_lists_the_msk_structure(runner: Any, session: Session) -> None:
    result = invoke(runner, "load")
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"loaded msk-fcp version 1 \(hash [0-9a-f]{8}\)\n", result.stdout)
    shown = invoke(runner, "show", "msk-fcp", "--json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert (data["slug"], data["version"]) == ("msk-fcp", "1")
    assert [(d["code"], d["title"]) for d in data["domains"]] == [
        ("A", "Person-centred approaches"), ("B", "Assessment, investigation and diagnosis"),
        ("C", "Condition management, interventions and prevention"),
        ("D", "Service and professional development")]
    assert [(c["code"], c["title"]) for c in data["capabilities"]] == MSK_CAPABILITIES
    assert [(c["code"], c["title"]) for d in data["domains"]
            for c in d["capabilities"]] == MSK_CAPABILITIES
    assert [c["domain"] for c in data["capabilities"]] == list("AABBBCCCCCCCCD")
    assert [s["code"] for s in data["stages"]] == ["stage1", "stage2"]
    assert data["stages"][1]["requirements"]["min_evidence_per_capability"] == 3
    assert {e["code"] for e in data["evidence_types"] if e["is_wpba"]} == {
        "cot", "cbd", "mini_cex", "ceps_dops"}
    assert [lv["code"] for lv in data["rating_scale"] if lv["supportive"]] == ["capable",
                                                                               "excellent"]
    assert counts(session)["audit_events"] == 1
    event = session.scalars(sa.select(AuditEvent)).one()
    assert (event.action, event.data["slug"]) == ("framework.loaded", "msk-fcp")
    text = invoke(runner, "show", "msk-fcp")
    assert "14  Evidence-based practice and service development" in text.stdout


def test_show_gives_each_requirement_its_strength_and_the_approvals_in_order(
        runner: Any, tmp_path: Path) -> None:
    assert invoke(runner, "load").exit_code == 0
    stages = json.loads(invoke(runner, "show", "msk-fcp", "--json").stdout)["stages"]
    stage1, stage2 = stages
    assert stage2["checks"] == [
        {"code": "requires_stage", "strength": "gate"},
        {"code": "evidence_per_heading", "strength": "guidance"},
        {"code": "wpba_pace", "strength": "guidance"},
        {"code": "self_ratings", "strength": "gate"},
        {"code": "supervisor_ratings", "strength": "gate"},
        {"code": "msf", "strength": "guidance"},
        {"code": "psq", "strength": "guidance"},
        {"code": "external_reviewed", "strength": "gate"},
        {"code": "declarations", "strength": "gate"}]
    assert stage2["approvals"] == ["candidate", "supervisor", "education_provider"]
    assert stage1["approvals"] == ["candidate", "supervisor"]
    assert {c["code"]: c["strength"] for c in stage1["checks"]}[
        "elearning:pci_social_prescribing"] == "guidance"
    text = invoke(runner, "show", "msk-fcp").stdout
    assert ("  stage2: gates: requires_stage, self_ratings, supervisor_ratings, external_reviewed, "
            "declarations; guidance: evidence_per_heading, wpba_pace, msf, psq; approved by "
            "candidate, supervisor, education_provider") in text
    # A version 1 roadmap: every requirement a gate, the candidate then the supervisor.
    folder = tmp_path / "v1"
    folder.mkdir()
    shutil.copy(MSK_V1, folder / "msk-fcp.yaml")
    assert invoke(runner, "load", str(folder)).exit_code == 0
    old = json.loads(invoke(runner, "show", "msk-fcp", "--json", "--version", "2").stdout)
    assert [s["approvals"] for s in old["stages"]] == [["candidate", "supervisor"]] * 2
    assert {c["strength"] for s in old["stages"] for c in s["checks"]} == {"gate"}
    assert "wpba_pace" not in [c["code"] for c in old["stages"][1]["checks"]]
    assert old["stages"][1]["requirements"]["msf"]["min_responses"] == 10


def test_two_roadmaps_load_side_by_side(runner: Any, session: Session, tmp_path: Path) -> None:
    folder = tmp_path / "frameworks"
    folder.mkdir()
    shutil.copy(MSK, folder)
    shutil.copy(MINI, folder)
    result = invoke(runner, "load", str(folder))
    assert result.exit_code == 0, result.output
    assert [line.split(" (")[0] for line in result.stdout.splitlines()] == [
        "loaded mini-dietetic version 1", "loaded msk-fcp version 1"]  # files in name order
    mini = json.loads(invoke(runner, "show", "mini-dietetic", "--json").stdout)
    assert (len(mini["domains"]), len(mini["capabilities"])) == (2, 3)
    assert mini["domains"][0]["capabilities"][0]["outcomes"] == [
        {"code": "1.a", "text": "Uses a validated screening tool."}]
    assert counts(session)["capabilities"] == 14 + 3
    listed = invoke(runner, "list").stdout.splitlines()
    assert listed[0].split() == ["slug", "version", "hash", "loaded", "at", "(London)",
                                 "enrolments"]
    assert [line.split()[:2] for line in listed[1:]] == [["mini-dietetic", "1"], ["msk-fcp", "1"]]


def test_loading_unchanged_files_does_nothing(runner: Any, session: Session) -> None:
    assert invoke(runner, "load").exit_code == 0
    before = counts(session)
    again = invoke(runner, "load")
    assert again.exit_code == 0
    assert again.stdout.startswith("unchanged msk-fcp version 1 (hash ")
    assert counts(session) == before


def test_a_changed_file_adds_a_version_and_enrolments_stay_pinned(
        runner: Any, session: Session, tmp_path: Path) -> None:
    assert invoke(runner, "load").exit_code == 0
    first = latest_version(session, "msk-fcp")
    assert first is not None
    enrolment = enrol(session, first.id)
    data = msk_data()
    data["capabilities"][0]["outcomes"] = [{"code": "1.a", "text": "An outcome a hub added."}]
    changed = write(tmp_path, data, "msk-fcp.yaml")
    result = invoke(runner, "load", str(changed))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("loaded msk-fcp version 2 ")
    session.rollback()
    second = latest_version(session, "msk-fcp")
    assert second is not None and second.id != first.id
    pinned = session.get(Enrolment, enrolment.id)
    assert pinned is not None and pinned.framework_version_id == first.id
    assert [(s.version.version_label, s.enrolments) for s in list_versions(session)] == [
        ("1", 1), ("2", 0)]
    assert counts(session)["capabilities"] == 28 and counts(session)["outcomes"] == 1
    old = json.loads(invoke(runner, "show", "msk-fcp", "--json", "--version", "1").stdout)
    new = json.loads(invoke(runner, "show", "msk-fcp", "--json").stdout)
    assert old["domains"][0]["capabilities"][0]["outcomes"] == []
    assert new["domains"][0]["capabilities"][0]["outcomes"][0]["code"] == "1.a"
    listed = invoke(runner, "list").stdout.splitlines()
    assert [line.split()[-1] for line in listed[1:]] == ["1", "0"]
    reverted = invoke(runner, "load", str(MSK))
    assert reverted.exit_code == 0
    assert reverted.stdout.startswith("unchanged msk-fcp version 1 ")
    assert "the latest loaded is version 2" in reverted.stderr


def _bad_yaml(folder: Path) -> Path:
    path = folder / "broken.yaml"
    path.write_text("schema_version: 1\nslug: broken\ndomains: [\n", encoding="utf-8")
    return path


def _mutated(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        data = yaml.load(MINI.read_text(encoding="utf-8"), Loader=YAML_LOADER)
        change(data)
        return write(folder, data, "broken.yaml")
    return make


MALFORMED = [
    ("bad yaml", _bad_yaml, r":\d+:\d+: "),
    ("missing field", _mutated(lambda d: d["domains"][0].pop("title")),
     r":\d+: domains\[A\]\.title: field required"),
    ("wrong type", _mutated(lambda d: d["evidence_types"][0].__setitem__("is_wpba", "yes")),
     r":\d+: evidence_types\[cbd\]\.is_wpba: "),
    ("duplicate code", _mutated(lambda d: d["capabilities"][1].__setitem__("code", "1")),
     r':\d+: capabilities\["1"\]\.code: duplicate capability code'),
    ("unknown capability", _mutated(lambda d: d["capabilities"][2].__setitem__("domain", "Q")),
     r':\d+: capabilities\["3"\]\.domain: unknown domain'),
    ("unknown evidence type",
     _mutated(lambda d: d["stages"][0]["requirements"].__setitem__("evidence_types", ["log"])),
     r":\d+: stages\[stage1\]\.requirements\.evidence_types\[0\]: unknown evidence type 'log'"),
    ("unknown stage",
     _mutated(lambda d: d["stages"][1]["requirements"].__setitem__("requires_stage", "stage9")),
     r":\d+: stages\[stage2\]\.requirements\.requires_stage: unknown stage"),
    ("unknown scale",
     _mutated(lambda d: d["evidence_types"][0].__setitem__("rate_linked_capabilities", "x")),
     r":\d+: evidence_types\[cbd\]\.rate_linked_capabilities: unknown scale 'x'"),
    ("nonsensical threshold",
     _mutated(lambda d: d["stages"][1]["requirements"].__setitem__("wpba_per_month", -2)),
     r":\d+: stages\[stage2\]\.requirements\.wpba_per_month: "),
]


@pytest.mark.parametrize(("make", "place"), [pytest.param(m, p, id=n) for n, m, p in MALFORMED])
def test_a_malformed_file_stops_the_whole_load(runner: Any, session: Session, tmp_path: Path,
                                               make: Callable[[Path], Path], place: str) -> None:
    assert invoke(runner, "load").exit_code == 0
    before = counts(session)
    folder = tmp_path / "frameworks"
    changed = msk_data()
    changed["title"] = "A changed title that would make version 2"
    write(folder, changed, "msk-fcp.yaml")  # valid, but must not load beside a broken file
    broken = make(folder)
    result = invoke(runner, "load", str(folder))
    assert result.exit_code == 1
    assert re.search(rf"^{re.escape(str(broken))}{place}", result.stderr, re.M), result.stderr
    assert "nothing loaded" in result.stderr
    assert result.stdout == ""
    assert counts(session) == before


def test_load_into_db_refuses_a_document_that_fails_the_cross_checks(session: Session) -> None:
    loaded = read_file(MINI)
    assert not isinstance(loaded, list)
    data = loaded.document.model_dump()
    data["capabilities"][0]["domain"] = "Z"
    document = Framework.model_validate(data)  # passes the schema, not the cross-checks
    with pytest.raises(FrameworkInvalid, match="unknown domain 'Z'"):
        load_into_db(session, document, "mini.yaml")
    assert counts(session)["framework_versions"] == 0


def test_show_names_an_unknown_roadmap_or_version(runner: Any) -> None:
    missing = invoke(runner, "show", "nope")
    assert missing.exit_code == 1 and "no roadmap 'nope' is loaded" in missing.stderr
    assert invoke(runner, "load").exit_code == 0
    old = invoke(runner, "show", "msk-fcp", "--version", "7")
    assert old.exit_code == 1 and "version 7" in old.stderr


def test_list_with_nothing_loaded(runner: Any) -> None:
    result = invoke(runner, "list")
    assert result.exit_code == 0 and "no roadmap loaded yet" in result.stdout

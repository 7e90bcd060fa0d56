"""The analysis's form in the framework data: version 2 only, checked, read by one definition."""
from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import pytest
import yaml

from roadmap.framework.loader import read_file
from roadmap.lna import definition

ROOT = Path(__file__).resolve().parents[2]
MSK = ROOT / "capabilities" / "msk-fcp.yaml"
MSK_V1 = ROOT / "tests" / "data" / "frameworks" / "msk-fcp-v1.yaml"
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def _text(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)


def data(path: Path = MSK) -> dict[str, Any]:
    """A file as plain data, a fresh copy to break."""
    return copy.deepcopy(_text(path))


def problems(tmp_path: Path, broken: dict[str, Any]) -> list[str]:
    """What reading the broken file says, one line per problem."""
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.dump(broken, sort_keys=False), encoding="utf-8")
    outcome = read_file(path)
    assert isinstance(outcome, list), "the file was accepted"
    return outcome


def test_the_msk_roadmap_defines_its_analysis_and_what_it_may_credit() -> None:
    loaded = read_file(MSK)
    assert not isinstance(loaded, list), loaded
    document = loaded.document.model_dump(mode="json")
    lna = definition.of(document)
    assert (lna["stage"], lna["evidence_type"]) == ("stage1", "elearning_certificate")
    options = [o["code"] for o in lna["sections"][0]["fields"][0]["options"]]
    assert options == ["fcp_module", "masters_stage1", "stage1_elsewhere", "other"]
    assert [r.label for r in definition.creditable(document)] == [
        "Certificate: Shared decision making",
        "Certificate: Personalised care and support planning",
        "Certificate: Social prescribing and community-based support",
        "Certificate: Supported self-management"]


def test_a_file_without_an_analysis_keeps_its_content_hash() -> None:
    loaded = read_file(MSK_V1)
    assert not isinstance(loaded, list), loaded
    assert "lna" not in loaded.document.model_dump(mode="json")


def test_version_1_refuses_an_analysis(tmp_path: Path) -> None:
    broken = data(MSK_V1)
    broken["lna"] = data()["lna"]
    found = problems(tmp_path, broken)
    assert len(found) == 1 and found[0].endswith("lna: lna needs schema_version 2")


@pytest.mark.parametrize("change, message", [
    (lambda lna: lna.update(stage="stage9"), "lna.stage: unknown stage 'stage9'"),
    (lambda lna: lna.update(evidence_type="nothing"),
     "lna.evidence_type: unknown evidence type 'nothing'"),
    (lambda lna: lna.update(evidence_type="pdp"),
     "lna.evidence_type: evidence type 'pdp' cannot keep the analysis's files"),
    (lambda lna: lna["sections"][0].update(completed_by="assessor"),
     "lna.sections[prior_study].completed_by: the candidate completes the learning needs "
     "analysis"),
    (lambda lna: lna["sections"][0]["fields"].append(dict(lna["sections"][0]["fields"][1])),
     "lna.sections[prior_study].fields[details].code: duplicate field code 'details'"),
    (lambda lna: lna.update(owner="hub"), "lna.owner: unknown field (not part of the schema)"),
])
def test_mistakes_in_the_analysis_are_named_by_place(tmp_path: Path, change: Any,
                                                     message: str) -> None:
    broken = data()
    change(broken["lna"])
    found = problems(tmp_path, broken)
    assert any(message in line for line in found), found

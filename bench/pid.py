"""Measure the patient-identifier scanner (roadmap.pid) on the labelled corpus.

tests/data/pid_corpus.jsonl holds synthetic reflections with every identifier marked (kind and
span) and texts that identify nobody. A marked identifier is found when a finding of the same
kind overlaps it; a finding is right when it overlaps a marked identifier of its kind. The
figure a writer feels is the last one: the share of clean texts that raise no warning at all.

    .venv/bin/python bench/pid.py [--split dev|held_out|field|blind|blind2|attack] [--misses]

The floors below are the ones tests/pid/test_corpus.py enforces.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from roadmap.pid import KIND_LABELS, Finding, scan  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "pid_corpus.jsonl"
RECALL_FLOORS = {"nhs_number": 0.95, "date_of_birth": 0.95, "postcode": 0.95, "phone": 0.95,
                 "email": 0.95, "name": 0.8}
CLEAN_FLOOR = 0.9  # share of clean texts with no finding


@dataclass
class Tally:
    """Counts for one kind: marked, marked and found, findings, findings that were right."""

    marked: int = 0
    hit: int = 0
    findings: int = 0
    right: int = 0

    @property
    def recall(self) -> float:
        return self.hit / self.marked if self.marked else 1.0

    @property
    def precision(self) -> float:
        return self.right / self.findings if self.findings else 1.0


@dataclass
class Measure:
    """Per-kind tallies over a set of texts, clean texts counted apart, and what went wrong."""

    texts: int = 0
    clean: int = 0
    clean_quiet: int = 0
    kinds: dict[str, Tally] = field(default_factory=lambda: {k: Tally() for k in KIND_LABELS})
    misses: list[str] = field(default_factory=list)

    @property
    def clean_precision(self) -> float:
        return self.clean_quiet / self.clean if self.clean else 1.0


def load(split: str | None = None) -> list[dict]:
    """The corpus rows, all of them or one split's."""
    rows = [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]
    return [row for row in rows if split in (None, row["split"])]


def _overlaps(finding: Finding, mark: dict) -> bool:
    return finding.kind == mark["kind"] and finding.start < mark["end"] and mark["start"] < finding.end


def measure(rows: list[dict]) -> Measure:
    """Scan every text and tally recall and precision per kind."""
    result = Measure()
    for row in rows:
        findings, marks = scan(row["text"]), row["identifiers"]
        result.texts += 1
        if not marks:
            result.clean += 1
            result.clean_quiet += not findings
        for mark in marks:
            tally = result.kinds[mark["kind"]]
            tally.marked += 1
            if any(_overlaps(f, mark) for f in findings):
                tally.hit += 1
            else:
                result.misses.append(f"missed {mark['kind']} {mark['text']!r} in {row['id']}: {row['text']}")
        for finding in findings:
            tally = result.kinds[finding.kind]
            tally.findings += 1
            if any(_overlaps(finding, mark) for mark in marks):
                tally.right += 1
            else:
                result.misses.append(f"wrong {finding.kind} {finding.text!r} in {row['id']}: {row['text']}")
    return result


def report(name: str, result: Measure) -> str:
    """The figures as a table: recall and precision per kind, then the clean texts."""
    lines = [f"{name}: {result.texts} texts, {result.clean} clean",
             f"  {'kind':<14}{'marked':>7}{'found':>7}{'recall':>8}{'findings':>9}{'precision':>10}"]
    for kind, t in result.kinds.items():
        floor = RECALL_FLOORS.get(kind)
        lines.append(f"  {kind:<14}{t.marked:>7}{t.hit:>7}{t.recall:>8.3f}{t.findings:>9}"
                     f"{t.precision:>10.3f}" + (f"  (floor {floor})" if floor else ""))
    lines.append(f"  clean texts with no finding: {result.clean_quiet}/{result.clean} = "
                 f"{result.clean_precision:.3f}  (floor {CLEAN_FLOOR})")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=["dev", "held_out", "field", "blind", "blind2", "attack"])
    parser.add_argument("--misses", action="store_true", help="list every miss and wrong finding")
    args = parser.parse_args()
    splits = [args.split] if args.split else [None, "dev", "held_out", "field", "blind", "blind2", "attack"]
    for split in splits:
        result = measure(load(split))
        print(report(split or "all", result))
        if args.misses:
            print("\n".join(f"    {line}" for line in result.misses))


if __name__ == "__main__":
    main()

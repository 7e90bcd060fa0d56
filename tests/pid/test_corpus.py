"""The scanner measured on the labelled corpus (tests/data/pid_corpus.jsonl): per-kind recall
and precision printed (pytest -s), and floors it must not fall below."""
from __future__ import annotations

import pytest

from bench.pid import CLEAN_FLOOR, RECALL_FLOORS, load, measure, report
from roadmap.pid import KIND_LABELS
from tests.data.make_pid_corpus import build

SPLITS = ["dev", "held_out", "field", "blind", "blind2", "attack"]


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return load()


def test_the_corpus_is_large_varied_and_its_marks_are_exact(rows: list[dict]):
    assert len(rows) >= 300
    assert {row["split"] for row in rows} == set(SPLITS)
    clean = [row for row in rows if not row["identifiers"]]
    assert 0.4 <= len(clean) / len(rows) <= 0.6  # about half identifies nobody
    marked = [mark for row in rows for mark in row["identifiers"]]
    assert {mark["kind"] for mark in marked} == set(KIND_LABELS)  # every kind is covered
    for row in rows:
        for mark in row["identifiers"]:
            assert row["text"][mark["start"]:mark["end"]] == mark["text"], row["id"]
    assert len({row["text"] for row in rows}) == len(rows)


def test_the_committed_corpus_is_what_its_script_writes(rows: list[dict]):
    """An edit to the templates or the hand-written texts is not measured until it is rebuilt."""
    assert build() == rows


def test_recall_and_precision_meet_their_floors(rows: list[dict]):
    whole = measure(rows)
    print()
    print(report("all", whole))
    for split in SPLITS:
        print(report(split, measure([row for row in rows if row["split"] == split])))
    recalls = {kind: whole.kinds[kind].recall for kind in RECALL_FLOORS}
    assert all(recalls[kind] >= floor for kind, floor in RECALL_FLOORS.items()), recalls
    assert whole.clean_precision >= CLEAN_FLOOR
    # Findings that are wrong are rare in identifying texts too, not only in clean ones.
    assert all(tally.precision >= 0.9 for tally in whole.kinds.values()), whole.misses

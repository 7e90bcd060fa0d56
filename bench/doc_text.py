"""What reading an upload's text in a fresh interpreter costs, per PDF or DOCX upload.

roadmap.portfolio.doc_text.extract starts `python -m roadmap.portfolio.doc_text_child` for
each PDF or DOCX attached (a fork of a threaded worker can deadlock; see doc_text). This times
that against reading the same file in the process, for a one-page PDF and a short DOCX, so the
difference is the interpreter's start, its imports (pypdf, defusedxml) and the JSON. The CPU
figure is the children's own (from getrusage): on a loaded machine the wall time is mostly
waiting for a core.

    PYTHONPATH=$PWD .venv/bin/python bench/doc_text.py [--runs 20]
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from roadmap.portfolio import doc_text  # noqa: E402
from tests.fixtures.documents import docx, pdf  # noqa: E402

FILES = {"pdf": (pdf("Clinic letter copied for my reflection, seen in clinic."), doc_text.PDF),
         "docx": (docx("Reflection on a shared decision.", "Plan agreed."), doc_text.DOCX)}


def _median_ms(work, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    for name, (data, media_type) in FILES.items():
        assert doc_text.extract(data, media_type).pieces  # warm, and it reads
        inside = _median_ms(lambda: doc_text.read(data, media_type), runs)
        before = _children_cpu()
        child = _median_ms(lambda: doc_text.extract(data, media_type), runs)
        cpu = (_children_cpu() - before) / runs * 1000
        print(f"{name}: in process {inside:.1f} ms, child interpreter {child:.1f} ms wall "
              f"(median of {runs}), {cpu:.0f} ms of CPU per child (mean)")


def _children_cpu() -> float:
    """CPU seconds (user and system) of the children that have ended."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


if __name__ == "__main__":
    main()

"""What pdf.js (Firefox's PDF viewer) reads from PDF files: one node process for many files
(tests/exports/pdfjs_titles.mjs). Needs node and the pdfjs-dist package (scripts/setup
installs it); a test that asks for it fails, never skips, when either is missing."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("pdfjs_titles.mjs")
ROOT = Path(__file__).resolve().parents[2]


def shown_titles(paths: list[Path], pages: bool = False) -> list[dict]:
    """For each file, in order: {"file", "info_title", "xmp_title", "shown"} (the title the
    pdf.js viewer shows, None when it shows none), with `pages` also "pages" (how many) and
    "first_page" (its text); or {"file", "error"} when pdf.js cannot open it."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the pdf.js comparison needs it (scripts/setup)")
    if not (ROOT / "node_modules" / "pdfjs-dist" / "package.json").is_file():
        pytest.fail("pdfjs-dist is not installed in node_modules: run scripts/setup")
    if not paths:
        return []
    flags = ["--pages"] if pages else []
    done = subprocess.run([node, str(SCRIPT), *flags, *map(str, paths)], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=600)
    if done.returncode != 0:
        pytest.fail(f"pdf.js could not be run (exit {done.returncode}): {done.stderr[-2000:]}")
    # One object a line, split at "\n" only: a title may hold U+2028 or U+0085, which
    # JSON.stringify writes as they are and str.splitlines() would split at.
    found = [json.loads(line) for line in done.stdout.split("\n") if line.startswith("{")]
    if [row["file"] for row in found] != [str(path) for path in paths]:
        pytest.fail(f"pdf.js answered for other files than asked: {done.stdout[-2000:]}")
    return found

"""A word longer than a line (an outsider typed 500 letters) prints whole in the PDF, broken
over lines, in an answer and in a table cell: before, all but its first hundred letters ran off
the page, where no reader (and no pdftotext) could see them."""
from __future__ import annotations

import re
import subprocess

import pytest

from roadmap.exports import render
from roadmap.exports.portfolio import document, setup, styles

WORD = "W" + "x" * 498 + "Z"


def _visible_text(app, tmp_path, body: str) -> str:
    """The body laid out as a part of the portfolio PDF is (its fonts and print stylesheet)."""
    with app.app_context():
        made = render.Renderer(styles(setup(app))).render(
            document(setup(app), body, "Jamie Patel", "Portfolio of Jamie Patel", shared=True)).pdf
    (tmp_path / "long.pdf").write_bytes(made)
    # pdftotext reads only what lies on the page (its crop box), as a reader sees it.
    text = subprocess.run(["pdftotext", str(tmp_path / "long.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    return re.sub(r"\s+", "", text)


def test_a_very_long_word_in_an_answer_prints_whole(app, tmp_path):
    shown = _visible_text(app, tmp_path, f"<dl class='answers'><dt>What happened?</dt><dd><p>"
                                         f"Before {WORD} after</p></dd></dl>")
    assert f"Before{WORD}after" in shown


@pytest.mark.parametrize("table, columns", [("timeline", 3), ("checks", 4), ("results", 4),
                                            ("credits", 3)])
def test_a_very_long_word_in_a_table_cell_prints_whole(app, tmp_path, table, columns):
    """Every table of the PDF that holds typed text (the audit timeline's item titles, a stage
    check's detail, a question's own answer, an earlier study's evidence)."""
    head = "".join(f"<th>Heading {n}</th>" for n in range(columns - 1))
    cells = "".join(f"<td>Cell {n}</td>" for n in range(columns - 1))
    shown = _visible_text(app, tmp_path, f"<table class='{table}'><tr>{head}<th>Last</th></tr>"
                                         f"<tr>{cells}<td>Evidence: updated: {WORD}</td></tr>"
                                         "</table>")
    assert f"Evidence:updated:{WORD}" in shown and "Cell0" in shown

"""The PDF read back: the matrix fits its page, and the cover agrees with the checklist."""
from __future__ import annotations

import datetime as dt
import io
import math
import re

import pytest
from flask import render_template
from markupsafe import Markup
from pypdf import PdfReader
from pypdf.generic import ArrayObject, RectangleObject

from roadmap.exports import portfolio
from roadmap.exports.gather import gather
from roadmap.exports.render import render
from roadmap.clock import today
from roadmap.supervision.models import StageSignOff

# What the stylesheet did before: a portrait page and a table as wide as its content.
OLD_LAYOUT = Markup("<style>.matrix-page { page: auto } table.matrix { table-layout: auto; "
                    "width: 100%; font-size: 7.5pt } table.matrix th, table.matrix td "
                    "{ hyphens: manual; overflow-wrap: normal }</style>")



@pytest.fixture
def app_config(app_config, tmp_path):
    app_config["EXPORT_DIR"] = str(tmp_path / "exports")
    app_config["EXPORT_WORKERS"] = 1
    return app_config


def _matrix_pdf(app, session, enrolment, extra: str = "") -> tuple[bytes, dict]:
    """The matrix part of the enrolment's portfolio, rendered as the export renders it."""
    with app.test_request_context():
        setup_ = portfolio.setup()
        p = gather(session, enrolment, today(), None)
        body = Markup(render_template("exports/matrix.html", p=p)) + Markup(extra)
        html = portfolio.document(setup_, body, p["candidate"].full_name, "Portfolio")
        return render(html, (portfolio.ASSETS / "print.css").as_uri(), setup_.roots).pdf, p


def _advances(font) -> tuple[dict[int, float], float]:
    """A CID font's glyph widths (in thousandths of the font size) from its /W array, and the
    default width for a glyph it does not list."""
    descendant = font["/DescendantFonts"][0].get_object()
    listed, w, i = {}, list(descendant.get("/W", [])), 0
    while i < len(w):
        first, then = int(w[i]), w[i + 1]
        if isinstance(then, ArrayObject):  # first [w1 w2 ...]
            listed.update({first + k: float(v) for k, v in enumerate(then)})
            i += 2
        else:  # first last w
            listed.update({cid: float(w[i + 2]) for cid in range(first, int(then) + 1)})
            i += 3
    return listed, float(descendant.get("/DW", 1000))


def _runs(page) -> list[tuple[int, float, float, float]]:
    """Each piece of text the page draws (a cell's, as WeasyPrint writes them): its number of
    glyphs, where it starts and how wide it is, in points, from the fonts' own glyph widths."""
    fonts = {name: _advances(font.get_object())
             for name, font in page["/Resources"]["/Font"].items()}
    found, state = [], {"font": None, "size": 0.0}

    def visit(operator, operands, cm, tm):
        if operator == b"Tf":
            state["font"], state["size"] = fonts[operands[0]], float(operands[1])
        elif operator in (b"TJ", b"Tj"):
            listed, default = state["font"]
            # WeasyPrint embeds every font as a CID font (Identity-H): two bytes a glyph.
            glyphs, advance = 0, 0.0
            for part in operands[0] if operator == b"TJ" else operands:
                if isinstance(part, bytes):
                    cids = [int.from_bytes(part[k:k + 2], "big") for k in range(0, len(part), 2)]
                    glyphs += len(cids)
                    advance += sum(listed.get(cid, default) for cid in cids)
                else:
                    advance -= float(part)  # a TJ adjustment moves the next glyph back
            a, b, _c, _d, x, y = _multiply(tm, cm)
            if glyphs:
                found.append((glyphs, x, y, advance / 1000 * state["size"] * math.hypot(a, b)))

    page.extract_text(visitor_operand_before=visit)
    return found


def _multiply(m, n):
    """The product of two PDF matrices [a b c d e f] (text matrix, then the page's)."""
    return [m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3],
            m[2] * n[0] + m[3] * n[2], m[2] * n[1] + m[3] * n[3],
            m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5]]


def _outside(pdf: bytes) -> list[str]:
    """Every piece of text that is not wholly inside its page's box."""
    problems = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
        box: RectangleObject = page.mediabox
        for glyphs, x, y, width in _runs(page):
            if x < float(box.left) or x + width > float(box.right) \
                    or not float(box.bottom) <= y <= float(box.top):
                problems.append(f"page {number}: {glyphs} characters at x={x:.0f} to "
                                f"{x + width:.0f}, y={y:.0f}, the page {float(box.width):.0f} wide")
    return problems


def _squashed(pdf: bytes) -> str:
    """All the text, without spaces or the hyphens a broken word gets."""
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"[\s\-\u2010\u00ad]+", "", text)


def test_every_header_and_cell_of_the_matrix_is_inside_an_a4_page(app, session, team, make_item):
    for code in ("cbd", "cot", "reflection", "csr"):
        make_item(code, status="submitted", headings=("1", "13"))
    pdf, p = _matrix_pdf(app, session, team.enrolment)
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4, landscape
    assert _outside(pdf) == []
    whole = _squashed(pdf)
    for header in ["Heading", *p["type_columns"], "Total", "Selfrating", "Supervisor"]:
        assert re.sub(r"[\s\-]+", "", header) in whole, header
    for heading in p["headings"]:
        assert re.sub(r"[\s\-]+", "", f"{heading['code']}. {heading['title']}") in whole


def test_the_check_finds_a_matrix_running_off_the_page(app, session, team):
    """The layout the matrix had before (portrait, as wide as its words): the check fails."""
    pdf, _ = _matrix_pdf(app, session, team.enrolment, OLD_LAYOUT)
    assert float(PdfReader(io.BytesIO(pdf)).pages[0].mediabox.width) < 600
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Supervisor" in text and "<table" not in text  # the table itself, laid out
    assert _outside(pdf)


def test_the_cover_and_the_checklist_give_one_date_for_stage_1(app, session, team):
    """The signed record's day on both, even when the enrolment was given another (the demo)."""
    session.add(StageSignOff(enrolment_id=team.enrolment.id, stage_code="stage1", status="complete",
                             completed_at=dt.datetime(2026, 2, 1, 10, tzinfo=dt.timezone.utc)))
    team.enrolment.stage1_verified_on = dt.date(2025, 12, 31)
    session.commit()
    with app.test_request_context():
        p = gather(session, team.enrolment, today(), None)
        cover = render_template("exports/cover.html", p=p)
        checklist = render_template("exports/stages.html", p=p)
    assert "<dt>Stage 1 verified</dt><dd>1 February 2026</dd>" in cover
    assert "signed off on 1 February 2026." in checklist
    assert "31 December 2025" not in cover + checklist

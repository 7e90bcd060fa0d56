"""The join: parts' pages in their places whatever order they arrive in, one outline nested
across parts, "Page N of M" on every page in one embedded font, and the document's metadata."""
from __future__ import annotations

import io
from pathlib import Path

import pikepdf
from pypdf import PdfReader

from roadmap.exports import fonts
from roadmap.exports.join import Joiner, join
from roadmap.exports.render import render
from roadmap.exports.stamp import BASELINE, FONT_NAME, FONT_SIZE, RIGHT_MARGIN

FONT = Path(fonts.DEFAULT_DIR) / fonts.SANS.regular
A4_WIDTH = 595.28


def _part(*sections: tuple[str, str, int]):
    """A part from (tag, heading, pages): each section starts a page and fills `pages` pages."""
    body = "".join(
        f'<section style="break-before: page"><{tag}>{heading}</{tag}>'
        + "".join(f'<p style="break-before: page">{heading} more {n}</p>' for n in range(1, pages))
        + "</section>" for tag, heading, pages in sections)
    html = ("<!doctype html><html><head><style>@page { size: A4 }</style></head>"
            f"<body>{body}</body></html>")
    return render(html, "file:///", [])


def _outline(reader: PdfReader, entries=None, depth=0):
    found = []
    for entry in reader.outline if entries is None else entries:
        if isinstance(entry, list):
            found.extend(_outline(reader, entry, depth + 1))
        else:
            found.append((depth, entry.title, reader.get_destination_page_number(entry)))
    return found


def test_parts_arriving_in_any_order_land_in_their_places_numbered_and_bookmarked():
    cover = _part(("h1", "Cover", 1))
    first = _part(("h1", "Evidence", 2), ("h2", "E1. First item", 2))
    second = _part(("h2", "E2. Second item", 1), ("h1", "Audit timeline", 3))
    joiner = Joiner()
    for place, part in ((2, second), (0, cover), (1, first)):  # the last part first
        joiner.add(place, part)
    pdf = joiner.finish(FONT, "Portfolio of Ann Example", "Ann Example")

    reader = PdfReader(io.BytesIO(pdf))
    texts = [page.extract_text() for page in reader.pages]
    total = 1 + 4 + 4
    assert len(texts) == total
    firsts = [text.splitlines()[0] for text in texts]
    assert firsts == ["Cover", "Evidence", "Evidence more 1", "E1. First item",
                      "E1. First item more 1", "E2. Second item", "Audit timeline",
                      "Audit timeline more 1", "Audit timeline more 2"]
    for number, text in enumerate(texts, start=1):
        assert text.rstrip().endswith(f"Page {number} of {total}"), text
    # The second part's item nests under the first part's section; its h1 is top level again.
    assert _outline(reader) == [(0, "Cover", 0), (0, "Evidence", 1), (1, "E1. First item", 3),
                                (1, "E2. Second item", 5), (0, "Audit timeline", 6)]
    assert reader.metadata.title == "Portfolio of Ann Example"
    assert reader.metadata.author == "Ann Example"
    assert reader.metadata.creator == "Roadmap"
    assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"


def test_every_number_is_right_aligned_at_the_foot_in_one_shared_subset_font():
    pdf = join([_part(("h1", "One", 3)), _part(("h1", "Two", 10))], FONT, "T", "A")
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        stamped = [page.obj.Resources.Font[FONT_NAME] for page in doc.pages]
        assert len({font.objgen for font in stamped}) == 1 and stamped[0].is_indirect
        font = stamped[0]
        assert font.Subtype == "/TrueType" and font.BaseFont == "/RMPNUM+DejaVuSans"
        embedded = font.FontDescriptor.FontFile2.read_bytes()
        assert 0 < len(embedded) < Path(FONT).stat().st_size // 20  # a subset, not the font
        widths = {code: int(w) for code, w in zip(range(int(font.FirstChar), 256), font.Widths)}
        for number, page in enumerate(doc.pages, start=1):
            text = f"Page {number} of 13"
            operations = pikepdf.parse_content_stream(page)
            shows = [i for i, (operands, op) in enumerate(operations) if str(op) == "Tj"
                     and bytes(operands[0]) == text.encode()]
            assert len(shows) == 1
            ops = {str(op): [v if isinstance(v, pikepdf.Name) else float(v) for v in operands]
                   for operands, op in operations[shows[0] - 4:shows[0]]}
            assert ops["Tf"] == [pikepdf.Name(FONT_NAME), FONT_SIZE]
            x, y = ops["Td"]
            width = sum(widths[ord(ch)] for ch in text) * FONT_SIZE / 1000
            assert abs(x + width - (A4_WIDTH - RIGHT_MARGIN)) < 0.02 and y == BASELINE
            # The part's own content is wrapped in q/Q, so it cannot move the number.
            assert [str(op) for _, op in operations[:1]] == ["q"]
            assert str(operations[shows[0] - 6][1]) == "Q"

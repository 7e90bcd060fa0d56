"""Page numbers stamped onto the joined PDF, so rendered parts never depend on where they land.

A part rendered once is reused wherever it falls in a later export (the cache is keyed by its
content alone); only this cheap stamp knows the final page numbers. The stamp uses a subset
of the same shipped font, embedded once and shared by every page. It writes through pikepdf
(qpdf): walking ~250 pages' dictionaries in pypdf's pure Python was a large part of the click
right after a change.
"""
from __future__ import annotations

import io
import logging
from functools import lru_cache
from pathlib import Path

import pikepdf
from fontTools import subset
from fontTools.ttLib import TTFont
from pikepdf import Array, Dictionary, Name

CHARACTERS = "Page of0123456789"
FONT_SIZE = 8
FONT_NAME = "/RoadmapPageNumber"
RIGHT_MARGIN = 56.69  # 2 cm, as the print stylesheet's @page margin
BASELINE = 30.0  # points above the bottom edge, level with the footer's name


@lru_cache(maxsize=4)
def _font(path: str) -> tuple[bytes, dict[int, int], tuple[int, int, int, int], int, int]:
    """(subset TTF bytes, widths per character code, bbox, ascent, descent) in 1000 units."""
    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # it notes tables it drops
    font = TTFont(io.BytesIO(Path(path).read_bytes()), lazy=True)  # no file left open
    options = subset.Options()
    options.hinting = False
    options.layout_features = []
    # Digits and a few letters need no shaping tables; reading them was most of the time.
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "kern"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=CHARACTERS)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    scale = 1000 / font["head"].unitsPerEm
    cmap = font.getBestCmap()
    widths = {code: round(font["hmtx"][cmap[code]][0] * scale) for code in map(ord, CHARACTERS)}
    head = font["head"]
    bbox = tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax))
    return (buffer.getvalue(), widths, bbox,  # type: ignore[return-value]
            round(font["hhea"].ascent * scale), round(font["hhea"].descent * scale))


def _font_object(pdf: pikepdf.Pdf, path: str) -> tuple[pikepdf.Object, dict[int, int]]:
    """The subset font as one indirect object, for every page's resources to point at."""
    data, widths, bbox, ascent, descent = _font(path)
    first, last = min(widths), max(widths)
    file_stream = pikepdf.Stream(pdf, data)
    file_stream[Name.Length1] = len(data)
    descriptor = pdf.make_indirect(Dictionary({
        "/Type": Name.FontDescriptor,
        "/FontName": Name("/RMPNUM+DejaVuSans"),
        "/Flags": 32,
        "/FontBBox": Array(list(bbox)),
        "/ItalicAngle": 0,
        "/Ascent": ascent,
        "/Descent": descent,
        "/CapHeight": ascent,
        "/StemV": 80,
        "/FontFile2": pdf.make_indirect(file_stream),
    }))
    font = pdf.make_indirect(Dictionary({
        "/Type": Name.Font,
        "/Subtype": Name.TrueType,
        "/BaseFont": Name("/RMPNUM+DejaVuSans"),
        "/FirstChar": first,
        "/LastChar": last,
        "/Widths": Array([widths.get(c, 0) for c in range(first, last + 1)]),
        "/FontDescriptor": descriptor,
        "/Encoding": Name.WinAnsiEncoding,
    }))
    return font, widths


def stamp_page_numbers(pdf: pikepdf.Pdf, font_path: Path) -> None:
    """Write "Page N of M" at the foot of every page, right-aligned.

    Each page's own content is wrapped in q/Q (two streams shared by every page), so whatever
    graphics state it leaves cannot move or recolour the number drawn after it.
    """
    font_ref, widths = _font_object(pdf, str(font_path))
    total = len(pdf.pages)
    save = pdf.make_indirect(pikepdf.Stream(pdf, b"q\n"))
    restore = pdf.make_indirect(pikepdf.Stream(pdf, b"\nQ\n"))
    for number, page in enumerate(pdf.pages, start=1):
        text = f"Page {number} of {total}"
        width = sum(widths[ord(ch)] for ch in text) * FONT_SIZE / 1000
        x = float(page.mediabox[2]) - RIGHT_MARGIN - width
        ops = (f"q BT {FONT_NAME} {FONT_SIZE} Tf 0.3 0.3 0.3 rg {x:.2f} {BASELINE:.2f} Td "
               f"({text}) Tj ET Q\n").encode("ascii")
        page_dict = page.obj
        if Name.Resources not in page_dict:
            page_dict[Name.Resources] = Dictionary()
        resources = page_dict[Name.Resources]
        if Name.Font not in resources:
            resources[Name.Font] = Dictionary()
        resources[Name.Font][Name(FONT_NAME)] = font_ref
        contents = page_dict.get(Name.Contents)
        existing = list(contents) if isinstance(contents, Array) else \
            ([] if contents is None else [contents])
        page_dict[Name.Contents] = Array(
            [save, *existing, restore, pdf.make_indirect(pikepdf.Stream(pdf, ops))])

"""Page numbers stamped onto the joined PDF, so rendered parts never depend on where they land.

A part rendered once is reused wherever it falls in a later export (the cache is keyed by its
content alone); only this cheap stamp knows the final page numbers. The stamp uses a subset
of the same shipped font, embedded once and shared by every page.
"""
from __future__ import annotations

import io
import logging
from functools import lru_cache
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from pypdf import PdfWriter
from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, NameObject,
                           NumberObject)

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


def _font_object(writer: PdfWriter, path: str) -> tuple[object, dict[int, int]]:
    data, widths, bbox, ascent, descent = _font(path)
    first, last = min(widths), max(widths)
    file_stream = DecodedStreamObject()
    file_stream.set_data(data)
    file_stream[NameObject("/Length1")] = NumberObject(len(data))
    descriptor = DictionaryObject({
        NameObject("/Type"): NameObject("/FontDescriptor"),
        NameObject("/FontName"): NameObject("/RMPNUM+DejaVuSans"),
        NameObject("/Flags"): NumberObject(32),
        NameObject("/FontBBox"): ArrayObject(NumberObject(v) for v in bbox),
        NameObject("/ItalicAngle"): NumberObject(0),
        NameObject("/Ascent"): NumberObject(ascent),
        NameObject("/Descent"): NumberObject(descent),
        NameObject("/CapHeight"): NumberObject(ascent),
        NameObject("/StemV"): NumberObject(80),
        NameObject("/FontFile2"): writer._add_object(file_stream),
    })
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/TrueType"),
        NameObject("/BaseFont"): NameObject("/RMPNUM+DejaVuSans"),
        NameObject("/FirstChar"): NumberObject(first),
        NameObject("/LastChar"): NumberObject(last),
        NameObject("/Widths"): ArrayObject(NumberObject(widths.get(c, 0))
                                           for c in range(first, last + 1)),
        NameObject("/FontDescriptor"): writer._add_object(descriptor),
        NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
    })
    return writer._add_object(font), widths


def _stream(writer: PdfWriter, data: bytes) -> object:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def stamp_page_numbers(writer: PdfWriter, font_path: Path) -> None:
    """Write "Page N of M" at the foot of every page, right-aligned."""
    font_ref, widths = _font_object(writer, str(font_path))
    total = len(writer.pages)
    save, restore = _stream(writer, b"q\n"), _stream(writer, b"\nQ\n")
    for number, page in enumerate(writer.pages, start=1):
        text = f"Page {number} of {total}"
        width = sum(widths[ord(ch)] for ch in text) * FONT_SIZE / 1000
        x = float(page.mediabox.right) - RIGHT_MARGIN - width
        ops = (f"q BT {FONT_NAME} {FONT_SIZE} Tf 0.3 0.3 0.3 rg {x:.2f} {BASELINE:.2f} Td "
               f"({text}) Tj ET Q\n").encode("ascii")
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else DictionaryObject()
        fonts = resources.get("/Font")
        fonts = fonts.get_object() if fonts is not None else DictionaryObject()
        fonts[NameObject(FONT_NAME)] = font_ref
        resources[NameObject("/Font")] = fonts
        page[NameObject("/Resources")] = resources
        contents = page.get("/Contents")
        existing = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) \
            else [contents]
        page[NameObject("/Contents")] = ArrayObject([save, *existing, restore,
                                                      _stream(writer, ops)])

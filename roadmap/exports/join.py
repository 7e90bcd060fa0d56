"""Join rendered parts into one PDF: pages in order, one outline, page numbers stamped.

pikepdf (qpdf, in C++) copies the pages: on the click right after a change the join of
~250 pages was the largest single cost of the wait when pypdf did it in pure Python.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Optional, Sequence

import pikepdf
from pikepdf import Name, OutlineItem

from roadmap.exports.parts import Rendered
from roadmap.exports.stamp import stamp_page_numbers


def offsets(parts: Sequence[Rendered]) -> list[int]:
    """The index of each part's first page in the joined document."""
    found, running = [], 0
    for part in parts:
        found.append(running)
        running += part.pages
    return found


class Joiner:
    """Parts added in any order of arrival, each at its place; written out once at the end.

    So the main process can copy the body's pages while the contents are still being laid out.
    The parts' own documents stay open until the end: qpdf copies their objects lazily, when
    the joined document is written.
    """

    def __init__(self) -> None:
        self.pdf = pikepdf.new()
        self.sources: list[pikepdf.Pdf] = []
        self.placed: list[tuple[int, Rendered]] = []  # (place in the document, part), by place

    def add(self, place: int, part: Rendered) -> None:
        """Copy a part's pages in before every part placed after it."""
        before = [p for p in self.placed if p[0] < place]
        position = sum(rendered.pages for _place, rendered in before)
        source = pikepdf.Pdf.open(io.BytesIO(part.pdf))
        self.sources.append(source)
        if position == len(self.pdf.pages):
            self.pdf.pages.extend(source.pages)
        else:
            for offset, page in enumerate(source.pages):
                self.pdf.pages.insert(position + offset, page)
        self.placed.insert(len(before), (place, part))

    def finish(self, font_path: Path, title: str, author: str) -> bytes:
        """Bookmarks nested across parts, every page numbered, the document's metadata."""
        pdf, parts = self.pdf, [part for _place, part in self.placed]
        try:
            with pdf.open_outline() as outline:
                parents: dict[int, OutlineItem] = {}
                for start, part in zip(offsets(parts), parts):
                    for level, label, page in part.bookmarks:
                        parent: Optional[OutlineItem] = parents.get(level - 1) if level > 1 \
                            else None
                        item = OutlineItem(label, start + page)
                        (parent.children if parent is not None else outline.root).append(item)
                        parents[level] = item
                        for deeper in [k for k in parents if k > level]:
                            del parents[deeper]
            stamp_page_numbers(pdf, font_path)
            pdf.docinfo[Name.Title] = title
            pdf.docinfo[Name.Author] = author
            pdf.docinfo[Name.Creator] = "Roadmap"
            pdf.Root[Name.PageMode] = Name.UseOutlines
            buffer = io.BytesIO()
            # The parts' streams are already compressed: copy them as they are; compress only
            # the new, unfiltered ones (the page-number text).
            pdf.save(buffer, compress_streams=True,
                     stream_decode_level=pikepdf.StreamDecodeLevel.none)
            return buffer.getvalue()
        finally:
            for source in self.sources:
                source.close()
            pdf.close()


def join(parts: Sequence[Rendered], font_path: Path, title: str, author: str) -> bytes:
    """One PDF from the parts, with bookmarks nested across parts and every page numbered."""
    joiner = Joiner()
    for place, part in enumerate(parts):
        joiner.add(place, part)
    return joiner.finish(font_path, title, author)

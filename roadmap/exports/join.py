"""Join rendered parts into one PDF: pages in order, one outline, page numbers stamped."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Optional, Sequence

from pypdf import PdfReader, PdfWriter

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
    """

    def __init__(self) -> None:
        self.writer = PdfWriter()
        self.placed: list[tuple[int, Rendered]] = []  # (place in the document, part), by place

    def add(self, place: int, part: Rendered) -> None:
        """Copy a part's pages in before every part placed after it."""
        before = [p for p in self.placed if p[0] < place]
        position = sum(rendered.pages for _place, rendered in before)
        reader = PdfReader(io.BytesIO(part.pdf))
        if position == len(self.writer.pages):
            self.writer.append(reader, import_outline=False)
        else:
            self.writer.merge(position, reader, import_outline=False)
        self.placed.insert(len(before), (place, part))

    def finish(self, font_path: Path, title: str, author: str) -> bytes:
        """Bookmarks nested across parts, every page numbered, the document's metadata."""
        writer, parts = self.writer, [part for _place, part in self.placed]
        parents: dict[int, Any] = {}
        for start, part in zip(offsets(parts), parts):
            for level, label, page in part.bookmarks:
                parent: Optional[Any] = parents.get(level - 1) if level > 1 else None
                parents[level] = writer.add_outline_item(title=label, page_number=start + page,
                                                         parent=parent)
                for deeper in [k for k in parents if k > level]:
                    del parents[deeper]
        stamp_page_numbers(writer, font_path)
        writer.add_metadata({"/Title": title, "/Author": author, "/Creator": "Roadmap"})
        writer.page_mode = "/UseOutlines"
        buffer = io.BytesIO()
        writer.write(buffer)
        return buffer.getvalue()


def join(parts: Sequence[Rendered], font_path: Path, title: str, author: str) -> bytes:
    """One PDF from the parts, with bookmarks nested across parts and every page numbered."""
    joiner = Joiner()
    for place, part in enumerate(parts):
        joiner.add(place, part)
    return joiner.finish(font_path, title, author)

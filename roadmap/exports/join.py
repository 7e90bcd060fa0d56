"""Join rendered parts into one PDF: pages in order, one outline, page numbers stamped."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Optional, Sequence

from pypdf import PdfReader, PdfWriter

from roadmap.exports.render import Rendered
from roadmap.exports.stamp import stamp_page_numbers


def offsets(parts: Sequence[Rendered]) -> list[int]:
    """The index of each part's first page in the joined document."""
    found, running = [], 0
    for part in parts:
        found.append(running)
        running += part.pages
    return found


def join(parts: Sequence[Rendered], font_path: Path, title: str, author: str) -> bytes:
    """One PDF from the parts, with bookmarks nested across parts and every page numbered."""
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part.pdf)), import_outline=False)
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

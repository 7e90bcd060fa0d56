"""What a render gives back and what every part of an export shares: plain values, no WeasyPrint.

Kept apart from render.py so that the app, the job queue and the CLI can name these without
importing WeasyPrint (about a second per process); only a process that renders loads it.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Rendered:
    """One rendered part: its PDF bytes, page count and headings (level, label, page index)."""

    pdf: bytes
    pages: int
    bookmarks: list[tuple[int, str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class Styles:
    """What every part of one export shares: stylesheets (fonts first), their base, our folders.

    Parsed once per process by a Renderer, not once per part: each part's HTML then carries
    only its body.
    """

    css: tuple[str, ...]
    base_url: str
    roots: tuple[str, ...]

    @property
    def digest(self) -> bytes:
        """Everything here that changes a rendered part, for the part cache's key."""
        return "\0".join((*self.css, self.base_url)).encode()

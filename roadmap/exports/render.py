"""WeasyPrint, fenced in: it reads only the folders we allow, and any failed load fails the render.

This module knows nothing of Flask or the database, so worker processes import only it.
"""
from __future__ import annotations

import logging
import mimetypes
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse


class RenderFailed(RuntimeError):
    """The document could not be rendered completely; the message says what went wrong."""


class AssetFetcher(URLFetcher):
    """Serve files from inside the allowed folders only: no network, no data: URLs, no ../."""

    def __init__(self, roots: Sequence[str | Path]) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, fail_on_errors=True)
        self.roots = [Path(root).resolve() for root in roots]

    def resolve(self, url: str) -> Path:
        """The file a URL names, if it lies inside an allowed folder; ValueError otherwise."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"refused {url[:200]!r}: only files in the asset folder are read")
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise ValueError(f"refused {url[:200]!r}: outside the asset folder")
        if not path.is_file():
            raise ValueError(f"refused {url[:200]!r}: no such file")
        return path

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Read an allowed file; everything else raises, which stops the render."""
        path = self.resolve(url)
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(),
                                  headers={"Content-Type": media_type})


class _Problems(logging.Handler):
    """Collects WeasyPrint's warnings and errors: it logs a failed load and carries on."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.thread = threading.get_ident()  # renders in other threads log their own problems

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.messages.append(record.getMessage())


@contextmanager
def _watch() -> Iterator[_Problems]:
    problems = _Problems()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(problems)
    try:
        yield problems
    finally:
        logger.removeHandler(problems)


@dataclass
class Rendered:
    """One rendered part: its PDF bytes, page count and headings (level, label, page index)."""

    pdf: bytes
    pages: int
    bookmarks: list[tuple[int, str, int]] = field(default_factory=list)


def _bookmarks(document: Any) -> list[tuple[int, str, int]]:
    """Every heading's CSS bookmark level, label and page: the levels hold across parts."""
    return [(level, label, index) for index, page in enumerate(document.pages)
            for level, label, _position, _state in page.bookmarks]


def render(html: str, base_url: str, roots: Sequence[str]) -> Rendered:
    """Lay out and write one HTML document; any refused or failed load raises RenderFailed."""
    fetcher = AssetFetcher(roots)
    with _watch() as problems:
        try:
            document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
                font_config=FontConfiguration())
            pdf = document.write_pdf()
        except BaseException as error:  # FatalURLFetchingError derives from BaseException
            if isinstance(error, (KeyboardInterrupt, SystemExit)):
                raise
            cause = error.__cause__ or error
            raise RenderFailed(f"{error}: {cause}") from None
    if problems.messages:
        raise RenderFailed("; ".join(problems.messages[:5]))
    return Rendered(pdf, len(document.pages), _bookmarks(document))


def render_part(html: str, base_url: str, roots: Sequence[str]) -> tuple[bytes, int, list]:
    """render() for a worker process: plain values that pickle cheaply."""
    part = render(html, base_url, roots)
    return part.pdf, part.pages, part.bookmarks

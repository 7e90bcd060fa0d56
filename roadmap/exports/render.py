"""WeasyPrint, fenced in: it reads only the folders we allow, and any failed load fails the render.

This module knows nothing of Flask or the database, so worker processes import only it.
"""
from __future__ import annotations

import atexit
import gc
import logging
import mimetypes
import re
import threading
from contextlib import contextmanager, nullcontext
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Sequence
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from roadmap.exports import cycles
from roadmap.exports.parts import Rendered, Styles

# Explicit bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069): only typed text
# brings them into a document, and an unclosed one reverses the app's own words beside it.
BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def without_bidi_controls(html: str) -> str:
    """The document with no explicit bidi control, so typed text cannot turn the direction of
    anything after it ("(tfard ,noitcelfeR)"). Only the rendered copy: stored data and
    data.json keep what was typed. Right-to-left letters still read right to left."""
    return html.translate(BIDI_CONTROLS)


# WeasyPrint's user-agent stylesheet gives every element of the document six pseudo-elements
# (::marker, ::footnote-call, ::footnote-marker, ::note-call, ::note-marker, ::note-callback),
# each with its cascaded declarations and a computed style of its own that nothing reads: in
# the 200-item portfolio (13,500 elements) some 80 MB of the layout's peak. Our documents have
# no footnotes or notes (no float: footnote in print.css), and only <li> is a list item.
_EVERY_ELEMENTS_NOTE = re.compile(r"^::(?:footnote|note)-[a-z]+ \{[^}]*\}\n", re.MULTILINE)


@lru_cache(maxsize=None)
def _ua_stylesheet() -> CSS:
    """WeasyPrint's user-agent stylesheet with its pseudo-element rules only where they apply:
    markers on list items, no footnote or note rules. Same layout, far fewer styles.

    Its @counter-style rules go to a throwaway registry: WeasyPrint's own (which every document
    copies) has them from the original, and refuses to define them twice."""
    from weasyprint.css.counters import CounterStyle
    from weasyprint.html import UA

    text = _EVERY_ELEMENTS_NOTE.sub("", UA).replace("\n::marker {", "\nli::marker {")
    return CSS(string=text, counter_style=CounterStyle())


class _Document(HTML):
    """A document laid out with the slimmer user-agent stylesheet (_ua_stylesheet)."""

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [_ua_stylesheet(), *super()._ua_stylesheets(forms)[1:]]


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
        # A character that no font has is drawn as the font's .notdef box: a visible
        # placeholder, not a failed load. fonts.printable replaces such characters before
        # the layout; any that still slips through (a font's own gap) must not fail the export.
        if record.thread == self.thread and not str(record.msg).startswith(".notdef glyph"):
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


def _bookmarks(document: Any) -> list[tuple[int, str, int]]:
    """Every heading's CSS bookmark level, label and page: the levels hold across parts."""
    return [(level, label, index) for index, page in enumerate(document.pages)
            for level, label, _position, _state in page.bookmarks]


@contextmanager
def _fenced() -> Iterator[None]:
    """Any exception or logged problem inside becomes RenderFailed with a readable message."""
    with _watch() as problems:
        try:
            yield
        except BaseException as error:  # FatalURLFetchingError derives from BaseException
            if isinstance(error, (KeyboardInterrupt, SystemExit)):
                raise
            cause = error.__cause__ or error
            raise RenderFailed(f"{error}: {cause}") from None
    if problems.messages:
        raise RenderFailed("; ".join(problems.messages[:5]))


def render(html: str, base_url: str, roots: Sequence[str], color_profiles: Any = None,
           lean: bool = False, **options: Any) -> Rendered:
    """Lay out and write one HTML document; any refused or failed load raises RenderFailed.

    `options` go to WeasyPrint's write_pdf (the archival copy: pdf_variant, pdf_tags,
    attachments, output_intent naming one of `color_profiles`). `lean`: a large document in a
    long-lived worker, its reference cycles freed as it goes (exports.cycles), for a lower
    peak at the cost of a few full collections.
    """
    fetcher = AssetFetcher(roots)
    with _fenced(), (cycles.collected() if lean else nullcontext()):
        document = _Document(string=without_bidi_controls(html), base_url=base_url,
                             url_fetcher=fetcher).render(
            font_config=FontConfiguration(), color_profiles=color_profiles, **options)
        pages, bookmarks = len(document.pages), _bookmarks(document)
        if lean:
            gc.collect()  # the parse tree, styles and layout context: cycles, unused from here
            options["finisher"] = cycles.drop_layout
        pdf = document.write_pdf(**options)
    if lean:
        del document
        gc.collect()  # the pages and the PDF's objects, before the caller's next document
    return Rendered(pdf, pages, bookmarks)


class Renderer:
    """One FontConfiguration and the parsed stylesheets, kept for every part a process renders.

    The stylesheets are read through the same fenced fetcher as the parts, so a font or image
    from outside our folders fails here just as it would inside a part.
    """

    def __init__(self, styles: Styles) -> None:
        self.fetcher = AssetFetcher(styles.roots)
        self.base_url = styles.base_url
        self.font_config = FontConfiguration()
        with _fenced():
            self.stylesheets = [CSS(string=text, base_url=styles.base_url,
                                    url_fetcher=self.fetcher, font_config=self.font_config)
                                for text in styles.css]

    def render(self, html: str) -> Rendered:
        """Lay out and write one part; any refused or failed load raises RenderFailed."""
        with _fenced():
            document = _Document(string=without_bidi_controls(html), base_url=self.base_url,
                                 url_fetcher=self.fetcher).render(
                font_config=self.font_config, stylesheets=self.stylesheets)
            pdf = document.write_pdf()
        return Rendered(pdf, len(document.pages), _bookmarks(document))


_renderers: dict[tuple[Styles, int], Renderer] = {}


def renderer(styles: Styles) -> Renderer:
    """This thread's renderer for these styles (a worker keeps it across parts and exports).

    Per thread, because WeasyPrint's font objects are not meant to be shared between threads.
    """
    key = (styles, threading.get_ident())
    found = _renderers.get(key)
    if found is None:
        if len(_renderers) >= 8:  # settings or threads changed (tests): forget the oldest
            _renderers.pop(next(iter(_renderers)))
        if not _renderers:  # the first kept: free them all before the interpreter ends
            atexit.register(release_caches)
        found = _renderers[key] = Renderer(styles)
    return found


def release_caches() -> None:
    """Free this process's WeasyPrint objects now, while the C libraries they use are loaded.

    Left to interpreter exit, their cffi finalisers run in no fixed order, and one that runs
    after its library is gone crashes the process (exit 139) after its work is done.
    """
    _renderers.clear()
    gc.collect()


def render_part(html: str, styles: Styles) -> tuple[bytes, int, list]:
    """One part in a worker process: plain values that pickle cheaply."""
    part = renderer(styles).render(html)
    return part.pdf, part.pages, part.bookmarks


def warm_up(styles: Styles) -> None:
    """Load the fonts and parse the stylesheets in a worker before its first part arrives."""
    renderer(styles)

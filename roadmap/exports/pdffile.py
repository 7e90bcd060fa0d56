"""Reading and finishing archival PDFs with pikepdf: page digests, embedded files, limits.

A PDF from an upload is untrusted: it is opened from memory, never written anywhere, its
size and page count are capped before anything else is read, and its embedded files are read
only up to a cap (a small PDF can carry a huge compressed stream).
"""
from __future__ import annotations

import datetime
import hashlib
import io
import zlib
from dataclasses import dataclass, field
from typing import Any, Optional

import pikepdf
from pikepdf.models.metadata import encode_pdf_date

from roadmap.exports import (pdfembedded, pdfextras, pdflayout, pdfrefs, pdfresources,
                             pdfstructure, pdftrees, pdfxmp)

# The 200-item portfolio is 264 pages, the mean one (54 items) 82: 1,500 pages is a portfolio of
# over a thousand items. Checking costs about 7 ms a page, so the largest upload /verify takes
# costs about 10 s of one process (an outsider's 4,999 repeated pages took 34 s).
MAX_PAGES = 1500
MAX_EMBEDDED = 64 * 1024 * 1024  # data.json of the largest portfolio is a few MB
MAX_PAGE = 16 * 1024 * 1024  # one page's drawing instructions: a dense page is about 100 KB
DATA_NAME = pdfembedded.DATA_NAME
MANIFEST_NAME = pdfembedded.MANIFEST_NAME


PASSWORD = ("This file is protected with a password, so it cannot be checked: upload the file "
            "as the service made it")


class NotReadable(ValueError):
    """The file is not a PDF we can read, or not one of ours; the message says which."""


@dataclass
class Opened:
    """What the checker reads of a PDF: its page digests and our two embedded files."""

    pages: list[str]
    data: Optional[bytes]
    manifest: Optional[bytes]
    tagged: bool
    pdfa: Optional[str]  # "3A" from the XMP metadata, when it claims PDF/A
    changed: list[str] = field(default_factory=list)  # added or re-saved since, in words
    content_pages: list[str] = field(default_factory=list)  # digests as manifest version 1
    annotated: list[int] = field(default_factory=list)  # pages with annotations other than links
    title: dict[str, Any] = field(default_factory=dict)  # pdfextras.title_and_language
    resources: list[str] = field(default_factory=list)  # per page: its fonts, images (pdfresources)
    properties: dict[str, Any] = field(default_factory=dict)  # pdfextras.properties
    outline: Optional[str] = None  # pdfextras.outline_digest
    structure: dict[str, Any] = field(default_factory=dict)  # structure(): geometry, tags, navigation
    descriptions: dict[str, Optional[str]] = field(default_factory=dict)  # pdfembedded
    made_by: dict[str, Any] = field(default_factory=dict)  # pdfxmp.made_by: producer, history


def _decoded(stream: pikepdf.Stream, largest: int, what: str) -> bytes:
    """A stream's decoded bytes, never more than `largest`: a few KB of Flate can inflate to
    gigabytes, so Flate is inflated here with a cap; other filters (WeasyPrint writes none)
    are left encoded (a changed one still changes its digest)."""
    if not isinstance(stream, pikepdf.Stream):  # a damaged file's reference leads to nothing
        raise NotReadable("The PDF is damaged and cannot be read.")
    raw = stream.read_raw_bytes()
    filters = stream.get("/Filter")
    if filters is None:
        decoded = raw
    elif filters == pikepdf.Name.FlateDecode and "/DecodeParms" not in stream:
        inflate = zlib.decompressobj()
        try:
            decoded = inflate.decompress(raw, largest + 1)
        except zlib.error:
            raise NotReadable("The PDF is damaged and cannot be read.") from None
        if inflate.unused_data.strip():
            # Bytes after the packed data's end: a reader that ignores the filter (pdf.js,
            # told so by /F) or unpacks otherwise reads them; zlib drops them.
            raise NotReadable("Part of the PDF holds data beyond its end, which PDF viewers "
                              "read differently, so it cannot be checked.")
    else:
        decoded = raw
    if len(decoded) > largest:
        raise NotReadable(f"The {what} is larger than any portfolio's.")
    return decoded


def _contents(page: pikepdf.Page, largest: int) -> bytes:
    contents = page.obj.get("/Contents")
    if contents is None:
        return b""
    streams = contents if isinstance(contents, pikepdf.Array) else [contents]
    # A viewer reads each boundary between a page's streams as white space: joined without
    # one, a number split in two across streams ("841.88" "9764") would digest as the whole.
    return b"\n".join(_decoded(stream, largest, "page content") for stream in streams)


def page_digests(pdf: pikepdf.Pdf, annotations: bool = True) -> list[str]:
    """The SHA-256 of every page's content streams (decoded) and annotations, in page order.

    The content streams are what a page shows: text, its positions, which images where; the
    annotations are drawn over them (a stamp, a note, a link). A page with no annotation has
    the digest of its content alone, as files made before annotations were covered have.
    """
    numbers = pdfextras.page_numbers(pdf)
    digests = []
    for page in pdf.pages:
        annots = pdfextras.annotations(page, numbers) if annotations else b""
        content = _contents(page, MAX_PAGE)
        digests.append(hashlib.sha256(content + (b"\n%annotations\n" + annots if annots
                                                 else b"")).hexdigest())
    return digests


def _pdfa(pdf: pikepdf.Pdf) -> Optional[str]:
    try:
        meta = pdf.open_metadata()
        part, conformance = meta.get("pdfaid:part"), meta.get("pdfaid:conformance")
    except Exception:  # a broken XMP packet claims nothing
        return None
    return f"{part}{conformance}" if part else None


# Mended /Type keys in the page tree, which pdftrees names on its own.
_TYPE_MENDED = ("/Type key should be /Pages but is not", "/Type key should be /Page but is not")
REPAIRED = ("Parts of the file are damaged, and PDF readers have to repair or guess at them to "
            "read them: PDF viewers may show parts other than the ones checked.")


def read(content: bytes) -> Opened:
    """Open a PDF from memory and read what the checker needs; NotReadable if it cannot."""
    if not content.lstrip()[:5].startswith(b"%PDF-"):
        raise NotReadable("The file is not a PDF.")
    try:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise NotReadable("The PDF has more pages than any portfolio.")
            tagged = "/StructTreeRoot" in pdf.Root and bool(
                pdf.Root.get("/MarkInfo", {}).get("/Marked", False))
            # Read as strictly as the most trusting viewer reads them: every listing of our
            # two files, both copies a file specification may hold, the names shown.
            embedded = pdfembedded.read(pdf, _decoded, MAX_EMBEDDED)
            data, found = embedded.data, embedded.manifest
            # Pages are read only from a file that carries our data: nothing else is checked.
            warned = [str(warning) for warning in pdf.get_warnings()]  # each is said once
            pages = page_digests(pdf) if data is not None and found is not None else []
            changed = list(dict.fromkeys(  # an added attachment is found by both readers
                pdftrees.page_count_problems(pdf, warned) + embedded.problems
                + pdftrees.tree_problems(pdf)
                + pdfxmp.problems(pdf) + pdflayout.problems(content, pdf)
                + pdfrefs.problems(content, pdf) + pdfrefs.text_problems(pdf)
                + pdfextras.saved_again(content, pdf.is_encrypted) + pdfextras.added(pdf)
                if pages else []))
            opened = Opened(pages=pages, data=data, manifest=found, tagged=tagged,
                          pdfa=_pdfa(pdf), changed=changed,
                          title=pdfextras.title_and_language(pdf),
                          content_pages=page_digests(pdf, annotations=False) if pages else [],
                          annotated=pdfextras.annotated(pdf) if pages else [],
                          resources=resource_digests(pdf) if pages else [],
                          properties=pdfextras.properties(pdf) if pages else {},
                          outline=pdfextras.outline_digest(pdf) if pages else None,
                          structure=structure(pdf) if pages else {},
                          descriptions=embedded.descriptions,
                          made_by=pdfxmp.made_by(pdf) if pages else {})
            # qpdf had to repair or guess at what it read (a stream's start, its length, a
            # damaged object): there, other readers may read something else.
            warned += [str(warning) for warning in pdf.get_warnings()]
            if pages and any(not any(said in warning for said in _TYPE_MENDED)
                             for warning in warned):
                opened.changed.append(REPAIRED)
            return opened
    except NotReadable:
        raise
    except pikepdf.PasswordError:
        raise NotReadable(PASSWORD) from None
    except (pikepdf.PdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise NotReadable("The PDF is damaged and cannot be read.") from None


def attach(pdf_bytes: bytes, name: str, data: bytes, description: str,
           relationship: str) -> bytes:
    """The PDF with one more embedded file, listed as a PDF/A-3 associated file (/AF)."""
    now = encode_pdf_date(datetime.datetime.now(datetime.timezone.utc))
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        spec = pikepdf.AttachedFileSpec(
            pdf, data, description=description, filename=name, mime_type="application/json",
            relationship=pikepdf.Name("/" + relationship), creation_date=now, mod_date=now)
        pdf.attachments[name] = spec
        # Every embedded file listed once as an associated file (WeasyPrint 70 lists its own twice).
        listed = [*(pdf.Root.get("/AF") or []), pdf.attachments[name].obj]
        unique = {tuple(entry.objgen) if entry.is_indirect else id(entry): entry
                  for entry in listed}
        pdf.Root.AF = pdf.make_indirect(pikepdf.Array(list(unique.values())))
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def digests_of(pdf_bytes: bytes) -> list[str]:
    """The page digests of a PDF we just made."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        return page_digests(pdf)


def resource_digests(pdf: pikepdf.Pdf) -> list[str]:
    """The digest of every page's fonts, images and other resources (pdfresources)."""
    return pdfresources.page_resources(pdf, _decoded, MAX_EMBEDDED)


def structure(pdf: pikepdf.Pdf) -> dict[str, Any]:
    """Each page's boxes and rotation, the tags, and how the file opens and leads (pdfstructure)."""
    pages = pdfextras.page_numbers(pdf)
    return {"geometry": pdfstructure.page_geometry(pdf, _decoded, MAX_EMBEDDED),
            "tags": pdfstructure.tags(pdf, _decoded, MAX_EMBEDDED, pages),
            "navigation": pdfstructure.navigation(pdf, _decoded, MAX_EMBEDDED, pages),
            "encodings": pdfstructure.encodings(pdf),
            "bookmarks": pdfstructure.bookmarks(pdf, _decoded, MAX_EMBEDDED, pages)}


def made_as(pdf_bytes: bytes) -> tuple[list[str], dict[str, Any]]:
    """The page digests, title, language, resource digests, other properties, bookmarks' and
    structure digests, producer and history of a PDF we just made, for its manifest."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        found = pdfextras.title_and_language(pdf)
        return page_digests(pdf), {"title": found["title"], "lang": found["lang"],
                                   "resources": resource_digests(pdf),
                                   "properties": pdfextras.properties(pdf),
                                   "outline": pdfextras.outline_digest(pdf),
                                   "structure": structure(pdf),
                                   "made_by": pdfxmp.made_by(pdf)}

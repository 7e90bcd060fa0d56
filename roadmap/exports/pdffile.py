"""Reading and finishing archival PDFs with pikepdf: page digests, embedded files, limits.

A PDF from an upload is untrusted: it is opened from memory, never written anywhere, its
size and page count are capped before anything else is read, and its embedded files are read
only up to a cap (a small PDF can carry a huge compressed stream).
"""
from __future__ import annotations

import datetime
import hashlib
import io
from dataclasses import dataclass
from typing import Optional

import pikepdf
from pikepdf.models.metadata import encode_pdf_date

MAX_PAGES = 5000
MAX_EMBEDDED = 64 * 1024 * 1024  # data.json of the largest portfolio is a few MB
DATA_NAME = "data.json"
MANIFEST_NAME = "signatures.json"


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


def _contents(page: pikepdf.Page) -> bytes:
    contents = page.obj.get("/Contents")
    if contents is None:
        return b""
    streams = contents if isinstance(contents, pikepdf.Array) else [contents]
    return b"".join(stream.read_bytes() for stream in streams)


def page_digests(pdf: pikepdf.Pdf) -> list[str]:
    """The SHA-256 of every page's content streams (decoded), in page order.

    The content streams are what a page shows: text, its positions, which images where.
    """
    return [hashlib.sha256(_contents(page)).hexdigest() for page in pdf.pages]


def _embedded(pdf: pikepdf.Pdf, name: str) -> Optional[bytes]:
    spec = pdf.attachments.get(name)
    if spec is None:
        return None
    stream = spec.get_file().obj
    length = int(stream.get("/Length", 0))
    declared = int(stream.get("/Params", {}).get("/Size", 0)) if "/Params" in stream else 0
    if max(length, declared) > MAX_EMBEDDED:
        raise NotReadable(f"the embedded {name} is larger than any portfolio's")
    data = stream.read_bytes()
    if len(data) > MAX_EMBEDDED:
        raise NotReadable(f"the embedded {name} is larger than any portfolio's")
    return data


def _pdfa(pdf: pikepdf.Pdf) -> Optional[str]:
    try:
        meta = pdf.open_metadata()
        part, conformance = meta.get("pdfaid:part"), meta.get("pdfaid:conformance")
    except Exception:  # a broken XMP packet claims nothing
        return None
    return f"{part}{conformance}" if part else None


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
            return Opened(pages=page_digests(pdf), data=_embedded(pdf, DATA_NAME),
                          manifest=_embedded(pdf, MANIFEST_NAME), tagged=tagged,
                          pdfa=_pdfa(pdf))
    except NotReadable:
        raise
    except (pikepdf.PdfError, ValueError, KeyError, TypeError, RecursionError):
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

"""What a viewer does with a PDF's pages beyond drawing them, as digests for the manifest
(version 5): each page's boxes and rotation, the tags a screen reader reads, and how the file
opens and where its links lead; from version 6 also how each stream a page draws with is
encoded, and the bookmarks whole (their actions, colours and styles).

A page's drawing and its fonts can be untouched while a reader still sees something else: a
crop box that hides the lower half of the cover, a page turned on its side, a contents link
whose named destination now leads to another page, an alternative text read aloud instead of
what is printed, viewer settings that hide the title. Each digest is of the objects' meaning
(pdfresources: sorted keys, decoded streams, object numbers left out, a reference to a page as
its number), so a plain re-save by another tool changes none of them.
"""
from __future__ import annotations

import hashlib
from typing import Any

import pikepdf

from roadmap.exports.pdfresources import Decoder, _Digests, inherited

# A page's own drawing, resources and annotations have digests of their own (pdffile,
# pdfresources); /Parent leads back up the page tree.
_PAGE_ELSEWHERE = {"/Contents", "/Resources", "/Annots", "/Parent"}
_INHERITED = ("/MediaBox", "/CropBox", "/Rotate")  # a page may take these from the page tree
# The catalog's parts covered elsewhere: the pages, the bookmarks (pdfextras.outline_digest),
# the XMP metadata and language (pdfextras.properties, title_problems), the tags (below) and
# the embedded files (signatures.json is attached after the manifest is made; others are
# reported by pdfextras.added).
_CATALOG_ELSEWHERE = {"/Pages", "/Outlines", "/Metadata", "/Lang", "/StructTreeRoot",
                      "/MarkInfo", "/AF", "/Names", "/Type"}
_STORAGE = {"/Length", "/Filter", "/DecodeParms", "/Parent"}


def _hex(digest: bytes) -> str:
    return hashlib.sha256(digest).hexdigest()


def page_geometry(pdf: pikepdf.Pdf, decoded: Decoder, largest: int) -> list[str]:
    """Per page: its boxes, rotation, user unit and any other setting of its own."""
    digests = _Digests(decoded, largest, skipped=frozenset(_STORAGE))
    found = []
    for page in pdf.pages:
        parts = []
        for key in sorted(set(page.obj.keys()) | set(_INHERITED)):
            if key in _PAGE_ELSEWHERE:
                continue
            value = page.obj[key] if key in page.obj else inherited(page.obj, key)
            if value is not None:
                parts.append(key.encode() + digests.of(value))
        found.append(_hex(b"".join(parts)))
    return found


def tags(pdf: pikepdf.Pdf, decoded: Decoder, largest: int, pages: dict[Any, int]) -> str:
    """The structure tree (headings, tables, lists, alternative and actual texts) and the
    marking that says the file is tagged; /P leads back up the tree."""
    digests = _Digests(decoded, largest, pages, frozenset(_STORAGE | {"/P"}))
    root = pdf.Root
    return _hex(b"tree" + digests.of(root.get("/StructTreeRoot"))
                + b"mark" + digests.of(root.get("/MarkInfo")))


def navigation(pdf: pikepdf.Pdf, decoded: Decoder, largest: int, pages: dict[Any, int]) -> str:
    """How the file opens and where it leads: the catalog's viewer settings, page labels, open
    action and named destinations, and every page's annotations in full (flags, borders,
    appearances, targets)."""
    digests = _Digests(decoded, largest, pages, frozenset(_STORAGE | {"/P"}))
    root, parts = pdf.Root, []
    for key in sorted(root.keys()):
        if key not in _CATALOG_ELSEWHERE:
            parts.append(key.encode() + digests.of(root[key]))
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for key in sorted(names.keys()):
            if key != "/EmbeddedFiles":
                parts.append(b"names" + key.encode() + digests.of(names[key]))
    for number, page in enumerate(pdf.pages, start=1):
        annots = page.obj.get("/Annots")
        if annots is not None:
            parts.append(b"annots %d" % number + digests.of(annots))
    return _hex(b"".join(parts))


# Streams whose data every digest reads decoded: no filter, or Flate without parameters. Any
# other encoding is digested as stored, so what decodes it must be held to the file too.
_FLATE = pikepdf.Name.FlateDecode


def _plain_encoding(stream: pikepdf.Stream) -> bool:
    filters = stream.get("/Filter")
    return filters is None or (filters == _FLATE and "/DecodeParms" not in stream)


def _spec(value: Any) -> str:
    """A filter or its parameters in words of our own, not pikepdf's repr (which may change
    between versions and would make every file with an image check as changed)."""
    if value is None:
        return "none"
    if isinstance(value, pikepdf.Array):
        return "[" + ",".join(_spec(item) for item in value) + "]"
    if isinstance(value, pikepdf.Dictionary):
        return "{" + ",".join(f"{key}:{_spec(value[key])}" for key in sorted(value.keys())) + "}"
    return str(value)


def encodings(pdf: pikepdf.Pdf) -> str:
    """How every stream a page draws with is encoded, for the streams the digests read as
    stored: a page's drawing stored as its own bytes under another filter (a viewer then
    decodes it to nothing) changes no other digest. A re-save that compresses or leaves
    uncompressed changes nothing here."""
    seen: set[tuple[int, int]] = set()
    found: list[str] = []

    def visit(value: object) -> None:
        ref = getattr(value, "objgen", (0, 0))
        if ref != (0, 0):
            if ref in seen:
                return
            seen.add(ref)
        if isinstance(value, pikepdf.Stream):
            found.append("plain" if _plain_encoding(value) else
                         f"{_spec(value.get('/Filter'))} {_spec(value.get('/DecodeParms'))}")
        if isinstance(value, (pikepdf.Dictionary, pikepdf.Stream)):
            for key in sorted(value.keys()):
                if key not in _STORAGE and key != "/P":
                    visit(value[key])
        elif isinstance(value, pikepdf.Array):
            for item in value:
                visit(item)

    for page in pdf.pages:
        visit(page.obj.get("/Contents"))
        visit(inherited(page.obj, "/Resources"))
        found.append("page")
    return _hex("\n".join(found).encode("utf-8"))


def bookmarks(pdf: pikepdf.Pdf, decoded: Decoder, largest: int, pages: dict[Any, int]) -> str:
    """The bookmarks whole: each entry's title, target, action, colour and style."""
    digests = _Digests(decoded, largest, pages, frozenset(_STORAGE | {"/P"}))
    return _hex(digests.of(pdf.Root.get("/Outlines")))

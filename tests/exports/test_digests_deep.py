"""The digests of a file's objects are worked out without recursion, and are the digests the
recursive definition gives: a file checked before the change checks the same after."""
from __future__ import annotations

import hashlib
import io

import pikepdf

from roadmap.exports import pdffile, pdfresources, pdfstructure
from tests.exports import test_archival as made

app_config, enrolment, pdf = made.app_config, made.enrolment, made.pdf
LARGEST = 1 << 26


class Recursive(pdfresources._Digests):
    """The definition as it was first written (recursively): the reference."""

    def of(self, value: object) -> bytes:
        ref = getattr(value, "objgen", (0, 0))
        indirect = ref != (0, 0)
        if indirect and ref in self.pages:
            return b"page %d" % self.pages[ref]
        if indirect and ref in self.known:
            return self.known[ref]
        if indirect and ref in self.open:
            return b"cycle"
        if indirect:
            self.open.add(ref)
        digest = hashlib.sha256(self._parts(value)).digest()
        if indirect:
            self.open.discard(ref)
            self.known[ref] = digest
        return digest

    def _parts(self, value: object) -> bytes:
        if isinstance(value, pikepdf.Stream):
            return b"stream" + self._dictionary(value) + self.decoded(value, self.largest, "x")
        if isinstance(value, pikepdf.Dictionary):
            return b"dict" + self._dictionary(value)
        if isinstance(value, pikepdf.Array):
            return b"array" + b"".join(self.of(item) for item in value)
        return b"value" + repr(value).encode("utf-8", "backslashreplace")

    def _dictionary(self, value) -> bytes:
        return b"".join(key.encode() + self.of(value[key])
                        for key in sorted(value.keys()) if key not in self.skipped)


def test_every_digest_of_a_real_file_is_the_recursive_definitions(pdf):
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        pages = {page.obj.objgen: number for number, page in enumerate(doc.pages, start=1)}
        roots = [doc.Root.get("/Outlines"), doc.Root.get("/StructTreeRoot"), doc.Root,
                 *(page.obj.get("/Resources") for page in doc.pages)]
        for skipped in (frozenset({"/Length", "/Filter", "/DecodeParms", "/Parent"}),
                        frozenset({"/Length", "/Filter", "/DecodeParms", "/P"})):
            new = pdfresources._Digests(pdffile._decoded, LARGEST, pages, skipped)
            old = Recursive(pdffile._decoded, LARGEST, pages, skipped)
            for root in roots:
                assert new.of(root) == old.of(root)
            assert new.known == old.known and len(new.known) > 1000


def test_a_file_with_thousands_of_bookmarks_in_a_row_is_digested():
    """A 200-item portfolio's own form has a bookmark per item, each naming the next: the
    recursive digest passed Python's recursion limit and the refresh failed every time."""
    doc = pikepdf.new()
    doc.add_blank_page()
    with doc.open_outline() as outline:
        outline.root.extend(pikepdf.OutlineItem(f"E{n}. An item", 0) for n in range(5000))
    saved = io.BytesIO()
    doc.save(saved)
    with pikepdf.open(io.BytesIO(saved.getvalue())) as again:
        pages = {again.pages[0].obj.objgen: 1}
        first = pdfstructure.bookmarks(again, pdffile._decoded, LARGEST, pages)
        again.Root.Outlines.Last.Title = pikepdf.String("E4999. Another item")
        assert pdfstructure.bookmarks(again, pdffile._decoded, LARGEST, pages) != first

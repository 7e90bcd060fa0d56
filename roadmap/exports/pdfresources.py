"""What a page draws with besides its content stream: fonts, images and the rest of its
resources, as one digest per page.

The content stream says which glyph of which font goes where and which image is drawn; the
font programs, their text maps (what a screen reader and copying read) and the images are
separate objects. A file whose page content is untouched but whose image or font was swapped
looks different or reads differently, so the manifest (version 3) holds these digests too.

The digest is of the objects' meaning, not their bytes on disk: dictionaries by sorted key,
streams by their decoded data (Flate inflated with a cap; other filters, such as JPEG, as
stored), references by what they point to. Saving the file again with another tool
renumbers objects and may re-compress streams; neither changes a digest.
"""
from __future__ import annotations

import hashlib
from typing import Callable, Optional

import pikepdf

_SKIPPED = {"/Length", "/Filter", "/DecodeParms", "/Parent"}  # how it is stored, or a way back up
Decoder = Callable[[pikepdf.Stream, int, str], bytes]


class _Digests:
    """Digests of the objects of one open file, each indirect object worked out once."""

    def __init__(self, decoded: Decoder, largest: int,
                 pages: Optional[dict[tuple[int, int], int]] = None,
                 skipped: frozenset[str] = frozenset(_SKIPPED)) -> None:
        self.decoded, self.largest, self.skipped = decoded, largest, skipped
        self.pages = pages or {}  # a reference to a page stands for its number, not its content
        self.known: dict[tuple[int, int], bytes] = {}
        self.open: set[tuple[int, int]] = set()  # being worked out: a reference back is a cycle

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
            return (b"stream" + self._dictionary(value)
                    + self.decoded(value, self.largest, "page's font or image"))
        if isinstance(value, pikepdf.Dictionary):
            return b"dict" + self._dictionary(value)
        if isinstance(value, pikepdf.Array):
            return b"array" + b"".join(self.of(item) for item in value)
        return b"value" + repr(value).encode("utf-8", "backslashreplace")

    def _dictionary(self, value: pikepdf.Dictionary | pikepdf.Stream) -> bytes:
        return b"".join(key.encode() + self.of(value[key])
                        for key in sorted(value.keys()) if key not in self.skipped)


def page_resources(pdf: pikepdf.Pdf, decoded: Decoder, largest: int) -> list[str]:
    """One digest per page of everything its /Resources reach (fonts, images, forms, states)."""
    digests = _Digests(decoded, largest)
    found = []
    for page in pdf.pages:
        node: Optional[pikepdf.Dictionary] = page.obj
        while node is not None and "/Resources" not in node:  # inherited from the page tree
            node = node.get("/Parent")
        resources: Optional[object] = node.get("/Resources") if node is not None else None
        found.append(hashlib.sha256(digests.of(resources) if resources is not None
                                    else b"none").hexdigest())
    return found

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
from dataclasses import dataclass
from typing import Any, Callable, Optional

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
        """The digest of a value and everything it reaches.

        Worked out with a stack of its own, not by recursion: a chain of objects as long as a
        200-item portfolio's bookmarks (each names the next) passed Python's recursion limit.
        Each object's digest is the one the recursive definition gives: sha256 of its kind,
        then each key (sorted) and the digest of its value, or each item's digest, then a
        stream's decoded data."""
        done = self._start(value)
        if done is not None:
            return done
        stack = [self._frame(value)]
        result = b""
        while stack:
            frame = stack[-1]
            if frame.children:
                key, child = frame.children.pop()
                frame.parts.append(key)
                found = self._start(child)
                if found is None:
                    stack.append(self._frame(child))
                else:
                    frame.parts.append(found)
                continue
            stack.pop()
            result = self._finish(frame)
            if stack:
                stack[-1].parts.append(result)
        return result

    def _start(self, value: object) -> Optional[bytes]:
        """A value's digest when known without looking inside it; else marks it open."""
        ref = getattr(value, "objgen", (0, 0))
        if ref != (0, 0):
            if ref in self.pages:
                return b"page %d" % self.pages[ref]
            if ref in self.known:
                return self.known[ref]
            if ref in self.open:
                return b"cycle"
            self.open.add(ref)
        if not isinstance(value, (pikepdf.Stream, pikepdf.Dictionary, pikepdf.Array)):
            self.open.discard(ref)  # a reference to a plain value: nothing inside it
            digest = hashlib.sha256(b"value" + repr(value).encode("utf-8", "backslashreplace"))
            if ref != (0, 0):
                self.known[ref] = digest.digest()
            return digest.digest()
        return None

    def _frame(self, value: object) -> "_Frame":
        if isinstance(value, pikepdf.Array):
            children = [(b"", item) for item in value]
            kind = b"array"
        else:
            assert isinstance(value, (pikepdf.Dictionary, pikepdf.Stream))
            children = [(key.encode(), value[key]) for key in sorted(value.keys())
                        if key not in self.skipped]
            kind = b"stream" if isinstance(value, pikepdf.Stream) else b"dict"
        children.reverse()  # popped from the end: first key first
        return _Frame(value, getattr(value, "objgen", (0, 0)), [kind], children)

    def _finish(self, frame: "_Frame") -> bytes:
        if isinstance(frame.value, pikepdf.Stream):
            frame.parts.append(self.decoded(frame.value, self.largest, "page's font or image"))
        digest = hashlib.sha256(b"".join(frame.parts)).digest()
        if frame.ref != (0, 0):
            self.open.discard(frame.ref)
            self.known[frame.ref] = digest
        return digest


@dataclass
class _Frame:
    """One object being digested: what is said of it so far, and what is still to look at."""

    value: Any
    ref: tuple[int, int]
    parts: list[bytes]
    children: list[tuple[bytes, Any]]


_UP = 64  # no page tree a PDF writer makes is this deep


def lineage(page: Any) -> tuple[list[Any], bool]:
    """The page and the nodes above it in its page tree (/Parent), nearest first, and whether
    the chain came back on itself or ran deeper than any page tree (pdfembedded reports that;
    here it only stops the walk, which would otherwise never end)."""
    nodes: list[Any] = []
    node, seen = page, set()
    for _ in range(_UP):
        if not isinstance(node, pikepdf.Dictionary):
            return nodes, False
        if node.is_indirect:
            if node.objgen in seen:
                return nodes, True
            seen.add(node.objgen)
        nodes.append(node)
        node = node.get("/Parent")
    return nodes, True


def inherited(page: Any, key: str) -> Any:
    """A page's own value for `key`, or the nearest one up its page tree; None when none."""
    return next((node[key] for node in lineage(page)[0] if key in node), None)


def page_resources(pdf: pikepdf.Pdf, decoded: Decoder, largest: int) -> list[str]:
    """One digest per page of everything its /Resources reach (fonts, images, forms, states)."""
    digests = _Digests(decoded, largest)
    found = []
    for page in pdf.pages:
        resources = inherited(page.obj, "/Resources")
        found.append(hashlib.sha256(digests.of(resources) if resources is not None
                                    else b"none").hexdigest())
    return found

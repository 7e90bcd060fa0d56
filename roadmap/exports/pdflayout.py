"""Whether every PDF viewer finds the same objects in the file as the check does.

The check reads a file through qpdf, which finds each object where the file's cross-reference
(its index of objects) says. A viewer finds them by the same index only while the index is
sound and there is one way to read it; otherwise each reader has its own way, and a forger can
put one object where the check looks and another where a viewer looks:

- a damaged index (an end marker that is not the last "startxref", an entry pointing at another
  object): pdf.js and poppler then rebuild the index by scanning the file, where the last copy
  of an object wins, even a copy the index never lists;
- a linearized file ("fast web view"): pdf.js takes the first page, the page count and a first
  index from the linearization dictionary at the start, which qpdf does not read;
- an object inside a compressed group (an object stream): pdf.js takes the object at the index's
  position in the group, qpdf the object whose number the group lists there;
- an index in several sections (/Prev, a hybrid /XRefStm, one object listed twice), which
  readers combine in different orders.

So the file must have one sound index, read one way: each of these is refused, in words. Files
as the service and whole-file savers (qpdf, Acrobat's Save As without fast web view) write
them pass.
"""
from __future__ import annotations

import re
from typing import Any, Optional

import pikepdf

WS = rb"[\0\t\n\f\r ]"
_TAIL = re.compile(rb"startxref" + WS + rb"+(\d+)" + WS + rb"+%%EOF" + WS + rb"*\Z")
OBJECT = re.compile(rb"(\d+)" + WS + rb"+(\d+)" + WS + rb"+obj(?![^\0\t\n\f\r ()<>\[\]{}/%])")
_SUBSECTION = re.compile(WS + rb"*(\d+)" + WS + rb"+(\d+)" + WS + rb"*[\r\n]")
# "N G R", a reference (a dictionary's keys are read here without the file, so each is 0).
REFERENCE = re.compile(rb"(?<![\d.+-])(\d+)" + WS + rb"+(\d+)" + WS
                       + rb"+R(?![^\0\t\n\f\r ()<>\[\]{}/%])")
_ENTRY = re.compile(rb"\d{10} \d{5} [nf](?:\r\n| \r| \n|\r|\n)")
_SAYS = ("The file's index of its parts (its cross-reference) {}: PDF viewers may show parts "
         "other than the ones checked.")


def problems(content: bytes, pdf: pikepdf.Pdf) -> list[str]:
    """Why viewers may find other objects in the file than the check found (none: they
    find the same)."""
    why = _why(content, pdf)
    return [] if why is None else [_SAYS.format(why)]


_UNREAD = "is not where the file says it is, or cannot be read as viewers read it"
_ROUTE = ("is one for fast web view (linearized) whose first page, page count or first section "
          "viewers read by another route than the check")


def _why(content: bytes, pdf: pikepdf.Pdf) -> Optional[str]:
    base = content.find(b"%PDF-")  # offsets count from the header, for every reader
    last = content.rfind(b"startxref")
    tail = _TAIL.match(content, last) if last >= 0 else None
    if tail is None:
        return "does not end as one (its last “startxref” is not followed by where it is)"
    start = base + int(tail.group(1))
    numbers, trailer = _section(content, start)
    if numbers is None or trailer is None or "/Root" not in trailer:
        return _UNREAD
    linearized = _linearization(content, base)
    if linearized is not None:
        # pdf.js reads the section just after the linearization dictionary, its first page
        # and its page count from the dictionary; qpdf from the end and the page tree. A
        # file linearized as qpdf and Acrobat write it agrees, its two sections apart.
        after, first_page, count = linearized
        if after != start or first_page != pdf.pages[0].objgen[0] or count != len(pdf.pages):
            return _ROUTE
        if "/Prev" in trailer:
            older, trailer = _section(content, base + int(trailer.Prev))
            if older is None or trailer is None or set(older) & set(numbers):
                return _ROUTE
            numbers += older
    if len(numbers) != len(set(numbers)):
        return "lists one part twice"
    if "/Prev" in trailer or "/XRefStm" in trailer:
        return "is in several sections, which viewers combine differently"
    return _entries(content, base, pdf)


def linearized(content: bytes) -> bool:
    """Whether the file is linearized ("fast web view") as pdf.js finds it."""
    return _linearization(content, max(content.find(b"%PDF-"), 0)) is not None


def _linearization(content: bytes, base: int) -> Optional[tuple[int, int, int]]:
    """When the file's first object is a linearization dictionary, as pdf.js finds it (the first
    object after the header, comments skipped, names perhaps written with #xx, /L the file's
    length): where the section after it starts, and the first page's object number and the
    page count it gives (-1 when not a number). None when it is not."""
    at = base
    while True:
        found = re.compile(WS + rb"*(%[^\r\n]*)?").match(content, at)
        if found is None or found.end() == at:
            break
        at = found.end()
    first = OBJECT.match(content, at)
    end = -1 if first is None else content.find(b"endobj", first.end())
    if first is None or end < 0:
        return None
    body = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]),
                  content[first.end():end])
    if b"/Linearized" not in body:
        return None

    def number(key: bytes) -> int:
        found = re.search(re.escape(key) + WS + rb"*(\d+)(?![\d.])", body)
        return int(found.group(1)) if found else -1

    if number(b"/L") != len(content) - base:
        return None  # pdf.js then reads the file as any other
    after = re.compile(rb"endobj" + WS + rb"*").match(content, end).end()
    return after, number(b"/O"), number(b"/N")


def _section(content: bytes, at: int) -> tuple[Optional[list[int]], Any]:
    """The object numbers one section of the index lists, in order, and its trailer."""
    if content.startswith(b"xref", at):
        return _table(content, at + 4)
    return _stream(content, at)


def _table(content: bytes, at: int) -> tuple[Optional[list[int]], Any]:
    """The object numbers a cross-reference table lists, in order, and its trailer."""
    numbers: list[int] = []
    while True:
        section = _SUBSECTION.match(content, at)
        if section is None:
            break
        first, count = int(section.group(1)), int(section.group(2))
        at = section.end()
        for n in range(count):
            entry = _ENTRY.match(content, at)
            if entry is None or (n == 0 and first == 1 and entry.group()[17:18] == b"f"):
                # pdf.js takes a list "from 1" that opens with a free entry as a list from 0,
                # so finds every part after it by another number than qpdf does.
                return None, None
            numbers.append(first + n)
            at = entry.end()
    keyword = re.compile(WS + rb"*trailer").match(content, at)
    if keyword is None:
        return None, None
    return numbers, written_dictionary(content[keyword.end():dictionary_end(content, keyword.end())])


def _stream(content: bytes, at: int) -> tuple[Optional[list[int]], Any]:
    """The object numbers a cross-reference stream lists, in order, and its dictionary."""
    found = OBJECT.match(content, at)
    trailer = None if found is None else written_dictionary(
        content[found.end():dictionary_end(content, found.end())])
    if trailer is None or trailer.get("/Type") != pikepdf.Name.XRef or not _stream_as_said(
            content, found.end(), trailer.get("/Length")):
        return None, None
    index = trailer.get("/Index", pikepdf.Array([0, trailer.get("/Size", 0)]))
    try:
        pairs = [int(value) for value in index]
    except (TypeError, ValueError):
        return None, None
    if len(pairs) % 2:
        return None, None
    numbers = [first + n for first, count in zip(pairs[::2], pairs[1::2]) for n in range(count)]
    return numbers, trailer


def dictionary_end(content: bytes, at: int) -> int:
    """Where the dictionary (or array) starting at `at` (spaces first) ends: its closing ">>"
    (or "]") matched, strings and comments skipped. -1 when it does not end."""
    depth, n, size = 0, at, min(len(content), at + 1_000_000)
    while n < size:
        char = content[n:n + 1]
        if content.startswith(b"<<", n) or char == b"[":
            depth, n = depth + 1, n + (1 if char == b"[" else 2)
            continue
        if content.startswith(b">>", n) or char == b"]":
            depth, n = depth - 1, n + (1 if char == b"]" else 2)
            if depth == 0:
                return n
            continue
        if char == b"(":
            n = string_end(content, n, size)
        elif char == b"<":
            n = content.find(b">", n) + 1 or size
        elif char == b"%":
            n = re.compile(rb"[^\r\n]*").match(content, n).end()
        else:
            n += 1
    return -1


def string_end(content: bytes, n: int, size: int) -> int:
    """Past the literal string starting at `n`: nested brackets balanced, escapes skipped."""
    depth = 0
    while n < size:
        char = content[n:n + 1]
        if char == b"\\":
            n += 2
            continue
        depth += (char == b"(") - (char == b")")
        n += 1
        if depth == 0:
            return n
    return size


def written_dictionary(text: bytes) -> Optional[pikepdf.Dictionary]:
    """A dictionary as written (a trailer, a stream's): only its keys and direct values are
    read, so references (which need the file to parse) stand as 0."""
    try:
        found = pikepdf.Object.parse(REFERENCE.sub(b" 0 ", text))
    except (pikepdf.PdfError, ValueError, RuntimeError):
        return None
    return found if isinstance(found, pikepdf.Dictionary) else None


def _entries(content: bytes, base: int, pdf: pikepdf.Pdf) -> Optional[str]:
    """Each listed object is where the index says: written there under its own number, or in
    a compressed group whose list names it at the index's position."""
    groups: dict[int, list[tuple[int, int]]] = {}
    for (number, generation), entry in pdf.get_xref_table().items():
        if entry.type == 1:
            found = OBJECT.match(content, base + (entry.offset or 0))
            if found is None or (int(found.group(1)), int(found.group(2))) != (number, generation):
                return "points at a place where another part, or none, is written"
            item = pdf.get_object((number, generation))
            if isinstance(item, pikepdf.Stream) and not _stream_as_said(
                    content, found.end(), item.stream_dict.get("/Length")):
                return _STREAM
        elif entry.type == 2:
            groups.setdefault(entry.obj_stream_number or 0, []).append(
                (number, entry.obj_stream_index or 0))
    for group, members in groups.items():
        listed = _group_numbers(pdf, group)
        if listed is None or len(listed) != len(set(listed)) or any(
                index >= len(listed) or listed[index] != number for number, index in members):
            return "points into a compressed group at a part with another number"
    return None


_STREAM_START = re.compile(WS + rb"*stream(\r\n|\n)")
_STREAM_END = re.compile(WS + rb"*endstream(?![^\0\t\n\f\r ()<>\[\]{}/%])")
_STREAM = ("holds a part whose data does not begin or end where the file says, so readers may "
           "read different data from it")


def _stream_as_said(content: bytes, at: int, length: Any) -> bool:
    """Whether the stream object whose dictionary starts at `at` has its data where every
    reader looks: "stream" then one line end (a space or a lone CR first, and qpdf starts the
    data at one byte, pdf.js and poppler at another), then /Length bytes, then "endstream"
    (else pdf.js searches for it and reads other data)."""
    end = dictionary_end(content, at)
    start = _STREAM_START.match(content, end) if end >= 0 else None
    if start is None or not isinstance(length, int) or isinstance(length, bool) or length < 0:
        return False
    return _STREAM_END.match(content, start.end() + length) is not None


def _group_numbers(pdf: pikepdf.Pdf, number: int) -> Optional[list[int]]:
    """The object numbers an object stream lists, in order (its header's pairs)."""
    try:
        group = pdf.get_object((number, 0))
        if not isinstance(group, pikepdf.Stream):
            return None
        first, count = int(group.stream_dict.get("/First")), int(group.stream_dict.get("/N"))
        header = group.read_bytes()[:first].split()
        return [int(value) for value in header[0:2 * count:2]]
    except (pikepdf.PdfError, TypeError, ValueError):
        return None

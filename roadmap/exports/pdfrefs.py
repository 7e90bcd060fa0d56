"""What the file's objects say as written, where qpdf reads them otherwise than pdf.js.

The check reads the file through qpdf, which mends and decodes as it reads: it drops keys set
to null, moves what a list of pages carries into its pages, reads a reference to a missing
generation as null and decodes strings with a loss. pdf.js reads the bytes its own way. So
each of these is read here as written, and refused when the two readers would differ:
references to an object under another generation, lists of pages carrying more than their
pages, streams said to be stored elsewhere (/F, /DP), literal strings written oddly (octal
escapes above \\377, a bare return), and text strings qpdf decodes with a loss.
"""
from __future__ import annotations

import re
from typing import Iterator

import pikepdf

from roadmap.exports.pdflayout import (OBJECT, REFERENCE, WS, dictionary_end, string_end,
                                       written_dictionary)

_MARKS = re.compile(rb"[(<%]")
SAYS = ("The file refers to one of its parts by a number it holds under another generation: "
        "PDF viewers may show there a part the check reads as nothing.")


def problems(content: bytes, pdf: pikepdf.Pdf) -> list[str]:
    """Whether any object of the file refers to an object under a generation it is not held
    under (none: the file says nothing of the kind)."""
    table = pdf.get_xref_table()
    held = {number: generation for (number, generation), entry in table.items()
            if entry.type in (1, 2)}
    base = max(content.find(b"%PDF-"), 0)
    found = []
    for text, stream in _bodies(content, base, pdf, table):
        literals: list[bytes] = []
        if any(number in held and held[number] != generation
               for number, generation in _references(text, literals)):
            found.append(SAYS)
        if any(_written_oddly(literal) for literal in literals):
            found.append(ODD_TEXT)
        if _passes_on(text):
            found.append(PASSES_ON)
        if stream and _written_keys(text) & _ELSEWHERE:
            found.append(ELSEWHERE)
    return list(dict.fromkeys(found))


# A list of pages holds its pages and nothing a page could take from it. Read as written:
# qpdf moves what a list carries down into its pages as it opens the file (and takes a page's
# key set to null for no key), while pdf.js takes a page's annotations from the lists above
# it and stops at a null; so what a list carries would reach a viewer's page unchecked.
_LIST_KEYS = {"/Type", "/Kids", "/Count", "/Parent"}
PASSES_ON = ("The file's list of pages carries something of its own that PDF viewers pass on "
             "to the pages under it in different ways (annotations, resources, a size): a viewer "
             "may show on a page what the check does not read there.")


def _passes_on(text: bytes) -> bool:
    """Whether an object, as written, is a list of pages carrying more than its pages."""
    if b"/Kids" not in text and b"#" not in text:
        return False
    found = written_dictionary(text)
    return (found is not None and found.get("/Type") == pikepdf.Name.Pages
            and bool(set(found.keys()) - _LIST_KEYS))


_SPACES = re.compile(rb"(" + WS + rb"|%[^\r\n]*)*")
_AFTER = re.compile(rb"(endobj|stream)(?![^\0\t\n\f\r ()<>\[\]{}/%])")
_UNREAD = b"<< /F 0 >>"  # an object not written as one value: taken for the worst


def _written(content: bytes, at: int) -> tuple[bytes, bool]:
    """The one value an object holds as written, from `at` (just past "N G obj") to where
    "endobj" or "stream" follows it, strings and comments skipped (an "endobj" in either is
    text); and whether it is a stream's dictionary."""
    start = _SPACES.match(content, at).end()
    if content.startswith((b"<<", b"["), start):
        end = dictionary_end(content, start)
    else:
        window = _blanked(content[start:start + 4096])
        found = _AFTER.search(window)
        end = -1 if found is None else start + found.start()
    if end < 0:
        return _UNREAD, True
    after = _AFTER.match(content, _SPACES.match(content, end).end())
    if after is None:
        return _UNREAD, True
    return content[start:end], after.group(1) == b"stream"


def _bodies(content: bytes, base: int, pdf: pikepdf.Pdf,
            table: dict) -> Iterator[tuple[bytes, bool]]:
    """Each object's written form: a dictionary or value as written (a stream's dictionary
    only), whether in the file or in a compressed group; and whether it is a stream's."""
    groups = set()
    for (number, generation), entry in table.items():
        if entry.type == 2:
            groups.add(entry.obj_stream_number or 0)
        if entry.type != 1:
            continue
        found = OBJECT.match(content, base + (entry.offset or 0))
        if found is None:
            continue  # pdflayout says so
        yield _written(content, found.end())
    for group in groups:
        try:
            stream = pdf.get_object((group, 0))
            data, first = stream.read_bytes(), int(stream.stream_dict.get("/First"))
            places = [int(value) for value in data[:first].split()[1::2]]
        except (pikepdf.PdfError, AttributeError, TypeError, ValueError):
            continue
        for start, end in zip(places, [*places[1:], len(data) - first]):
            yield data[first + start:first + end], False


# A stream whose data is said to be in another file (/F, with its /FFilter and /FDecodeParms)
# or with an abbreviated filter (/DP): the service writes none, and pdf.js takes /F for the
# filter before /Filter (so /F [] or /F null means no filter to pdf.js and Flate to qpdf).
_ELSEWHERE = {"/F", "/DP", "/FFilter", "/FDecodeParms"}
ELSEWHERE = ("The file holds a part whose data is said to be stored elsewhere or unpacked in "
             "another way (/F or /DP), which PDF viewers read differently: a viewer may show "
             "other data than the data checked.")


def _written_keys(text: bytes) -> set[str]:
    """A dictionary's keys as written, those set to null included (qpdf drops them)."""
    blanked = REFERENCE.sub(b" 0 ", text)  # inside a string too: its text is not read here
    blanked = re.sub(rb"(?<![^\0\t\n\f\r ()<>\[\]{}/%])null(?![^\0\t\n\f\r ()<>\[\]{}/%])",
                     b"/Null", blanked)
    try:
        found = pikepdf.Object.parse(blanked)
    except (pikepdf.PdfError, ValueError, RuntimeError):
        return set(_ELSEWHERE)  # not read as written: taken for the worst
    return set(found.keys()) if isinstance(found, pikepdf.Dictionary) else set()


def _references(text: bytes, literals: "list[bytes] | None" = None) -> Iterator[tuple[int, int]]:
    """Every "N G R" outside strings and comments (each literal string to `literals`)."""
    for found in REFERENCE.finditer(_blanked(text, literals)):
        yield int(found.group(1)), int(found.group(2))


def _blanked(text: bytes, literals: "list[bytes] | None" = None) -> bytes:
    """The text with its strings and comments blanked out (as spaces); each literal string
    as written (between its brackets) added to `literals` when given."""
    blanked, at = bytearray(text), 0
    while True:
        mark = _MARKS.search(text, at)
        if mark is None:
            break
        start = mark.start()
        if text.startswith(b"<<", start):
            at = start + 2
            continue
        if text[start:start + 1] == b"(":
            end = string_end(text, start, len(text))
            if literals is not None:
                literals.append(text[start + 1:end - 1])
        elif text[start:start + 1] == b"<":
            end = (text.find(b">", start) + 1) or len(text)
        else:
            found = re.compile(rb"[^\r\n]*").match(text, start)
            end = found.end() if found else len(text)
        blanked[start:end] = b" " * (end - start)
        at = end
    return bytes(blanked)


# Text strings that qpdf decodes with a loss: UTF-16 with a lone surrogate or an odd byte
# (qpdf drops them without a word), or holding ESC (U+001B), which opens a language code that
# pdf.js cuts out with what follows it. pdf.js then reads other text (or falls back to reading
# the bytes one by one), so the same decoded text (what the check compares) stands for
# different bytes (what a viewer shows: a link's target, a bookmark, a title, a file name).
ODD_TEXT = ("The file holds text written so that PDF viewers read it otherwise than the check "
            "(a name, title, bookmark or link target): a viewer may show or go to something "
            "other than what was checked.")
_BINARY = {"/ID", "/CheckSum", "/O", "/U", "/OE", "/UE", "/Perms", "/Panose"}
_MARKS_OF = ((b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"), (b"\xef\xbb\xbf", "utf-8"))


def text_problems(pdf: pikepdf.Pdf) -> list[str]:
    """Whether any text string in the file's objects is one qpdf decodes with a loss."""
    seen: set[tuple[int, int]] = set()
    stack: list = [pdf.trailer, *pdf.objects]
    while stack:
        value = stack.pop()
        ref = getattr(value, "objgen", (0, 0))
        if ref != (0, 0):
            if ref in seen:
                continue
            seen.add(ref)
        if isinstance(value, pikepdf.Array):
            items = list(value)
        elif isinstance(value, (pikepdf.Dictionary, pikepdf.Stream)):
            signature = "/ByteRange" in value  # its /Contents are the signature's bytes
            items = [value[key] for key in value.keys() if key not in _BINARY
                     and not (signature and key == "/Contents")]
        else:
            continue
        for item in items:
            if isinstance(item, pikepdf.String):
                if _odd(bytes(item)):
                    return [ODD_TEXT]
            elif isinstance(item, (pikepdf.Array, pikepdf.Dictionary, pikepdf.Stream)):
                stack.append(item)
    return []


# Bytes of a string without a byte order mark (PDFDocEncoding) that qpdf and pdf.js read
# differently: ESC (pdf.js cuts out a language code), DEL, 0x9F and 0xAD (qpdf: U+FFFD).
_PDFDOC_ODD = re.compile(rb"[\x1b\x7f\x9f\xad]")
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.DOTALL)


def _written_oddly(literal: bytes) -> bool:
    """Whether a literal string is written so that readers take different bytes from it: an
    octal escape above \\377 (qpdf and poppler keep its low byte, pdf.js the whole code) or a
    carriage return as it is (qpdf reads a line feed, pdf.js the return)."""
    if b"\r" in _ESCAPE.sub(b"", literal):  # a return not escaped, nor a line continued
        return True
    return any(m.group(1)[:1].isdigit() and int(m.group(1), 8) > 0o377
               for m in _ESCAPE.finditer(literal))


def _odd(raw: bytes) -> bool:
    if raw.startswith(b"\xef\xbb\xbf"):
        return True  # UTF-8 (PDF 2.0): poppler reads its bytes as PDFDocEncoding
    for mark, codec in _MARKS_OF:
        if raw.startswith(mark):
            try:
                text = raw[len(mark):].decode(codec)  # strict: a lone surrogate or odd byte fails
            except UnicodeDecodeError:
                return True
            return "\x1b" in text
    return _PDFDOC_ODD.search(raw) is not None

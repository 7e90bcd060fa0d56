"""The text inside an uploaded PDF or Word (DOCX) file, read so it can be checked for patient
identifiers (rule D9, issue 22) before the file is kept.

Uploads are hostile until read: a PDF can hold content streams that take minutes to interpret,
a DOCX is a zip that can expand a few kilobytes into gigabytes, and its XML can declare entities
that expand exponentially. So the reading is bounded three ways:

- size: at most MAX_PAGES pages and MAX_CHARS characters of text are kept; a DOCX part is read
  through the zip's decompressor only up to MAX_XML_BYTES (the size its header claims is not
  trusted), and pypdf's own limits bound each decompressed PDF stream;
- time and memory: the reading runs in a forked child process with an address-space and a CPU
  limit (resource.setrlimit), which the request waits on for at most TIME_LIMIT seconds and then
  kills. A file that hangs or balloons costs one child, never the worker; the candidate is told
  the text could not be read and may confirm the file themselves;
- XML: DOCX parts are parsed with defusedxml, which refuses DTDs and entity declarations (the
  "billion laughs" and external-entity attacks) instead of expanding them.

Why the standard library's zipfile with defusedxml, not python-docx: we need only the words, and
python-docx (built on lxml) loads the whole package into a tree, reads zip members without a size
bound and has no notion of hostile input; zipfile lets us stream each part with a hard cap, and
defusedxml (small, pure Python, widely used) is the documented way to parse untrusted XML with
the standard library. Paragraphs, tables, headers, footers, footnotes, endnotes and comments are
read: everything a reader of the document sees as text.
"""
from __future__ import annotations

import io
import multiprocessing
import os
import re
import time
import zipfile
from dataclasses import dataclass, field
from typing import Any, Optional

from defusedxml import ElementTree
from pypdf import PdfReader

MAX_PAGES = 60
MAX_CHARS = 200_000
MAX_XML_BYTES = 8 * 1024 * 1024  # per DOCX part, after decompression
TIME_LIMIT = 8.0  # seconds the request waits for the reading
MEMORY_HEADROOM = 768 * 1024 * 1024  # bytes the child may add to what the worker already maps
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_WORD = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml")


@dataclass
class DocumentText:
    """What was read: (where, text) pieces, such as ("page 2", "..."); `unreadable` says in the
    candidate's words why the text could not be read (then nothing was checked); `partial` that
    only the first part was (a very long document)."""

    pieces: list[tuple[str, str]] = field(default_factory=list)
    unreadable: Optional[str] = None
    partial: bool = False


class _Full(Exception):
    """Enough text was read."""


def _pdf(data: bytes, out: DocumentText, deadline: float) -> None:
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        out.unreadable = "it is protected by a password"
        return
    pages = reader.pages
    out.partial = len(pages) > MAX_PAGES
    for number, page in enumerate(pages[:MAX_PAGES], start=1):
        if time.monotonic() > deadline:
            out.partial = True
            return
        out.pieces.append((f"page {number}", page.extract_text() or ""))


def _docx_part(xml: bytes) -> str:
    """The paragraphs of one part, a line each (runs joined, tabs and breaks kept as spaces)."""
    root = ElementTree.fromstring(xml, forbid_dtd=True, forbid_entities=True,
                                  forbid_external=True)
    lines = []
    for paragraph in root.iter(f"{_WORD}p"):
        words = []
        for node in paragraph.iter():
            if node.tag == f"{_WORD}t" and node.text:
                words.append(node.text)
            elif node.tag in (f"{_WORD}tab", f"{_WORD}br", f"{_WORD}cr"):
                words.append(" ")
        lines.append("".join(words))
    return "\n".join(lines)


def _docx(data: bytes, out: DocumentText, deadline: float) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted((n for n in archive.namelist() if _PARTS.fullmatch(n)),
                       key=lambda n: (n != "word/document.xml", n))
        for name in names:
            if time.monotonic() > deadline:
                out.partial = True
                return
            with archive.open(name) as part:
                xml = part.read(MAX_XML_BYTES + 1)  # streamed: a bomb stops at the cap
            if len(xml) > MAX_XML_BYTES:
                out.unreadable = "it is too large to read"
                return
            where = "the document" if name == "word/document.xml" else \
                name.removeprefix("word/").removesuffix(".xml").rstrip("0123456789") or name
            out.pieces.append((where, _docx_part(xml)))


def read(data: bytes, media_type: str, time_limit: float = TIME_LIMIT) -> DocumentText:
    """The text of the file, read in place (see `extract` for the bounded way)."""
    out = DocumentText()
    deadline = time.monotonic() + time_limit
    (_pdf if media_type == PDF else _docx)(data, out, deadline)
    total, kept = 0, []
    for where, text in out.pieces:  # the character cap, piece by piece
        if total + len(text) > MAX_CHARS:
            kept.append((where, text[:MAX_CHARS - total]))
            out.partial = True
            break
        kept.append((where, text))
        total += len(text)
    out.pieces = kept
    if out.unreadable is None and not any(text.strip() for _, text in out.pieces):
        out.unreadable = "it has no text we could read (a scan or a picture of a page, perhaps)"
    return out


def _mapped_bytes() -> Optional[int]:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _child(connection: Any, data: bytes, media_type: str, time_limit: float) -> None:
    """Read the file in the forked child, within its limits, and send back what was read."""
    try:
        import resource
        mapped = _mapped_bytes()
        if mapped is not None:
            resource.setrlimit(resource.RLIMIT_AS, (mapped + MEMORY_HEADROOM,) * 2)
        seconds = int(time_limit) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
        connection.send(read(data, media_type, time_limit))
    except BaseException:  # noqa: BLE001  whatever broke, the parent says "could not be read"
        try:
            connection.send(DocumentText(unreadable="it could not be read"))
        except BaseException:  # noqa: BLE001
            pass
    finally:
        os._exit(0)  # never run the worker's exit handlers (its database, its logs) here


def extract(data: bytes, media_type: str, time_limit: Optional[float] = None) -> DocumentText:
    """The text of an uploaded PDF or DOCX, read in a child process that is killed after
    `time_limit` seconds (TIME_LIMIT by default) or when it maps too much memory."""
    limit = TIME_LIMIT if time_limit is None else time_limit
    if "fork" not in multiprocessing.get_all_start_methods():  # not Linux: bounded by the deadline
        try:
            return read(data, media_type, limit)
        except Exception:  # noqa: BLE001  hostile bytes
            return DocumentText(unreadable="it could not be read")
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sending, data, media_type, limit), daemon=True)
    child.start()
    sending.close()
    try:
        if receiving.poll(limit + 1.0):
            try:
                return receiving.recv()
            except (EOFError, OSError):  # the child died (its memory limit) before sending
                return DocumentText(unreadable="it could not be read")
        return DocumentText(unreadable="it took too long to read")
    finally:
        receiving.close()
        if child.is_alive():
            child.kill()
        child.join(2)

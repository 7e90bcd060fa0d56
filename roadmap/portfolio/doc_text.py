"""The text inside an uploaded PDF or Word (DOCX) file, read so it can be checked for patient
identifiers (rule D9, issue 22) before the file is kept.

Uploads are hostile until read: a PDF can hold content streams that take minutes to interpret,
a DOCX is a zip that can expand a few kilobytes into gigabytes, and its XML can declare entities
that expand exponentially. So the reading is bounded three ways:

- size: at most MAX_PAGES pages and MAX_CHARS characters of text are kept; a DOCX part is read
  through the zip's decompressor only up to MAX_XML_BYTES (the size its header claims is not
  trusted), and pypdf's own limits bound each decompressed PDF stream;
- time and memory: the reading runs in a fresh interpreter (roadmap.portfolio.doc_text_child,
  started with subprocess: no fork of a threaded worker, whose other threads' locks a forked
  copy would inherit held) that first sets its own address-space, CPU and file limits
  (resource.setrlimit); the request waits on it for at most TIME_LIMIT + STARTUP seconds and
  then kills it. A file that hangs or balloons costs one child, never the worker; the candidate
  is told the text could not be read and may confirm the file themselves. Starting it costs
  each PDF upload about 0.2 s of CPU (the interpreter and pypdf's imports) and each DOCX about
  0.06 s, against about 0.1 s wall for the old fork (bench/doc_text.py; on the shared 2-core
  machine at load 10, 0.9 s and 0.2 s wall): a price paid only for PDF and DOCX uploads;
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
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from defusedxml import ElementTree

MAX_PAGES = 60
MAX_CHARS = 200_000
MAX_XML_BYTES = 8 * 1024 * 1024  # per DOCX part, after decompression
TIME_LIMIT = 8.0  # seconds the reading may take
CHILD = "roadmap.portfolio.doc_text_child"  # the module the child runs
STARTUP = 4.0  # seconds more for the child's interpreter to start, on a busy 2-core machine
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
    from pypdf import PdfReader  # here, in the child: a Word file's reading never loads it

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


def as_json(out: DocumentText) -> str:
    """What was read, as the child sends it."""
    return json.dumps({"pieces": out.pieces, "unreadable": out.unreadable,
                       "partial": out.partial})


def from_json(text: str) -> DocumentText:
    """What the child sent; anything else (a crash's half line) is "could not be read"."""
    try:
        sent = json.loads(text)
        pieces = [(str(where), str(words)) for where, words in sent.get("pieces") or []]
        unreadable = sent.get("unreadable")
        return DocumentText(pieces, None if unreadable is None else str(unreadable),
                            bool(sent.get("partial")))
    except (ValueError, TypeError, AttributeError):
        return DocumentText(unreadable="it could not be read")


def _child_environment() -> dict[str, str]:
    """Only what the child needs to import this package: none of the worker's settings or
    secrets (its database address, its keys) reach the process that reads hostile bytes."""
    root = str(Path(__file__).resolve().parents[2])  # the directory holding `roadmap`
    return {"PYTHONPATH": root, "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}


def extract(data: bytes, media_type: str, time_limit: Optional[float] = None) -> DocumentText:
    """The text of an uploaded PDF or DOCX, read by a fresh interpreter (doc_text_child) that
    limits its own memory and CPU, and is killed after `time_limit` seconds (TIME_LIMIT by
    default) plus STARTUP for it to start."""
    limit = TIME_LIMIT if time_limit is None else time_limit
    command = [sys.executable, "-s", "-B", "-m", CHILD, media_type, repr(limit)]
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=limit + STARTUP,
                              env=_child_environment(), close_fds=True, check=False)
    except subprocess.TimeoutExpired:  # run() killed it
        return DocumentText(unreadable="it took too long to read")
    except OSError:
        return DocumentText(unreadable="it could not be read")
    if done.returncode != 0:  # killed by its CPU limit, or its memory before it could answer
        return DocumentText(unreadable="it could not be read")
    return from_json(done.stdout.decode("utf-8", "replace"))

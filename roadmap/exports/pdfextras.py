"""What a reader of a PDF sees beyond its page drawings, read for the checker.

A page's content stream is not all a viewer shows: annotations (a stamp, a link, a note) are
drawn over it, the title bar shows the document title, scripts can run when the file opens,
and a file can carry attachments or be saved again on top of itself. A check that looked only
at content streams would call a file with a "STAGE 2 SIGNED OFF" stamp intact, so each of these
is read here: annotations go into the page digest (pdffile.page_digests), the title and
language, the other document properties (author, subject... in the document information and
the XMP metadata) and the bookmarks are compared with the manifest, and anything else is
reported in words. The producer and the XMP history are for whichever program saved the file
last to write: when they differ from the manifest's, the check says the file was saved again
and quotes them as the file's words (savedagain.made_by_lines), never as the service's.
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Optional

import pikepdf
from pikepdf.models.metadata import DEFAULT_NAMESPACES

from roadmap.exports import pdflayout
from roadmap.exports.pdfxmp import readable, text_of, xmp_titles
from roadmap.exports.quoting import quoted

OURS = {"data.json", "signatures.json"}
SCRIPTED = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/ResetForm", "/Rendition"}


def _text(value: Any) -> Optional[str]:
    return None if value is None else str(value)


def _destination(value: Any, pages: dict[tuple[int, int], int]) -> Any:
    """A link's destination with page references as page numbers: object numbers are not
    what a reader sees and change when a file is re-saved."""
    if isinstance(value, pikepdf.Array):
        return [pages.get(tuple(item.objgen), "page?") if isinstance(item, pikepdf.Dictionary)
                and item.is_indirect else _destination(item, pages) for item in value]
    if isinstance(value, (pikepdf.Name, pikepdf.String)):
        return str(value)
    if isinstance(value, (int, float)) or value is None:
        return value
    try:
        return round(float(value), 2)
    except (TypeError, ValueError):
        return str(value)


def annotations(page: pikepdf.Page, pages: dict[tuple[int, int], int]) -> bytes:
    """A canonical form of the page's annotations (subtype, rectangle, contents, link
    target), empty when it has none so a page without any keeps its content-only digest."""
    found = []
    for annot in page.obj.get("/Annots") or []:
        if not isinstance(annot, pikepdf.Dictionary):
            continue
        action = annot.get("/A")
        action = action if isinstance(action, pikepdf.Dictionary) else {}
        found.append({
            "subtype": _text(annot.get("/Subtype")),
            "rect": [round(float(n), 2) for n in annot.get("/Rect") or []],
            "contents": _text(annot.get("/Contents")),
            "action": _text(action.get("/S")),
            "uri": _text(action.get("/URI")),
            "dest": _destination(annot.get("/Dest", action.get("/D")), pages),
            "appearance": "/AP" in annot})
    if not found:
        return b""
    return json.dumps(found, sort_keys=True, ensure_ascii=False).encode("utf-8")


def annotated(pdf: pikepdf.Pdf) -> list[int]:
    """Pages carrying an annotation other than a link: the service makes only links."""
    return [n for n, page in enumerate(pdf.pages, start=1)
            if any(isinstance(a, pikepdf.Dictionary) and a.get("/Subtype") != pikepdf.Name.Link
                   for a in page.obj.get("/Annots") or [])]


def page_numbers(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    """Each page object's number (from 1), by its object id."""
    return {tuple(page.obj.objgen): n for n, page in enumerate(pdf.pages, start=1)}


def _scripts(pdf: pikepdf.Pdf) -> list[str]:
    """Actions that run by themselves or on a click, beyond plain links and page jumps."""
    found = []
    root = pdf.Root
    if "/OpenAction" in root and isinstance(root.OpenAction, pikepdf.Dictionary):
        found.append("an action that runs when the file is opened")
    if "/AA" in root:
        found.append("actions that run when the file is opened, saved or printed")
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/JavaScript" in names:
        found.append("JavaScript")
    if "/AcroForm" in root and "/XFA" in root.AcroForm:
        found.append("a scripted form")
    for n, page in enumerate(pdf.pages, start=1):
        if "/AA" in page.obj:
            found.append(f"actions that run when page {n} is shown")
        for annot in page.obj.get("/Annots") or []:
            action = annot.get("/A") if isinstance(annot, pikepdf.Dictionary) else None
            if isinstance(action, pikepdf.Dictionary) and str(action.get("/S")) in SCRIPTED:
                found.append(f"a script or program launch on page {n}")
            if isinstance(annot, pikepdf.Dictionary) and "/AA" in annot:
                found.append(f"actions on an annotation on page {n}")
    return list(dict.fromkeys(found))


def added(pdf: pikepdf.Pdf) -> list[str]:
    """Scripts and attachments the service never puts in its files, in words."""
    problems = [f"The file has {what} added after the file was made." for what in _scripts(pdf)]
    others = sorted(set(pdf.attachments.keys()) - OURS)
    if others:
        problems.append(f"The file has an attached file ({', '.join(others[:5])}) added after "
                        "the file was made.")
    return problems


def saved_again(content: bytes, encrypted: bool) -> list[str]:
    """Signs in the raw bytes that the file was changed or re-saved after it was made: bytes
    after the last %%EOF, more than one cross-reference section (an editor's incremental
    save), or encryption (the service never encrypts)."""
    problems = []
    end = content.rfind(b"%%EOF")
    if end >= 0 and content[end + 5:].strip():
        problems.append(f"{len(content) - end - 5} bytes have been added to the end of the file: "
                        "it has been changed after it was made.")
    # A file linearized for fast web view has two sections by design, the first one's marker
    # pointing nowhere (pdflayout checks that both are read alike).
    sections = 2 if pdflayout.linearized(content) else 1
    if len(re.findall(rb"(?<![A-Za-z])startxref(?![A-Za-z])", content)) > sections:
        problems.append("The file has been saved again on top of itself (an incremental "
                        "update, as an editor makes): it has been changed after it was made.")
    if encrypted:
        problems.append("The file has been re-saved with encryption: it is not as the service "
                        "made it.")
    return problems


def title_and_language(pdf: pikepdf.Pdf) -> dict[str, Any]:
    """The title a viewer shows (document info, and every XMP dc:title alternative) and the
    document language."""
    info = pdf.trailer.get("/Info")
    title = _text(info.get("/Title")) if isinstance(info, pikepdf.Dictionary) else None
    return {"title": title, "xmp_titles": xmp_titles(pdf), "lang": _text(pdf.Root.get("/Lang"))}


def title_problems(found: dict[str, Any], made: dict[str, Any]) -> list[str]:
    """The title and language against the manifest (files made before it recorded them: none)."""
    problems = []
    title = made.get("title")
    if title is not None:
        if found.get("title") is None:
            problems.append(f"The document title has been removed (it was made as “{quoted(title)}”).")
        elif found.get("title") != title:
            problems.append(f"The document title has been changed to “{quoted(found['title'])}” "
                            f"(it was made as “{quoted(title)}”).")
        # Every alternative (one per language, in any description) is a title a viewer may
        # show: each must be the title as made.
        for other in dict.fromkeys(found.get("xmp_titles") or []):
            if other != title:
                problems.append(f"The title in the document's metadata has been changed to "
                                f"“{quoted(other)}” (it was made as “{quoted(title)}”).")
    lang = made.get("lang")
    if lang is not None and found.get("lang") != lang:
        problems.append("The document's language has been changed since it was made.")
    return problems


# Properties a viewer shows (File > Properties) that a re-save by another tool leaves alone:
# the title and language are compared on their own (title_problems); a tool that saves the
# file again rewrites its producer, its modification date and its XMP document ids.
_INFO_LEFT = {"/Title", "/Producer", "/ModDate"}
_XMP_LEFT = {"dc:title", "pdf:Producer", "xmp:ModifyDate", "xmp:MetadataDate", "pdfaid:part",
             "pdfaid:conformance"}
_WORDS = {"/Author": "author", "dc:creator": "author", "/Subject": "subject",
          "dc:description": "subject", "/Keywords": "keywords", "pdf:Keywords": "keywords",
          "dc:subject": "keywords", "/Creator": "creating program", "xmp:CreatorTool":
          "creating program", "/CreationDate": "creation date", "xmp:CreateDate": "creation date"}
_PREFIXES = {uri: prefix for uri, prefix in DEFAULT_NAMESPACES}
# What a program saving the file again (Acrobat) adds where the service wrote nothing: the
# program that created the file and when (quoted beside the verdict by savedagain.made_by_lines,
# as the file's words), and the file's kind, which can only be PDF.
_RESAVE_ADDS = {"/Creator", "xmp:CreatorTool", "/CreationDate", "xmp:CreateDate"}
_KIND = ("dc:format", "application/pdf")


def _empty(value: Any) -> bool:
    """Whether pikepdf read nothing from a property (None, "", or a list of nothing)."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return all(_empty(item) for item in value)
    return value is None or str(value).strip() == ""


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple, pikepdf.Array)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(str(v) for v in value)
    return str(value)


def properties(pdf: pikepdf.Pdf) -> dict[str, Any]:
    """The document's properties beyond its title and language, by key: "/Author" from the
    document information, "dc:creator" from the XMP metadata, and so on."""
    found: dict[str, Any] = {}
    info = pdf.trailer.get("/Info")
    if isinstance(info, pikepdf.Dictionary):
        found.update({str(key): _plain(value) for key, value in info.items()
                      if str(key) not in _INFO_LEFT})
    if not readable(pdf):
        return found  # refused as a whole (pdfxmp.problems says so): nothing in it is read
    try:
        meta = pdf.open_metadata()
        for key in meta:
            uri, _, name = str(key).lstrip("{").partition("}")
            short = f"{_PREFIXES[uri]}:{name}" if uri in _PREFIXES else str(key)
            value = meta.get(key)
            # pikepdf reads no value from a structure (rdf:parseType="Resource"): its fields'
            # text, as a viewer lists it, stands in.
            value = _plain(value) if not _empty(value) else text_of(pdf, str(key)) or ""
            if (short not in _XMP_LEFT and not short.startswith("xmpMM:")
                    and (short, value) != _KIND):
                found[short] = value
    except Exception:  # noqa: BLE001 - a broken XMP packet states nothing
        pass
    return found


def outline_digest(pdf: pikepdf.Pdf) -> str:
    """The SHA-256 of the bookmarks (the outline a viewer shows beside the pages): each entry's
    depth, title and the page it leads to, in order; object numbers left out."""
    numbers, entries = page_numbers(pdf), []

    def walk(items: Any, depth: int) -> None:
        for item in items:
            target = item.destination
            if target is None and isinstance(item.action, pikepdf.Dictionary):
                target = item.action.get("/D")
            entries.append([depth, str(item.title), _destination(target, numbers)])
            walk(item.children, depth + 1)

    walk(pdf.open_outline().root, 0)  # not `with`: on leaving, pikepdf would write it back
    return hashlib.sha256(json.dumps(entries, ensure_ascii=False).encode("utf-8")).hexdigest()


def _shown(value: Any) -> str:
    """A property's value as quoted in a problem (escaped: it is the file's text)."""
    return quoted("; ".join(value) if isinstance(value, list) else str(value))


def property_problems(found: dict[str, Any], outline: Optional[str],
                      made: dict[str, Any]) -> list[str]:
    """The properties and bookmarks against the manifest (files made before it recorded them:
    none)."""
    problems = []
    recorded = made.get("properties")
    if isinstance(recorded, dict):
        for key in sorted(set(recorded) | set(found)):
            what = _WORDS.get(key, f"property “{quoted(key.lstrip('/'), 60)}”")
            if key not in recorded and key in _RESAVE_ADDS:
                continue  # a program saving the file writes these: savedagain.made_by_lines
            if key not in found:
                problems.append(f"The document's {what} has been removed (it was made as "
                                f"“{_shown(recorded[key])}”).")
            elif key not in recorded:
                problems.append(f"The document's {what} has been added since it was made: "
                                f"“{_shown(found[key])}”.")
            elif found[key] != recorded[key]:
                problems.append(f"The document's {what} has been changed to "
                                f"“{_shown(found[key])}” (it was made as "
                                f"“{_shown(recorded[key])}”).")
    problems = list(dict.fromkeys(problems))  # the author in the info and the XMP: said once
    if made.get("outline") is not None and outline != made.get("outline"):
        problems.append("The bookmarks (the outline a viewer shows beside the pages) have been "
                        "changed since the file was made.")
    return problems

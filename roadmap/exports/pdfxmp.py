"""What a PDF's XMP metadata and document information say made it and what happened to it
since (the producer, the xmpMM history), and every dc:title alternative: read whole, every
rdf:Description and every alternative, not as pikepdf's one value per key, since a viewer may
show any of them, and only when the packet is in the one form xmpform reads (else nothing in it
is read and the file is not intact). Text from the file is shown to people only through
`quoted`.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Optional

import pikepdf

from roadmap.exports import xmpform
from roadmap.exports.quoting import quoted
from roadmap.exports.xmpform import DC, PDF, RDF, XMP, XMP_MM

# Document and instance ids a re-save writes: opaque, shown by no viewer but as they are.
_IDS = {"DocumentID", "InstanceID", "OriginalDocumentID"}
_ID = re.compile(r"(uuid:|xmp\.did:|xmp\.iid:|adobe:docid:[a-z]+:)?[0-9A-Fa-f-]{8,64}")


def _packet(pdf: pikepdf.Pdf) -> tuple[Any, Optional[str]]:
    """The parsed XMP packet (an lxml element, or None when there is none) and why it cannot
    be trusted (None when it can): only the one form xmpform reads is read at all."""
    stream = pdf.Root.get("/Metadata")
    if stream is None:
        return None, None
    unreadable = ("The document's metadata (XMP), which PDF viewers show as its properties, "
                  "{}: viewers may show properties other than the ones checked.")
    if not isinstance(stream, pikepdf.Stream):
        return None, unreadable.format("is damaged")
    try:
        raw = stream.read_bytes()
    except pikepdf.PdfError:
        return None, unreadable.format("cannot be read")
    root, why = xmpform.read(raw)
    return root, None if why is None else unreadable.format(why)


def readable(pdf: pikepdf.Pdf) -> bool:
    """Whether the XMP packet (if any) is in the one form read; `problems` says why not."""
    return _packet(pdf)[1] is None


def _xmp(pdf: pikepdf.Pdf) -> Any:
    """The parsed XMP packet, or None when there is none or it cannot be trusted (`problems`
    says so)."""
    return _packet(pdf)[0]


def problems(pdf: pikepdf.Pdf) -> list[str]:
    """Why the XMP packet cannot be trusted, and any date among the properties that is not a
    date, in words (none when all is well)."""
    root, why = _packet(pdf)
    info = pdf.trailer.get("/Info")
    info = info if isinstance(info, pikepdf.Dictionary) else {}
    dates = [(words, _words(info.get(key))) for key, words in _INFO_DATES.items()
             if info.get(key) is not None]
    dates += [(words, value) for name, words in _XMP_DATES.items()
              for value in _values(root, XMP, name)]
    return ([] if why is None else [why]) + list(dict.fromkeys(
        f"The document's {words} is not a date but “{quoted(value)}”: a PDF viewer may show it "
        "as written." for words, value in dates if day_of(value) is None))


# Dates a viewer shows among the properties: a program saving the file again rewrites them, so
# they are not compared, but each must be a date (else it is words a viewer prints as written).
_INFO_DATES = {"/ModDate": "modification date", "/CreationDate": "creation date"}
_XMP_DATES = {"ModifyDate": "modification date", "MetadataDate": "metadata date",
              "CreateDate": "creation date"}
_PDF_DATE = re.compile(r"(?a)(D:)?(\d{4})(\d{2})?(\d{2})?(\d{2}(\d{2}(\d{2})?)?)?"
                       r"([Zz]|[+-]\d{2}'?(\d{2}'?)?)?")
_ISO_DATE = re.compile(r"(?a)(\d{4})(-(\d{2})(-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?"
                       r"([Zz]|[+-]\d{2}:\d{2})?)?)?)?")


def _words(value: Any) -> str:
    """A value from the document information as a viewer would print it, not as pikepdf's
    repr: the text of a string, the items of an array, a name without its slash."""
    if isinstance(value, pikepdf.Array):
        return " ".join(_words(item) for item in value)
    if isinstance(value, pikepdf.Name):
        return str(value).lstrip("/")
    if isinstance(value, pikepdf.Dictionary):
        return "(a dictionary)"
    return str(value)


def day_of(value: str) -> Optional[dt.date]:
    """The day a PDF date (D:20261207...) or an XMP date (2026-12-07T...) names, or None when
    the text is not a date."""
    text = value.strip()
    found = _PDF_DATE.fullmatch(text)
    if found:
        year, month, day = found.group(2), found.group(3) or "01", found.group(4) or "01"
    else:
        found = _ISO_DATE.fullmatch(text)
        if not found:
            return None
        year, month, day = found.group(1), found.group(3) or "01", found.group(5) or "01"
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _descriptions(root: Any) -> list[Any]:
    return [] if root is None else list(root.iter(f"{{{RDF}}}Description"))


def _values(root: Any, uri: str, name: str) -> list[str]:
    """Every value of one property: as an attribute of any rdf:Description, as its element's
    text, or as each rdf:li of its rdf:Alt, rdf:Seq or rdf:Bag."""
    tag, found = f"{{{uri}}}{name}", []
    for description in _descriptions(root):
        if tag in description.attrib:
            found.append(str(description.attrib[tag]))
        for element in description.findall(tag):
            items = list(element.iter(f"{{{RDF}}}li"))
            found += ["".join(item.itertext()) for item in items] if items else [
                _trim("".join(element.itertext()))]
    return found


# What JavaScript's trim() removes (pdf.js trims what it shows): not Python's strip(), which
# also removes U+0085 and U+001C to U+001F, so text pdf.js shows would be stripped here.
_JS_SPACE = ("\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
             "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff")


def _trim(text: str) -> str:
    return text.strip(_JS_SPACE)


def text_of(pdf: pikepdf.Pdf, key: str) -> Optional[str]:
    """The whole text of the first XMP element named `key` ("{uri}name"), as pdf.js shows it."""
    root = _xmp(pdf)
    element = None if root is None else next(root.iter(key), None)
    return None if element is None else _trim("".join(element.itertext()))


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _entry(element: Any) -> str:
    """One history entry (or other xmpMM value) as words: its own text, then each part's name
    and value, whether written as elements or as attributes (of it or of an rdf:Description
    inside it)."""
    parts = [(element.text or "").strip()]
    for part in element.iter():
        if not isinstance(part.tag, str):
            continue
        parts += [f"{_local(key)}: {value}" for key, value in part.attrib.items()
                  if not key.startswith(f"{{{RDF}}}")]
        text = (part.text or "").strip()
        if part is not element and text and not part.tag.startswith(f"{{{RDF}}}"):
            parts.append(f"{_local(part.tag)}: {text}")
    # Who saved it and what they did first, so a line cut short still names the program.
    parts.sort(key=lambda part: next((n for n, first in enumerate(_FIRST)
                                      if part.startswith(first)), len(_FIRST)))
    return ", ".join(part for part in parts if part)


_FIRST = ("softwareAgent:", "action:", "when:")


def _history(root: Any) -> list[str]:
    """Every xmpMM entry (the history, what the file was derived from, its versions...) as
    words, one per item: "History: action: saved, softwareAgent: ...". A document or instance
    id that is only an id is left out (a re-save writes new ones)."""
    found = []
    for description in _descriptions(root):
        for key, value in description.attrib.items():
            if key.startswith(f"{{{XMP_MM}}}") and not (
                    _local(key) in _IDS and _ID.fullmatch(str(value).strip())):
                found.append(f"{_local(key)}: {value}")
        for element in description:
            if not isinstance(element.tag, str) or not element.tag.startswith(f"{{{XMP_MM}}}"):
                continue
            name = _local(element.tag)
            items = list(element.iter(f"{{{RDF}}}li"))
            for item in items or [element]:
                words = _entry(item)
                if not (name in _IDS and _ID.fullmatch(words)):
                    found.append(f"{name}: {words}")
    return found


def made_by(pdf: pikepdf.Pdf) -> dict[str, Any]:
    """What the file says made it and what happened to it since: the producer in the document
    information and in the XMP metadata (pdf:Producer), and the XMP history (xmpMM). A viewer's
    Properties show them; another program that saves the file writes its own."""
    info = pdf.trailer.get("/Info")
    info = info if isinstance(info, pikepdf.Dictionary) else {}

    def said(key: str) -> list[str]:
        return [] if info.get(key) is None else [str(info.get(key))]

    producer, root = info.get("/Producer"), _xmp(pdf)
    return {"info": None if producer is None else str(producer),
            "xmp": _values(root, PDF, "Producer"), "history": _history(root),
            "creator": said("/Creator") + _values(root, XMP, "CreatorTool"),
            "created": said("/CreationDate") + _values(root, XMP, "CreateDate")}


def xmp_titles(pdf: pikepdf.Pdf) -> list[str]:
    """Every dc:title alternative in the XMP metadata (each language's, each description's)."""
    return _values(_xmp(pdf), DC, "title")

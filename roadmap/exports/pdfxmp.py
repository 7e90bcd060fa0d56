"""What a PDF's XMP metadata and document information say made it and what happened to it
since (the producer, the xmpMM history), and every dc:title alternative: read whole, every
rdf:Description and every alternative, not as pikepdf's one value per key, since a viewer may
show any of them. Text from the file is shown to people only through `quoted`.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Optional

import pikepdf

from roadmap.exports.quoting import quoted

# The XMP metadata read whole (every rdf:Description, every alternative of a title), not as
# pikepdf's one value per key: a viewer may show any of them.
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_DC = "http://purl.org/dc/elements/1.1/"
_PDF = "http://ns.adobe.com/pdf/1.3/"
_XMP = "http://ns.adobe.com/xap/1.0/"
_XMP_MM = "http://ns.adobe.com/xap/1.0/mm/"
_XMP_LARGEST = 4 * 1024 * 1024  # the service's packet is under 1 KB
# Document and instance ids a re-save writes: opaque, shown by no viewer but as they are.
_IDS = {"DocumentID", "InstanceID", "OriginalDocumentID"}
_ID = re.compile(r"(uuid:|xmp\.did:|xmp\.iid:|adobe:docid:[a-z]+:)?[0-9A-Fa-f-]{8,64}")


def _packet(pdf: pikepdf.Pdf) -> tuple[Any, Optional[str]]:
    """The parsed XMP packet (an lxml element, or None when there is none) and why it cannot
    be trusted (None when it can). Parsed strictly: a packet that does not parse whole, is
    larger than any writer makes or declares entities (a DOCTYPE) is read differently by
    different viewers (lxml stops where expat carries on), so none of it is read."""
    from lxml import etree

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
    if len(raw) > _XMP_LARGEST:
        return None, unreadable.format("is larger than any PDF writer makes it")
    encoding = unreadable.format("is written in an encoding PDF viewers read differently")
    if not _plain_encoding(raw):
        return None, encoding
    if _REPAIRED.search(raw):
        return None, unreadable.format(_SHAPE)
    if re.search(rb"<!\s*(DOCTYPE|ENTITY)", raw, re.IGNORECASE):
        return None, unreadable.format("declares entities of its own (a DOCTYPE)")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False,
                             huge_tree=False, remove_pis=True, load_dtd=False)
    try:
        root = etree.fromstring(raw, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None, unreadable.format("is not well-formed XML")
    if root is None:
        return None, unreadable.format("is not well-formed XML")
    read_as = (root.getroottree().docinfo.encoding or "").lower().replace("-", "")
    wide = any(raw.startswith(bom) for bom, codec in _BOMS if codec != "utf-8")
    if not wide and read_as != "utf8":
        return None, encoding  # lxml took it for UTF-16 ("<\0?\0"), pdf.js reads UTF-8
    if root.getroottree().docinfo.internalDTD is not None:  # however the packet is encoded
        return None, unreadable.format("declares entities of its own (a DOCTYPE)")
    shape = _shape(root)
    if shape is not None:
        return None, unreadable.format(shape)
    return root, None


# The prefixes XMP writers use, each for its one namespace. pdf.js reads elements by prefix
# ("rdf:description", case aside) and ignores namespaces, while a namespace-aware reader goes
# by URI: a prefix bound elsewhere, a description that is not exactly rdf:Description, a typed
# node or a second rdf:RDF is read by one and not the other.
_KNOWN = {"x": "adobe:ns:meta/", "rdf": _RDF, "dc": _DC, "pdf": _PDF, "xmp": _XMP,
          "xmpMM": _XMP_MM, "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
          "stEvt": "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#",
          "stRef": "http://ns.adobe.com/xap/1.0/sType/ResourceRef#"}
_PREFIXES = {prefix.lower(): uri for prefix, uri in _KNOWN.items()}
# pdf.js "repairs" a packet before parsing it: from ">\376\377" to the next "<" it decodes
# backslash escapes as UTF-16, swallowing any "-->" or "?>" there, so a comment or instruction
# that ends for lxml runs on for pdf.js. No writer puts these bytes in a packet.
_REPAIRED = re.compile(rb">\\376\\377")
# Where a packet holds elements only: text here is no property's, but pdf.js may join it to one.
_FRAMES = {"{adobe:ns:meta/}xmpmeta", f"{{{_RDF}}}RDF", f"{{{_RDF}}}Description"}
_SHAPE = "is written in a form that PDF viewers read differently"


def _shape(root: Any) -> Optional[str]:
    """Why the packet's form would be read differently by different viewers, or None."""
    graphs, titles = [], 0
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in _FRAMES and (_trim(element.text or "") or any(
                _trim(child.tail or "") for child in element)):
            return _SHAPE  # loose text: pdf.js may run it into the property before it
        if any(uri != _PREFIXES[(prefix or "").lower()] for prefix, uri in element.nsmap.items()
               if (prefix or "").lower() in _PREFIXES):
            return _SHAPE
        # As pdf.js names it: prefix and local name, case aside.
        name = f"{(element.prefix or '').lower()}:{_local(element.tag).lower()}"
        if name == "rdf:rdf":
            graphs.append(element)
        titles += name == "dc:title"
        if (name == "rdf:description" and element.tag != f"{{{_RDF}}}Description") or (
                name == "dc:title" and element.tag != f"{{{_DC}}}title"):
            return _SHAPE
    if titles > 1 or len(graphs) > 1 or (graphs and graphs[0].tag != f"{{{_RDF}}}RDF") or (
            not graphs and any(element.tag == f"{{{_RDF}}}RDF" for element in root.iter())):
        return _SHAPE
    if graphs and any(node.tag != f"{{{_RDF}}}Description" for node in graphs[0]
                      if isinstance(node.tag, str)):
        return _SHAPE  # a typed node (<pdf:PDF rdf:about="">) is a description by another name
    return None


_BOMS = ((b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
         (b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def _plain_encoding(raw: bytes) -> bool:
    """Whether the packet is UTF-8 (or UTF-16 or UTF-32 with its byte order mark) and says no
    other encoding: pdf.js reads the bytes as UTF-8 whatever the packet declares, so a packet
    declaring UTF-7 hides from one reader what the other shows."""
    bom, codec = next(((b, c) for b, c in _BOMS if raw.startswith(b)), (b"", "utf-8"))
    if not bom and b"\0" in raw:
        return False  # UTF-16 or UTF-32 without its mark: readers guess differently
    try:
        text = raw[len(bom):].decode(codec)
    except UnicodeDecodeError:
        return False
    declared = re.match(r"\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)", text)
    if declared is None:
        return True
    said = declared.group(1).lower().replace("-", "").replace("_", "")
    family = codec.replace("-", "")[:5]  # utf8, utf16, utf32
    return said == family or said == codec.replace("-", "")


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
              for value in _values(root, _XMP, name)]
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
    return [] if root is None else list(root.iter(f"{{{_RDF}}}Description"))


def _values(root: Any, uri: str, name: str) -> list[str]:
    """Every value of one property: as an attribute of any rdf:Description, as its element's
    text, or as each rdf:li of its rdf:Alt, rdf:Seq or rdf:Bag."""
    tag, found = f"{{{uri}}}{name}", []
    for description in _descriptions(root):
        if tag in description.attrib:
            found.append(str(description.attrib[tag]))
        for element in description.findall(tag):
            items = list(element.iter(f"{{{_RDF}}}li"))
            found += ["".join(item.itertext()) for item in items] if items else [
                _trim("".join(element.itertext()))]
            if items and _stray(element):  # pdf.js shows the element's whole text
                found.append(_trim("".join(element.itertext())))
    return found


# What JavaScript's trim() removes (pdf.js trims what it shows): not Python's strip(), which
# also removes U+0085 and U+001C to U+001F, so text pdf.js shows would be stripped here.
_JS_SPACE = ("\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
             "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff")


def _trim(text: str) -> str:
    return text.strip(_JS_SPACE)


def _stray(element: Any) -> bool:
    """Whether a property holds text outside its rdf:li items (before or after the list, in
    another element, a CDATA section): pdf.js shows the whole element's text, so that text is
    part of what a viewer shows."""
    def outside(node: Any, inside: bool) -> bool:
        inside = inside or node.tag == f"{{{_RDF}}}li"
        if not inside and isinstance(node.tag, str) and _trim(node.text or ""):
            return True
        return any(outside(child, inside) or (not inside and _trim(child.tail or ""))
                   for child in node if isinstance(child.tag, str) or _trim(child.tail or ""))
    return outside(element, False)


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
                  if not key.startswith(f"{{{_RDF}}}")]
        text = (part.text or "").strip()
        if part is not element and text and not part.tag.startswith(f"{{{_RDF}}}"):
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
            if key.startswith(f"{{{_XMP_MM}}}") and not (
                    _local(key) in _IDS and _ID.fullmatch(str(value).strip())):
                found.append(f"{_local(key)}: {value}")
        for element in description:
            if not isinstance(element.tag, str) or not element.tag.startswith(f"{{{_XMP_MM}}}"):
                continue
            name = _local(element.tag)
            items = list(element.iter(f"{{{_RDF}}}li"))
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
            "xmp": _values(root, _PDF, "Producer"), "history": _history(root),
            "creator": said("/Creator") + _values(root, _XMP, "CreatorTool"),
            "created": said("/CreationDate") + _values(root, _XMP, "CreateDate")}


def xmp_titles(pdf: pikepdf.Pdf) -> list[str]:
    """Every dc:title alternative in the XMP metadata (each language's, each description's)."""
    return _values(_xmp(pdf), _DC, "title")

"""The one form of XMP metadata packet the archival check reads: the form PDF writers produce.

A viewer shows the document's title from the XMP packet, and viewers read packets in very
different ways: pdf.js reads elements by their prefix and lower-cased name, ignores namespaces
and attributes, shows an element's whole text and keeps the last of two; an XML reader goes by
namespace, keeps every alternative and refuses what is not well-formed. Making a check read
every odd packet as each viewer does is a race nobody finishes. So the check reads one form,
the form every writer we know of produces (WeasyPrint, Acrobat, the Adobe XMP toolkit,
Ghostscript, pikepdf), where these readers cannot differ:

- UTF-8 (a byte order mark and an XML declaration saying UTF-8 allowed), at most 4 MB;
- no comment, CDATA section, DOCTYPE or processing instruction other than the xpacket
  wrapper (and Ghostscript's adobe-xap-filters) outside the elements and an XML declaration
  at the start;
- x:xmpmeta (or a bare rdf:RDF) holding one rdf:RDF, which holds rdf:Description elements only,
  whose children are properties; text only inside a property's value, never beside elements;
- every prefix spelt as writers spell it and bound to its one namespace (no default namespace,
  no prefix that differs only in case), every property once;
- a property is a value, an rdf:Alt, rdf:Seq or rdf:Bag of rdf:li values or structures, or a
  structure (rdf:parseType="Resource" or one rdf:Description) of simple fields;
- dc:title is one rdf:Alt holding one rdf:li, its text.

Anything else is refused as a whole ("written in a form that PDF viewers read differently"):
the file is then not intact, whatever the packet says.
"""
from __future__ import annotations

import re
from typing import Any, Optional

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"
PDF = "http://ns.adobe.com/pdf/1.3/"
XMP = "http://ns.adobe.com/xap/1.0/"
XMP_MM = "http://ns.adobe.com/xap/1.0/mm/"
_X = "adobe:ns:meta/"
_XML = "http://www.w3.org/XML/1998/namespace"

# Prefixes as writers spell them, each for its one namespace.
KNOWN = {"x": _X, "rdf": RDF, "dc": DC, "pdf": PDF, "xmp": XMP, "xmpMM": XMP_MM,
         "xmpRights": "http://ns.adobe.com/xap/1.0/rights/",
         "xmpTPg": "http://ns.adobe.com/xap/1.0/t/pg/",
         "pdfaid": "http://www.aiim.org/pdfa/ns/id/", "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
         "pdfx": "http://ns.adobe.com/pdfx/1.3/", "pdfxid": "http://www.npes.org/pdfx/ns/id/",
         "stEvt": "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#",
         "stRef": "http://ns.adobe.com/xap/1.0/sType/ResourceRef#",
         "stDim": "http://ns.adobe.com/xap/1.0/sType/Dimensions#",
         "stFnt": "http://ns.adobe.com/xap/1.0/sType/Font#",
         "photoshop": "http://ns.adobe.com/photoshop/1.0/"}
# Older Adobe writers (and Ghostscript) spell some of them as XMP's first version did.
_OLDER = {"xap": XMP, "xapMM": XMP_MM, "xapRights": KNOWN["xmpRights"]}
_SPELT = {**KNOWN, **_OLDER}
_LOWER = {prefix.lower(): prefix for prefix in _SPELT}
_BY_URI: dict[str, set[str]] = {}
for _prefix, _uri in _SPELT.items():
    _BY_URI.setdefault(_uri, set()).add(_prefix)
# Dublin Core's elements as spelt; the ones that are a single value may be attributes.
_DC_NAMES = {"contributor", "coverage", "creator", "date", "description", "format",
             "identifier", "language", "publisher", "relation", "rights", "source", "subject",
             "title", "type"}
_DC_SIMPLE = {"coverage", "format", "identifier", "source"}
_RDF_ELEMENTS = {"RDF", "Description", "Alt", "Seq", "Bag", "li"}
_LISTS = {f"{{{RDF}}}{name}" for name in ("Alt", "Seq", "Bag")}
_DESCRIPTION, _LI = f"{{{RDF}}}Description", f"{{{RDF}}}li"
_ABOUT, _PARSE_TYPE, _RESOURCE = (f"{{{RDF}}}{name}" for name in ("about", "parseType", "resource"))
_LANG = f"{{{_XML}}}lang"
TITLE = f"{{{DC}}}title"

# The packet's wrapper, and Ghostscript's note of how it escapes line ends.
_INSTRUCTIONS = {"xpacket", "adobe-xap-filters"}
LARGEST = 4 * 1024 * 1024  # the service's packet is under 1 KB
FORM = "is written in a form that PDF viewers read differently"
ENCODING = "is written in an encoding PDF viewers read differently"
ENTITIES = "declares entities of its own (a DOCTYPE)"
NOT_XML = "is not well-formed XML"
TOO_LARGE = "is larger than any PDF writer makes it"


class _Odd(Exception):
    """The packet is not in the one form read."""


def read(raw: bytes) -> tuple[Any, Optional[str]]:
    """The packet parsed (an lxml element), or None and why it is refused (one of the phrases
    above, to follow "The document's metadata (XMP)...")."""
    from lxml import etree

    if len(raw) > LARGEST:
        return None, TOO_LARGE
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None, ENCODING  # UTF-16 or UTF-32 (pdf.js reads bytes as UTF-8), or not text
    declared = re.match(r"<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)", text)
    if "\0" in text or (declared and declared.group(1).lower() not in ("utf-8", "utf8")):
        return None, ENCODING
    if re.search(r"<!\s*(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        return None, ENTITIES
    instructions = re.finditer(r"<\?([^\s?>]*)", text)
    if "<!" in text or "\\376\\377" in text or any(
            found.group(1) not in _INSTRUCTIONS and (found.group(1), found.start()) != ("xml", 0)
            for found in instructions):
        # A comment, CDATA section or instruction: pdf.js "repairs" a packet before reading
        # it (from ">\376\377" it decodes escapes up to the next "<"), so one that ends for
        # an XML reader may run on for pdf.js; CDATA is text pdf.js keeps and trims apart.
        return None, FORM
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False,
                             huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(raw, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None, NOT_XML
    if root is None or (root.getroottree().docinfo.encoding or "").upper() != "UTF-8":
        return None, NOT_XML if root is None else ENCODING
    try:
        _whole(root)
    except _Odd:
        return None, FORM
    return root, None


def _blank(text: Optional[str]) -> bool:
    return not (text or "").strip(" \t\r\n")  # XML's spaces, which pdf.js also drops


def _elements_only(element: Any) -> list[Any]:
    """The element's children, which must be elements with nothing but spaces around them."""
    children = list(element)
    if not _blank(element.text) or any(
            not isinstance(child.tag, str) or not _blank(child.tail) for child in children):
        raise _Odd
    return children


def _name(key: str, prefixes: dict[str, str], attribute: bool = False) -> str:
    """The name as pdf.js keys it (prefix:local, lower case), once the spelling is checked."""
    uri, _, local = key.lstrip("{").rpartition("}")
    if not uri or uri not in prefixes:
        raise _Odd  # no namespace (pdf.js and an XML reader name it differently)
    if uri == DC and local not in _DC_NAMES or uri == RDF and not attribute and (
            local not in _RDF_ELEMENTS):
        raise _Odd  # dc:Title is dc:title to pdf.js and nothing to an XML reader
    return f"{prefixes[uri]}:{local}".lower()


def _prefixes(root: Any) -> dict[str, str]:
    """Each namespace's one prefix, checked: every prefix spelt as writers spell it, bound to
    one namespace everywhere, none differing from another only in case, no default one."""
    bound: dict[str, tuple[str, str]] = {}
    by_uri: dict[str, str] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            raise _Odd
        for prefix, uri in element.nsmap.items():
            if prefix is None:
                raise _Odd
            known = _LOWER.get(prefix.lower())
            if (known is not None and (prefix != known or uri != _SPELT[known])) or (
                    uri in _BY_URI and prefix not in _BY_URI[uri]):
                raise _Odd
            if bound.setdefault(prefix.lower(), (prefix, uri)) != (prefix, uri):
                raise _Odd
            if by_uri.setdefault(uri, prefix) != prefix:
                raise _Odd
    return {**by_uri, _XML: "xml"}


def _whole(root: Any) -> None:
    prefixes = _prefixes(root)
    if root.tag in (f"{{{_X}}}xmpmeta", f"{{{_X}}}xapmeta"):
        if any(not key.startswith(f"{{{_X}}}") for key in root.attrib):
            raise _Odd
        children = _elements_only(root)
        if len(children) != 1:
            raise _Odd
        root = children[0]
    if root.tag != f"{{{RDF}}}RDF" or root.attrib:
        raise _Odd
    names: set[str] = set()
    for description in _elements_only(root):
        if description.tag != _DESCRIPTION:
            raise _Odd  # a typed node is a description by another name
        for name in _description(description, prefixes):
            if name in names:
                raise _Odd  # a property twice: pdf.js shows the last, others the first
            names.add(name)


def _description(description: Any, prefixes: dict[str, str]) -> list[str]:
    """The names of the properties an rdf:Description holds, checked."""
    names = []
    for key in description.attrib:
        if key == _ABOUT:
            continue
        uri, _, local = key.lstrip("{").rpartition("}")
        if uri in (RDF, _XML, _X) or (uri == DC and local not in _DC_SIMPLE):
            raise _Odd  # rdf:ID, a language, or a list written as an attribute
        names.append(_name(key, prefixes, attribute=True))
    for element in _elements_only(description):
        names.append(_property(element, prefixes))
    return names


def _property(element: Any, prefixes: dict[str, str]) -> str:
    """A property's name, once its value is in one of the forms read."""
    name = _name(element.tag, prefixes)
    if element.tag.startswith((f"{{{RDF}}}", f"{{{_X}}}")):
        raise _Odd
    attributes = dict(element.attrib)
    attributes.pop(_LANG, None)
    parse_type, resource = attributes.pop(_PARSE_TYPE, None), attributes.pop(_RESOURCE, None)
    if attributes or (parse_type not in (None, "Resource")) or (
            resource is not None and (parse_type or len(element) or not _blank(element.text))):
        raise _Odd
    if parse_type == "Resource":
        _fields(element, prefixes)
    elif len(element):
        [value] = _one(_elements_only(element))
        if value.tag == _DESCRIPTION:
            _structure(value, prefixes)
        elif value.tag in _LISTS and not value.attrib:
            items = _elements_only(value)
            for item in items:
                _item(item, prefixes)
            if element.tag == TITLE and (value.tag != f"{{{RDF}}}Alt" or len(items) != 1
                                         or len(items[0])):
                raise _Odd  # a title is one alternative's text: what every viewer shows
        else:
            raise _Odd
    elif element.tag == TITLE:
        raise _Odd
    return name


def _one(children: list[Any]) -> list[Any]:
    if len(children) != 1:
        raise _Odd
    return children


def _item(item: Any, prefixes: dict[str, str]) -> None:
    """An rdf:li: a value (with its language) or a structure."""
    if item.tag != _LI:
        raise _Odd
    attributes = dict(item.attrib)
    attributes.pop(_LANG, None)
    parse_type = attributes.pop(_PARSE_TYPE, None)
    if attributes or parse_type not in (None, "Resource"):
        raise _Odd
    if parse_type == "Resource":
        _fields(item, prefixes)
    elif len(item):
        [value] = _one(_elements_only(item))
        if value.tag != _DESCRIPTION:
            raise _Odd
        _structure(value, prefixes)


def _structure(description: Any, prefixes: dict[str, str]) -> None:
    """An rdf:Description standing for a structure: its fields as attributes or elements."""
    for key in description.attrib:
        if key != _ABOUT and key.startswith((f"{{{RDF}}}", f"{{{_XML}}}", f"{{{_X}}}")):
            raise _Odd
        if key != _ABOUT:
            _name(key, prefixes, attribute=True)
    _fields(description, prefixes)


def _fields(element: Any, prefixes: dict[str, str]) -> None:
    """A structure's fields, each once: a value, or a list (PDF/A extension schemas list
    their properties as structures)."""
    seen: set[str] = set()
    for field in _elements_only(element):
        name = _name(field.tag, prefixes)
        if field.tag.startswith((f"{{{RDF}}}", f"{{{_X}}}")) or name in seen or (
                set(field.attrib) - {_LANG}):
            raise _Odd
        seen.add(name)
        if len(field):
            [value] = _one(_elements_only(field))
            if value.tag not in _LISTS or value.attrib:
                raise _Odd
            for item in _elements_only(value):
                _item(item, prefixes)

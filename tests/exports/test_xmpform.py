"""The one form of XMP packet the archival check reads (roadmap/exports/xmpform.py): packets as
real writers produce them are read; each way of writing one that viewers read differently is
refused as a whole, with the phrase the check shows."""
from __future__ import annotations

import pytest

from roadmap.exports import xmpform

_BOM = "\ufeff"
_TITLE = "Portfolio of Jamie Patel"

# As the service's PDFs carry it (WeasyPrint 70, PDF/A-3a).
WEASYPRINT = (
    f'<?xpacket begin="{_BOM}" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/">'
    '<rdf:Description rdf:about="" pdfaid:part="3" pdfaid:conformance="A" />'
    '<rdf:Description rdf:about="" pdf:Producer="WeasyPrint 70.0" />'
    '<rdf:Description rdf:about=""><dc:title><rdf:Alt>'
    f'<rdf:li xml:lang="x-default">{_TITLE}</rdf:li></rdf:Alt></dc:title></rdf:Description>'
    '</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end="r"?>')

# As Adobe's XMP toolkit writes it when Acrobat saves the file (history, a PDF/A extension
# schema listing its properties as structures).
ACROBAT = f'''<?xpacket begin="{_BOM}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 9.1-c001 79.675d0f7, 2023/06/11">
   <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
      <rdf:Description rdf:about=""
            xmlns:xmp="http://ns.adobe.com/xap/1.0/"
            xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
            xmlns:dc="http://purl.org/dc/elements/1.1/"
            xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
            xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"
            xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
            xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
            xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
            xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
         <xmp:ModifyDate>2026-12-07T10:00:00Z</xmp:ModifyDate>
         <xmp:CreateDate>2026-12-01T09:00:00Z</xmp:CreateDate>
         <xmp:MetadataDate>2026-12-07T10:00:00Z</xmp:MetadataDate>
         <xmp:CreatorTool>WeasyPrint 70.0</xmp:CreatorTool>
         <pdf:Producer>Adobe PDF Library 24.1.96</pdf:Producer>
         <dc:format>application/pdf</dc:format>
         <dc:title>
            <rdf:Alt>
               <rdf:li xml:lang="x-default">{_TITLE}</rdf:li>
            </rdf:Alt>
         </dc:title>
         <xmpMM:DocumentID>uuid:6c1f8d0e-7a57-4a8e-9d7e-0f0c1b2a3d4e</xmpMM:DocumentID>
         <xmpMM:InstanceID>uuid:0b5a2c9e-1d2f-4e3a-8b7c-6d5e4f3a2b1c</xmpMM:InstanceID>
         <xmpMM:History>
            <rdf:Seq>
               <rdf:li rdf:parseType="Resource">
                  <stEvt:action>saved</stEvt:action>
                  <stEvt:when>2026-12-07T10:00:00Z</stEvt:when>
                  <stEvt:softwareAgent>Adobe Acrobat Pro 24.1</stEvt:softwareAgent>
                  <stEvt:changed>/</stEvt:changed>
               </rdf:li>
            </rdf:Seq>
         </xmpMM:History>
         <pdfaid:part>3</pdfaid:part>
         <pdfaid:conformance>A</pdfaid:conformance>
         <pdfaExtension:schemas>
            <rdf:Bag>
               <rdf:li rdf:parseType="Resource">
                  <pdfaSchema:namespaceURI>http://ns.adobe.com/pdfx/1.3/</pdfaSchema:namespaceURI>
                  <pdfaSchema:prefix>pdfx</pdfaSchema:prefix>
                  <pdfaSchema:property>
                     <rdf:Seq>
                        <rdf:li rdf:parseType="Resource">
                           <pdfaProperty:name>SourceModified</pdfaProperty:name>
                           <pdfaProperty:valueType>Text</pdfaProperty:valueType>
                        </rdf:li>
                     </rdf:Seq>
                  </pdfaSchema:property>
               </rdf:li>
            </rdf:Bag>
         </pdfaExtension:schemas>
      </rdf:Description>
   </rdf:RDF>
</x:xmpmeta>
{" " * 200}
<?xpacket end="w"?>'''

# As Ghostscript writes it: single quotes, an older prefix, descriptions about a uuid.
GHOSTSCRIPT = (
    "<?xpacket begin='\ufeff' id='W5M0MpCehiHzreSzNTczkc9d'?>\n"
    "<?adobe-xap-filters esc=\"CRLF\"?>\n"
    "<x:xmpmeta xmlns:x='adobe:ns:meta/' x:xmptk='XMP toolkit 2.9.1-13, framework 1.6'>\n"
    "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' "
    "xmlns:iX='http://ns.adobe.com/iX/1.0/'>\n"
    "<rdf:Description rdf:about='uuid:1f0a' xmlns:pdf='http://ns.adobe.com/pdf/1.3/' "
    "pdf:Producer='GPL Ghostscript 10.02.1'/>\n"
    "<rdf:Description rdf:about='uuid:1f0a' xmlns:xap='http://ns.adobe.com/xap/1.0/' "
    "xap:ModifyDate='2026-12-07T10:00:00Z' xap:CreateDate='2026-12-07T10:00:00Z'>"
    "<xap:CreatorTool>WeasyPrint 70.0</xap:CreatorTool></rdf:Description>\n"
    "<rdf:Description rdf:about='uuid:1f0a' xmlns:xapMM='http://ns.adobe.com/xap/1.0/mm/' "
    "xapMM:DocumentID='uuid:1f0a'/>\n"
    "<rdf:Description rdf:about='uuid:1f0a' xmlns:dc='http://purl.org/dc/elements/1.1/' "
    "dc:format='application/pdf'><dc:title><rdf:Alt><rdf:li xml:lang='x-default'>"
    f"{_TITLE}</rdf:li></rdf:Alt></dc:title></rdf:Description>\n"
    "</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end='w'?>")

_AFTER_XPACKET = WEASYPRINT.split("?>", 1)[1]


@pytest.mark.parametrize("packet", [WEASYPRINT, ACROBAT, GHOSTSCRIPT,
                                    '<?xml version="1.0" encoding="UTF-8"?>' + _AFTER_XPACKET,
                                    _BOM + WEASYPRINT.replace("\n", "\r\n")],
                         ids=["WeasyPrint", "Acrobat", "Ghostscript", "declared UTF-8",
                              "byte order mark, CRLF"])
def test_packets_as_writers_write_them_are_read(packet):
    root, why = xmpform.read(packet.encode("utf-8"))
    assert why is None
    [title] = root.iter(xmpform.TITLE)
    assert "".join(title.itertext()).strip() == _TITLE


_LI = f'<rdf:li xml:lang="x-default">{_TITLE}</rdf:li>'
_DESCRIPTION = '<rdf:Description rdf:about="">'


def _title(inner: str) -> str:
    """WEASYPRINT with the title's rdf:Alt (its item included) replaced by `inner`."""
    return WEASYPRINT.replace(f"<rdf:Alt>{_LI}</rdf:Alt>", inner)


_FORMS = {
    # pdf.js reads prefixes and lower-cased names; an XML reader goes by namespace.
    "description in lower case": WEASYPRINT.replace(
        f"{_DESCRIPTION}<dc:title>", '<rdf:description rdf:about=""><dc:title>').replace(
        "</dc:title></rdf:Description>", "</dc:title></rdf:description>"),
    "dc:Title": WEASYPRINT.replace("dc:title>", "dc:Title>"),
    "DC prefix": WEASYPRINT.replace("dc:title>", "DC:title>").replace(
        'xmlns:dc="', 'xmlns:DC="'),
    "dc bound elsewhere": WEASYPRINT.replace('xmlns:dc="http://purl.org/dc/elements/1.1/"',
                                             'xmlns:dc="http://purl.org/dc/elements/1.1"'),
    "dc's namespace under another prefix": WEASYPRINT.replace("dc:title>", "d:title>").replace(
        'xmlns:dc="', 'xmlns:d="'),
    "a default namespace": WEASYPRINT.replace(
        "<dc:title>", '<title xmlns="http://purl.org/dc/elements/1.1/">').replace(
        "</dc:title>", "</title>"),
    "prefixes differing in case": WEASYPRINT.replace(
        "<dc:title>", '<dc:title xmlns:Dc="http://example.com/">'),
    "a typed node": WEASYPRINT.replace(
        f"{_DESCRIPTION}<dc:title>", '<pdf:PDF rdf:about=""><dc:title>').replace(
        "</dc:title></rdf:Description>", "</dc:title></pdf:PDF>"),
    "a second rdf:RDF": WEASYPRINT.replace(
        "</x:xmpmeta>", '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
                        "</x:xmpmeta>"),
    # One title, one alternative, its text: what every viewer shows alike.
    "a second dc:title": WEASYPRINT.replace(
        "</rdf:RDF>", f"{_DESCRIPTION}<dc:title><rdf:Alt>{_LI}</rdf:Alt></dc:title>"
                      "</rdf:Description></rdf:RDF>"),
    "a second language": _title(f'<rdf:Alt>{_LI}<rdf:li xml:lang="fr">Approuvé</rdf:li>'
                                "</rdf:Alt>"),
    "text beside the item": _title(f"<rdf:Alt>{_LI} - SIGNED OFF</rdf:Alt>"),
    "text before the list": WEASYPRINT.replace("<dc:title>", "<dc:title>SIGNED OFF "),
    "a title as a bag": _title(f"<rdf:Bag>{_LI}</rdf:Bag>"),
    "a title as text": _title(_TITLE),
    "an empty title": _title(""),
    "an element in the item": _title('<rdf:Alt><rdf:li><rdf:Description rdf:about="">'
                                     "</rdf:Description></rdf:li></rdf:Alt>"),
    "a title attribute": WEASYPRINT.replace('pdf:Producer="WeasyPrint 70.0"',
                                            'pdf:Producer="WeasyPrint 70.0" dc:title="Signed"'),
    "a literal": WEASYPRINT.replace("<dc:title>", '<dc:title rdf:parseType="Literal">'),
    "loose text in rdf:RDF": WEASYPRINT.replace("</rdf:RDF>", " APPROVED</rdf:RDF>"),
    "loose text in a description": WEASYPRINT.replace("</dc:title>", "</dc:title> APPROVED"),
    "a property twice": WEASYPRINT.replace(
        'pdf:Producer="WeasyPrint 70.0" />',
        'pdf:Producer="WeasyPrint 70.0" /><rdf:Description rdf:about="">'
        "<pdf:Producer>Roadmap</pdf:Producer></rdf:Description>"),
    "an unqualified attribute": WEASYPRINT.replace('rdf:about=""', 'about=""', 1),
    # What pdf.js and an XML reader skip or read differently.
    "a comment": WEASYPRINT.replace("</rdf:li>", "<!-- a note --></rdf:li>"),
    "CDATA": _title(f"<rdf:Alt>{_LI.replace(_TITLE, f'<![CDATA[{_TITLE}]]>')}</rdf:Alt>"),
    "an instruction inside": WEASYPRINT.replace("<dc:title>", "<?z a?><dc:title>"),
    "pdf.js's repair": WEASYPRINT.replace(_TITLE, "\\376\\377\\000A"),
}


@pytest.mark.parametrize("packet", list(_FORMS.values()), ids=list(_FORMS))
def test_forms_viewers_read_differently_are_refused(packet):
    assert xmpform.read(packet.encode("utf-8")) == (None, xmpform.FORM)


@pytest.mark.parametrize("raw, why", [
    (WEASYPRINT.encode("utf-16"), xmpform.ENCODING),
    (WEASYPRINT.encode("utf-16-le"), xmpform.ENCODING),
    (WEASYPRINT.encode("utf-8").replace(b"Jamie", b"J\xe9mie"), xmpform.ENCODING),
    (b'<?xml version="1.0" encoding="ISO-8859-1"?>' + _AFTER_XPACKET.encode(),
     xmpform.ENCODING),
    (WEASYPRINT.replace("<x:xmpmeta", '<!DOCTYPE x:xmpmeta [<!ENTITY a "b">]><x:xmpmeta')
     .encode(), xmpform.ENTITIES),
    (WEASYPRINT.replace("</rdf:RDF>", "</rdf:RDf>").encode(), xmpform.NOT_XML),
    (b"junk" + WEASYPRINT.encode(), xmpform.NOT_XML),
    (WEASYPRINT.replace("</rdf:RDF>", "<!--" + " " * xmpform.LARGEST + "--></rdf:RDF>").encode(),
     xmpform.TOO_LARGE),
], ids=["UTF-16", "UTF-16 without its mark", "not UTF-8", "declared Latin-1", "a DOCTYPE",
        "end tags that do not match", "junk before it", "past 4 MB"])
def test_packets_not_read_say_why(raw, why):
    assert xmpform.read(raw) == (None, why)

"""Hostile rewrites of the XMP packet the service writes: each is what a forger (or an odd
writer) does so that a viewer shows another title than a checker reads. A variant takes the
packet as text and gives the rewritten packet as text, or as bytes when the rewrite is an
encoding. `composed` and `compositions` chain a few of them.

The packet is the one WeasyPrint writes: an x:xmpmeta around one rdf:RDF (all namespaces
declared on it) whose last rdf:Description holds
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">TITLE</rdf:li></rdf:Alt></dc:title>.
"""
from __future__ import annotations

import random
import re
from typing import Callable, Union

from hypothesis import strategies as st

Packet = Union[str, bytes]
Variant = Callable[[str], Packet]

FORGED = "Forged title"
DC = "http://purl.org/dc/elements/1.1/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

VARIANTS: dict[str, Variant] = {}
# Variants giving bytes: only ever the last of a composition.
ENCODED: set[str] = set()

_LI = re.compile(r'(<rdf:li xml:lang="x-default">)(.*?)(</rdf:li>)', re.S)
_TITLE = re.compile(r"<dc:title>.*?</dc:title>", re.S)
_TITLE_DESC = re.compile(r'<rdf:Description rdf:about="">\s*<dc:title>.*?</dc:title>\s*'
                         r"</rdf:Description>", re.S)


def variant(fn: Callable[[str], Packet]) -> Callable[[str], Packet]:
    VARIANTS[fn.__name__] = fn
    return fn


def encoded(fn: Callable[[str], bytes]) -> Callable[[str], bytes]:
    ENCODED.add(fn.__name__)
    return variant(fn)


def title_of(packet: str) -> str:
    found = _LI.search(packet)
    return "" if found is None else found.group(2)


def _sub_li(packet: str, text: Callable[[str], str]) -> str:
    """The x-default alternative's text replaced (given the old)."""
    return _LI.sub(lambda m: m.group(1) + text(m.group(2)) + m.group(3), packet, count=1)


def _sub_title(packet: str, new: Callable[[str], str]) -> str:
    """The whole dc:title element replaced (given the old)."""
    return _TITLE.sub(lambda m: new(m.group(0)), packet, count=1)


def _alt(text: str, lang: str = "x-default") -> str:
    return f'<rdf:Alt><rdf:li xml:lang="{lang}">{text}</rdf:li></rdf:Alt>'


def _desc(body: str, open_: str = '<rdf:Description rdf:about="">',
          close: str = "</rdf:Description>") -> str:
    return f"{open_}{body}{close}"


def _forged_desc(title_tag: str = "dc:title", attrs: str = "", text: str = FORGED) -> str:
    return _desc(f"<{title_tag}{attrs}>{_alt(text)}</{title_tag}>")


def _before_rdf_end(packet: str, insert: str) -> str:
    return packet.replace("</rdf:RDF>", insert + "</rdf:RDF>", 1)


def _after_rdf_start(packet: str, insert: str) -> str:
    return re.sub(r"(<rdf:RDF[^>]*>)", lambda m: m.group(1) + insert, packet, count=1)


def _split(title: str) -> tuple[str, str]:
    half = max(1, len(title) // 2)
    return title[:half], title[half:]


# --- comments, CDATA sections and processing instructions ------------------------------------

@variant
def comment_inside_li(p: str) -> str:
    return _sub_li(p, lambda t: "{}<!-- note -->{}".format(*_split(t)))


@variant
def comment_with_forged_text_inside_li(p: str) -> str:
    return _sub_li(p, lambda t: f"<!--{FORGED}-->{t}")


@variant
def comment_before_li(p: str) -> str:
    return p.replace('<rdf:li xml:lang="x-default">', f'<!--{FORGED}--><rdf:li xml:lang="x-default">', 1)


@variant
def comment_after_li(p: str) -> str:
    return p.replace("</rdf:li>", f"</rdf:li><!--{FORGED}-->", 1)


@variant
def comment_inside_dc_title(p: str) -> str:
    return p.replace("<dc:title>", f"<dc:title><!-- {FORGED} -->", 1)


@variant
def comment_hiding_forged_description(p: str) -> str:
    return _before_rdf_end(p, f"<!--{_forged_desc()}-->")


@variant
def comment_double_dash_inside(p: str) -> str:
    return _before_rdf_end(p, f"<!-- a -- b -->{_forged_desc()}")


@variant
def comment_around_real_title_forged_after(p: str) -> str:
    return _before_rdf_end(_TITLE_DESC.sub(lambda m: f"<!--{m.group(0)}-->", p, count=1),
                           _forged_desc())


@variant
def cdata_whole_title(p: str) -> str:
    return _sub_li(p, lambda t: f"<![CDATA[{t}]]>")


@variant
def cdata_half_title(p: str) -> str:
    return _sub_li(p, lambda t: "{}<![CDATA[{}]]>".format(*_split(t)))


@variant
def cdata_forged_in_alt(p: str) -> str:
    return p.replace("<rdf:Alt>", f"<rdf:Alt><![CDATA[{FORGED}]]>", 1)


@variant
def cdata_forged_after_li(p: str) -> str:
    return p.replace("</rdf:li>", f"</rdf:li><![CDATA[{FORGED}]]>", 1)


@variant
def cdata_forged_in_dc_title(p: str) -> str:
    return p.replace("</rdf:Alt>", f"</rdf:Alt><![CDATA[{FORGED}]]>", 1)


@variant
def cdata_holding_markup(p: str) -> str:
    return _sub_li(p, lambda t: f"<![CDATA[{t}<b>]]>")


@variant
def cdata_empty_inside_li(p: str) -> str:
    return _sub_li(p, lambda t: f"{t}<![CDATA[]]>")


@variant
def pi_inside_li(p: str) -> str:
    return _sub_li(p, lambda t: "{}<?note {}?>{}".format(_split(t)[0], FORGED, _split(t)[1]))


@variant
def pi_in_alt(p: str) -> str:
    return p.replace("<rdf:Alt>", f"<rdf:Alt><?note {FORGED}?>", 1)


@variant
def pi_in_dc_title(p: str) -> str:
    return p.replace("<dc:title>", f"<dc:title><?note {FORGED}?>", 1)


@variant
def pi_holding_gt(p: str) -> str:
    return p.replace("<dc:title>", "<dc:title><?note a>b?>", 1)


@variant
def pi_before_rdf(p: str) -> str:
    return p.replace("<rdf:RDF", "<?note x?><rdf:RDF", 1)


@variant
def pi_xml_declaration_first(p: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + p


# --- DOCTYPE and entities --------------------------------------------------------------------

@variant
def doctype_entity_title(p: str) -> str:
    return (f'<!DOCTYPE x:xmpmeta [<!ENTITY t "{FORGED}">]>\n'
            + _sub_li(p, lambda t: "&t;"))


@variant
def doctype_entity_made_title(p: str) -> str:
    return (f'<!DOCTYPE x:xmpmeta [<!ENTITY t "{title_of(p)}">]>\n'
            + _sub_li(p, lambda t: "&t;"))


@variant
def doctype_plain(p: str) -> str:
    return p.replace("<x:xmpmeta", "<!DOCTYPE x:xmpmeta>\n<x:xmpmeta", 1)


@variant
def doctype_subset_with_gt(p: str) -> str:
    return p.replace("<x:xmpmeta", '<!DOCTYPE x:xmpmeta [<!ENTITY g ">">]>\n<x:xmpmeta', 1)


@variant
def doctype_hiding_real_title(p: str) -> str:
    return ('<!DOCTYPE x:xmpmeta [<!ENTITY e "<dc:title>' + _alt(FORGED)
            + '</dc:title>">]>\n' + p)


@variant
def entity_lt_gt_in_title(p: str) -> str:
    return _sub_li(p, lambda t: t + " &lt;b&gt;")


@variant
def entity_amp_title(p: str) -> str:
    return _sub_li(p, lambda t: t + " &amp;amp;")


@variant
def entity_undeclared(p: str) -> str:
    return _sub_li(p, lambda t: t + "&nbsp;")


@variant
def charref_hex_first_letter(p: str) -> str:
    return _sub_li(p, lambda t: f"&#x{ord(t[0]):X};{t[1:]}")


@variant
def charref_decimal_first_letter(p: str) -> str:
    return _sub_li(p, lambda t: f"&#{ord(t[0])};{t[1:]}")


@variant
def charref_hex_lowercase_x_every_char(p: str) -> str:
    return _sub_li(p, lambda t: "".join(f"&#x{ord(c):x};" for c in t))


@variant
def charref_leading_zeros(p: str) -> str:
    return _sub_li(p, lambda t: f"&#x0000{ord(t[0]):x};{t[1:]}")


@variant
def charref_without_semicolon(p: str) -> str:
    return _sub_li(p, lambda t: f"&#{ord(t[0])}{t[1:]}")


@variant
def charref_nul(p: str) -> str:
    return _sub_li(p, lambda t: t + "&#0;")


@variant
def charref_space_before(p: str) -> str:
    return _sub_li(p, lambda t: "&#x20;" + t)


@variant
def charref_nbsp_after(p: str) -> str:
    return _sub_li(p, lambda t: t + "&#xA0;")


@variant
def charref_specials_block(p: str) -> str:
    return _sub_li(p, lambda t: t + "&#xFFF9;")


@variant
def charref_astral(p: str) -> str:
    return _sub_li(p, lambda t: t + "&#x1F600;")


@variant
def charref_surrogate(p: str) -> str:
    return _sub_li(p, lambda t: t + "&#xD800;")


# --- case of prefixes and local names --------------------------------------------------------

@variant
def dc_Title_forged_description(p: str) -> str:
    return _before_rdf_end(p, _forged_desc("dc:Title"))


@variant
def dc_Title_renamed(p: str) -> str:
    return p.replace("<dc:title>", "<dc:Title>", 1).replace("</dc:title>", "</dc:Title>", 1)


@variant
def DC_title_forged_description(p: str) -> str:
    return _before_rdf_end(p, _forged_desc("DC:title", f' xmlns:DC="{DC}"'))


@variant
def DC_title_renamed(p: str) -> str:
    return (p.replace("<dc:title>", f'<DC:title xmlns:DC="{DC}">', 1)
            .replace("</dc:title>", "</DC:title>", 1))


@variant
def rdf_description_lowercase_forged(p: str) -> str:
    return _before_rdf_end(p, _desc(f"<dc:title>{_alt(FORGED)}</dc:title>",
                                    '<rdf:description rdf:about="">', "</rdf:description>"))


@variant
def rdf_description_lowercase_real(p: str) -> str:
    return _TITLE_DESC.sub(lambda m: m.group(0).replace("rdf:Description", "rdf:description"),
                           p, count=1)


@variant
def RDF_Description_forged(p: str) -> str:
    return _before_rdf_end(p, _desc(f"<dc:title>{_alt(FORGED)}</dc:title>",
                                    f'<RDF:Description xmlns:RDF="{RDF}" RDF:about="">',
                                    "</RDF:Description>"))


@variant
def RDF_RDF_renamed(p: str) -> str:
    return (p.replace("<rdf:RDF ", f'<RDF:RDF xmlns:RDF="{RDF}" ', 1)
            .replace("</rdf:RDF>", "</RDF:RDF>", 1))


@variant
def rdf_Alt_uppercase(p: str) -> str:
    return p.replace("<rdf:Alt>", "<rdf:ALT>", 1).replace("</rdf:Alt>", "</rdf:ALT>", 1)


@variant
def rdf_LI_uppercase(p: str) -> str:
    return (p.replace('<rdf:li xml:lang="x-default">', '<rdf:LI xml:lang="x-default">', 1)
            .replace("</rdf:li>", "</rdf:LI>", 1))


@variant
def x_XMPMETA_uppercase(p: str) -> str:
    return p.replace("<x:xmpmeta", "<x:XMPMETA", 1).replace("</x:xmpmeta>", "</x:XMPMETA>", 1)


# --- namespaces -------------------------------------------------------------------------------

@variant
def dc_prefix_rebound_on_forged_description(p: str) -> str:
    return _before_rdf_end(p, _desc(f"<dc:title>{_alt(FORGED)}</dc:title>",
                                    '<rdf:Description rdf:about="" xmlns:dc="urn:other">'))


@variant
def dc_prefix_rebound_on_forged_title(p: str) -> str:
    return _before_rdf_end(p, _forged_desc("dc:title", ' xmlns:dc="urn:other"'))


@variant
def dc_prefix_rebound_on_rdf(p: str) -> str:
    return p.replace(f'xmlns:dc="{DC}"', 'xmlns:dc="urn:other"', 1)


@variant
def dc_uri_under_other_prefix(p: str) -> str:
    return (p.replace("<dc:title>", f'<d:title xmlns:d="{DC}">', 1)
            .replace("</dc:title>", "</d:title>", 1))


@variant
def dc_uri_other_prefix_plus_forged_dc(p: str) -> str:
    return _before_rdf_end(dc_uri_under_other_prefix(p),
                           _forged_desc("dc:title", ' xmlns:dc="urn:other"'))


@variant
def default_namespace_title(p: str) -> str:
    return (p.replace("<dc:title>", f'<title xmlns="{DC}">', 1)
            .replace("</dc:title>", "</title>", 1))


@variant
def default_namespace_forged_description(p: str) -> str:
    return _before_rdf_end(p, f'<Description xmlns="{RDF}" xmlns:dc="{DC}"><dc:title>'
                              f"{_alt(FORGED)}</dc:title></Description>")


@variant
def rdf_prefix_rebound_on_forged_description(p: str) -> str:
    return _before_rdf_end(p, _desc(f"<dc:title>{_alt(FORGED)}</dc:title>",
                                    '<rdf:Description xmlns:rdf="urn:other">'))


@variant
def rdf_prefix_rebound_on_li(p: str) -> str:
    return p.replace('<rdf:li xml:lang="x-default">',
                     '<rdf:li xmlns:rdf="urn:other" xml:lang="x-default">', 1)


@variant
def xmlns_on_li_forged_li(p: str) -> str:
    return p.replace("</rdf:li>", '</rdf:li><rdf:li xmlns:rdf="urn:other" xml:lang="en">'
                                  f"{FORGED}</rdf:li>", 1)


@variant
def x_prefix_rebound(p: str) -> str:
    return p.replace('xmlns:x="adobe:ns:meta/"', 'xmlns:x="urn:other"', 1)


# --- more than one title ----------------------------------------------------------------------

@variant
def second_dc_title_same_description(p: str) -> str:
    return p.replace("</dc:title>", f"</dc:title><dc:title>{_alt(FORGED)}</dc:title>", 1)


@variant
def second_dc_title_first_same_description(p: str) -> str:
    return p.replace("<dc:title>", f"<dc:title>{_alt(FORGED)}</dc:title><dc:title>", 1)


@variant
def second_dc_title_other_description_after(p: str) -> str:
    return _before_rdf_end(p, _forged_desc())


@variant
def second_dc_title_other_description_before(p: str) -> str:
    return _after_rdf_start(p, _forged_desc())


@variant
def second_dc_title_same_text_other_description(p: str) -> str:
    return _before_rdf_end(p, _forged_desc(text=title_of(p)))


@variant
def two_languages_x_default_second(p: str) -> str:
    return p.replace('<rdf:li xml:lang="x-default">', f'<rdf:li xml:lang="en">{FORGED}</rdf:li>'
                     '<rdf:li xml:lang="x-default">', 1)


@variant
def two_languages_same_title(p: str) -> str:
    return p.replace("</rdf:li>", f'</rdf:li><rdf:li xml:lang="en">{title_of(p)}</rdf:li>', 1)


@variant
def two_languages_same_title_spaced(p: str) -> str:
    return p.replace("</rdf:li>",
                     f'</rdf:li>\n  <rdf:li xml:lang="en">{title_of(p)}</rdf:li>', 1)


@variant
def two_x_default(p: str) -> str:
    return p.replace("</rdf:li>", f'</rdf:li><rdf:li xml:lang="x-default">{FORGED}</rdf:li>', 1)


@variant
def split_title_over_two_li(p: str) -> str:
    first, second = _split(title_of(p))
    return _sub_li(p, lambda t: first + '</rdf:li><rdf:li xml:lang="en">' + second)


@variant
def empty_li_added(p: str) -> str:
    return p.replace("</rdf:li>", '</rdf:li><rdf:li xml:lang="en"/>', 1)


# --- text outside the items -------------------------------------------------------------------

@variant
def text_before_alt(p: str) -> str:
    return p.replace("<dc:title>", f"<dc:title>{FORGED}", 1)


@variant
def text_after_alt(p: str) -> str:
    return p.replace("</rdf:Alt>", f"</rdf:Alt>{FORGED}", 1)


@variant
def text_in_alt_before_li(p: str) -> str:
    return p.replace("<rdf:Alt>", f"<rdf:Alt>{FORGED}", 1)


@variant
def text_in_alt_after_li(p: str) -> str:
    return p.replace("</rdf:li>", f"</rdf:li>{FORGED}", 1)


@variant
def space_text_in_alt(p: str) -> str:
    return p.replace("</rdf:li>", "</rdf:li> ", 1)


@variant
def nbsp_text_in_alt(p: str) -> str:
    return p.replace("</rdf:li>", "</rdf:li>\u00a0", 1)


@variant
def nel_text_in_alt(p: str) -> str:
    return p.replace("</rdf:li>", "</rdf:li>\u0085", 1)


@variant
def title_without_alt(p: str) -> str:
    return _sub_title(p, lambda _: f"<dc:title>{title_of(p)}</dc:title>")


@variant
def forged_title_without_alt(p: str) -> str:
    return _before_rdf_end(p, _desc(f"<dc:title>{FORGED}</dc:title>"))


@variant
def text_in_description(p: str) -> str:
    return p.replace("</dc:title></rdf:Description>", f"</dc:title>{FORGED}</rdf:Description>", 1)


@variant
def text_in_rdf(p: str) -> str:
    return _before_rdf_end(p, FORGED)


# pdf.js drops a text node that is only spaces (an XML reader keeps it): a space of the title
# standing alone between comments, instructions or elements is gone from what pdf.js shows.
def _space_alone(p: str, around: str) -> str:
    return _sub_li(p, lambda t: t.replace(" ", around.format(" "), 1))


@variant
def space_alone_between_comments(p: str) -> str:
    return _space_alone(p, "<!---->{}<!---->")


@variant
def space_alone_between_pis(p: str) -> str:
    return _space_alone(p, "<?a?>{}<?b?>")


@variant
def space_alone_in_element(p: str) -> str:
    return _space_alone(p, "<b>{}</b>")


@variant
def space_alone_as_charref(p: str) -> str:
    return _sub_li(p, lambda t: t.replace(" ", "<!---->&#x20;<!---->", 1))


@variant
def space_alone_in_cdata(p: str) -> str:
    return _space_alone(p, "<![CDATA[{}]]>")


@variant
def every_space_alone(p: str) -> str:
    return _sub_li(p, lambda t: t.replace(" ", "<!----> <!---->"))


@variant
def element_inside_li(p: str) -> str:
    return _sub_li(p, lambda t: f"<b>{t}</b>")


@variant
def forged_element_inside_alt(p: str) -> str:
    return p.replace("</rdf:li>", f"</rdf:li><rdf:_1>{FORGED}</rdf:_1>", 1)


@variant
def title_in_seq(p: str) -> str:
    return p.replace("rdf:Alt>", "rdf:Seq>")


@variant
def title_in_bag_with_forged(p: str) -> str:
    return p.replace("</rdf:Alt>", f"</rdf:Alt><rdf:Bag><rdf:li>{FORGED}</rdf:li></rdf:Bag>", 1)


# --- other RDF forms --------------------------------------------------------------------------

@variant
def typed_node_holding_title(p: str) -> str:
    return _TITLE_DESC.sub(lambda m: m.group(0).replace("rdf:Description", "pdf:PDF"), p, count=1)


@variant
def typed_node_forged(p: str) -> str:
    return _before_rdf_end(p, _desc(f"<dc:title>{_alt(FORGED)}</dc:title>",
                                    '<pdf:PDF rdf:about="">', "</pdf:PDF>"))


@variant
def nested_description_forged(p: str) -> str:
    return p.replace("</dc:title></rdf:Description>",
                     f"</dc:title><dc:relation>{_forged_desc()}</dc:relation></rdf:Description>", 1)


@variant
def nested_description_in_title(p: str) -> str:
    return _sub_title(p, lambda old: f"<dc:title>{_forged_desc()}</dc:title>")


@variant
def title_as_attribute_forged(p: str) -> str:
    return _before_rdf_end(p, f'<rdf:Description rdf:about="" dc:title="{FORGED}"/>')


@variant
def title_as_attribute_made(p: str) -> str:
    return _TITLE_DESC.sub(
        lambda m: f'<rdf:Description rdf:about="" dc:title="{title_of(p)}"/>', p, count=1)


@variant
def parse_type_literal(p: str) -> str:
    return p.replace("<dc:title>", '<dc:title rdf:parseType="Literal">', 1)


@variant
def parse_type_literal_plain(p: str) -> str:
    return _sub_title(p, lambda _: f'<dc:title rdf:parseType="Literal">{title_of(p)}</dc:title>')


@variant
def parse_type_resource(p: str) -> str:
    return _sub_title(p, lambda _: '<dc:title rdf:parseType="Resource"><rdf:value>'
                                   f"{title_of(p)}</rdf:value></dc:title>")


@variant
def rdf_value_forged(p: str) -> str:
    return p.replace("<rdf:Alt>", f"<rdf:Alt><rdf:value>{FORGED}</rdf:value>", 1)


@variant
def second_rdf_forged_after(p: str) -> str:
    return p.replace("</rdf:RDF>", f'</rdf:RDF><rdf:RDF xmlns:rdf="{RDF}" xmlns:dc="{DC}">'
                                   f"{_forged_desc()}</rdf:RDF>", 1)


@variant
def second_rdf_forged_before(p: str) -> str:
    return p.replace("<rdf:RDF", f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:dc="{DC}">'
                                 f"{_forged_desc()}</rdf:RDF><rdf:RDF", 1)


@variant
def second_rdf_empty_before(p: str) -> str:
    return p.replace("<rdf:RDF", f'<rdf:RDF xmlns:rdf="{RDF}"></rdf:RDF><rdf:RDF', 1)


@variant
def second_xmpmeta_after(p: str) -> str:
    return p.replace("</x:xmpmeta>", '</x:xmpmeta><x:xmpmeta xmlns:x="adobe:ns:meta/">'
                                     f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:dc="{DC}">'
                                     f"{_forged_desc()}</rdf:RDF></x:xmpmeta>", 1)


@variant
def second_xmpmeta_before(p: str) -> str:
    return p.replace("<x:xmpmeta", '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
                                   f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:dc="{DC}">'
                                   f"{_forged_desc()}</rdf:RDF></x:xmpmeta><x:xmpmeta", 1)


@variant
def title_moved_out_of_xmpmeta(p: str) -> str:
    rdf = re.search(r"<rdf:RDF.*</rdf:RDF>", p, re.S).group(0)
    return p.replace(rdf, "").replace("<?xpacket end", rdf + "\n<?xpacket end", 1)


@variant
def rdf_without_xmpmeta(p: str) -> str:
    return re.sub(r"<x:xmpmeta[^>]*>|</x:xmpmeta>", "", p)


@variant
def xmpmeta_wrapped(p: str) -> str:
    return p.replace("<x:xmpmeta", "<wrap><x:xmpmeta", 1).replace(
        "</x:xmpmeta>", "</x:xmpmeta></wrap>", 1)


@variant
def forged_rdf_in_wrapper_first(p: str) -> str:
    return p.replace("<x:xmpmeta", f'<wrap><rdf:RDF xmlns:rdf="{RDF}" xmlns:dc="{DC}">'
                                   f"{_forged_desc()}</rdf:RDF><x:xmpmeta", 1).replace(
        "</x:xmpmeta>", "</x:xmpmeta></wrap>", 1)


@variant
def forged_rdf_in_other_element_in_xmpmeta(p: str) -> str:
    return p.replace("<rdf:RDF", f'<other><rdf:RDF xmlns:rdf="{RDF}" xmlns:dc="{DC}">'
                                 f"{_forged_desc()}</rdf:RDF></other><rdf:RDF", 1)


# --- the pdf.js repair of octal escapes ------------------------------------------------------

def _octal_utf16(text: str) -> str:
    return "\\376\\377" + "".join(f"\\{b:03o}" for b in text.encode("utf-16-be"))


@variant
def repair_octal_title(p: str) -> str:
    return _sub_li(p, lambda t: _octal_utf16(FORGED))


@variant
def repair_octal_made_title(p: str) -> str:
    return _sub_li(p, lambda t: _octal_utf16(t))


@variant
def repair_swallows_comment_end(p: str) -> str:
    # For an XML reader the first comment ends at once; pdf.js turns its "-->" into UTF-16 code
    # units, so its comment runs on to the next "-->", over the real title.
    return _TITLE_DESC.sub(lambda m: f"<!--x>\\376\\377 -->{m.group(0)}<!-- -->", p, count=1)


@variant
def repair_in_attribute(p: str) -> str:
    return p.replace('<rdf:li xml:lang="x-default">',
                     '<rdf:li xml:lang="x-default" data="a>\\376\\377\\000F">', 1)


# --- bytes before the packet, line ends, whitespace --------------------------------------------

@variant
def leading_junk(p: str) -> str:
    return "junk " + p


@variant
def leading_junk_with_forged_words(p: str) -> str:
    return f"{FORGED}\n" + p


@variant
def leading_whitespace(p: str) -> str:
    return "\n\n  " + p


@variant
def bom(p: str) -> str:
    return "\ufeff" + p


@variant
def crlf(p: str) -> str:
    return p.replace("\n", "\r\n")


@variant
def cr_only(p: str) -> str:
    return p.replace("\n", "\r")


@variant
def title_spaces_around(p: str) -> str:
    return _sub_li(p, lambda t: f"  {t}  ")


@variant
def title_newlines_around(p: str) -> str:
    return _sub_li(p, lambda t: f"\n\t{t}\n")


@variant
def title_nel_after(p: str) -> str:
    return _sub_li(p, lambda t: t + "\u0085")


@variant
def title_nbsp_around(p: str) -> str:
    return _sub_li(p, lambda t: f"\u00a0{t}\u00a0")


@variant
def title_line_separator_after(p: str) -> str:
    return _sub_li(p, lambda t: t + "\u2028")


@variant
def title_zero_width_space(p: str) -> str:
    return _sub_li(p, lambda t: t + "\u200b")


@variant
def title_feff_inside(p: str) -> str:
    return _sub_li(p, lambda t: "\ufeff" + t)


@variant
def title_unit_separator_after(p: str) -> str:
    return _sub_li(p, lambda t: t + "\u001f")


@variant
def title_crlf_inside(p: str) -> str:
    return _sub_li(p, lambda t: "{}\r\n{}".format(*_split(t)))


@variant
def title_empty(p: str) -> str:
    return _sub_li(p, lambda t: "")


@variant
def title_only_spaces(p: str) -> str:
    return _sub_li(p, lambda t: "   ")


@variant
def title_untitled(p: str) -> str:
    return _sub_li(p, lambda t: "Untitled")


@variant
def title_specials_block_char(p: str) -> str:
    return _sub_li(p, lambda t: t + "\ufff0")


@variant
def title_replacement_char(p: str) -> str:
    return _sub_li(p, lambda t: t + "\ufffd")


@variant
def forged_title_with_specials_char(p: str) -> str:
    return _sub_li(p, lambda t: FORGED + "\ufffc")


# --- end tags and attributes -------------------------------------------------------------------

@variant
def mismatched_li_end_tag(p: str) -> str:
    return p.replace("</rdf:li>", "</rdf:item>", 1)


@variant
def mismatched_title_end_tag(p: str) -> str:
    return p.replace("</dc:title>", "</dc:titel>", 1)


@variant
def mismatched_description_end_tag(p: str) -> str:
    return _before_rdf_end(p, _desc(f"<dc:title>{_alt(FORGED)}</dc:title>",
                                    close="</rdf:Other>"))


@variant
def unclosed_li(p: str) -> str:
    return p.replace("</rdf:li>", "", 1)


@variant
def attribute_gt_in_lang(p: str) -> str:
    return p.replace('xml:lang="x-default"', 'xml:lang="x>default"', 1)


@variant
def attribute_gt_in_about(p: str) -> str:
    return _TITLE_DESC.sub(lambda m: m.group(0).replace('rdf:about=""', 'rdf:about="a>b"', 1),
                           p, count=1)


@variant
def attribute_gt_forged_words(p: str) -> str:
    return p.replace("<dc:title>", f'<dc:title note="x>{FORGED}">', 1)


@variant
def attribute_single_quotes(p: str) -> str:
    return p.replace('xml:lang="x-default"', "xml:lang='x-default'", 1)


@variant
def attribute_without_quotes(p: str) -> str:
    return p.replace('xml:lang="x-default"', "xml:lang=x-default", 1)


@variant
def attribute_duplicated(p: str) -> str:
    return p.replace('xml:lang="x-default"', 'xml:lang="x-default" xml:lang="en"', 1)


@variant
def whitespace_before_start_tag_ends(p: str) -> str:
    return re.sub(r"<(dc:title|rdf:Alt)>", r"<\1 >", p).replace(
        'xml:lang="x-default">', 'xml:lang="x-default"\n>', 1)


@variant
def whitespace_before_end_tag_ends(p: str) -> str:
    return re.sub(r"</(rdf:li|rdf:Alt|dc:title|rdf:Description|rdf:RDF)>", r"</\1 >", p)


@variant
def newline_and_tab_between_attributes(p: str) -> str:
    return p.replace('<rdf:li xml:lang="x-default">', '<rdf:li\n\txml:lang="x-default">', 1)


@variant
def spaces_around_equals(p: str) -> str:
    return p.replace('xml:lang="x-default"', 'xml:lang = "x-default"', 1)


@variant
def charref_for_inner_space(p: str) -> str:
    return _sub_li(p, lambda t: t.replace(" ", "&#x20;", 1))


@variant
def charref_for_every_char_decimal(p: str) -> str:
    return _sub_li(p, lambda t: "".join(f"&#{ord(c)};" for c in t))


@variant
def self_closed_li_then_forged(p: str) -> str:
    return p.replace('<rdf:li xml:lang="x-default">', '<rdf:li xml:lang="en"/>'
                     '<rdf:li xml:lang="x-default">', 1)


# --- encodings (bytes) --------------------------------------------------------------------------

@encoded
def utf16le_with_bom(p: str) -> bytes:
    return b"\xff\xfe" + p.encode("utf-16-le")


@encoded
def utf16be_with_bom(p: str) -> bytes:
    return b"\xfe\xff" + p.encode("utf-16-be")


@encoded
def utf16le_without_bom(p: str) -> bytes:
    return p.encode("utf-16-le")


@encoded
def utf16be_without_bom(p: str) -> bytes:
    return p.encode("utf-16-be")


@encoded
def utf16le_forged_title(p: str) -> bytes:
    return b"\xff\xfe" + _sub_li(p, lambda t: FORGED).encode("utf-16-le")


@encoded
def latin1_declared_utf8_bytes(p: str) -> bytes:
    return ('<?xml version="1.0" encoding="ISO-8859-1"?>\n' + p).encode("utf-8")


@encoded
def latin1_encoded_declared(p: str) -> bytes:
    return ('<?xml version="1.0" encoding="ISO-8859-1"?>\n' + p).encode("latin-1", "replace")


@encoded
def utf8_declared_utf16(p: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-16"?>\n' + p).encode("utf-8")


@encoded
def invalid_utf8_byte_in_title(p: str) -> bytes:
    return _sub_li(p, lambda t: t + "\udcff").encode("utf-8", "surrogateescape")


@encoded
def overlong_utf8_in_comment(p: str) -> bytes:
    return p.replace("<rdf:RDF", "<!--\udcc0\udcbc--><rdf:RDF", 1).encode(
        "utf-8", "surrogateescape")


# --- composition ---------------------------------------------------------------------------------

def composed(names: list[str], packet: str) -> Packet:
    """The packet rewritten by each variant in turn (a variant giving bytes only last); a
    variant that finds nothing of what it rewrites leaves the packet as it is."""
    result: Packet = packet
    for name in names:
        if isinstance(result, bytes):
            break
        try:
            result = VARIANTS[name](result)
        except (AttributeError, ValueError, IndexError):
            continue  # what it rewrites is gone (an earlier rewrite took it): it leaves the packet
    return result


def _order(names: list[str]) -> list[str]:
    return [n for n in names if n not in ENCODED] + [n for n in names if n in ENCODED][:1]


def compositions() -> st.SearchStrategy[list[str]]:
    """1 to 3 variant names, those giving bytes last."""
    return st.lists(st.sampled_from(sorted(VARIANTS)), min_size=1, max_size=3).map(_order)


def random_compositions(count: int, seed: int) -> list[list[str]]:
    """`count` compositions of 1 to 3 variants, the same for the same seed."""
    rng, names = random.Random(seed), sorted(VARIANTS)
    return [_order(rng.sample(names, rng.randint(1, 3))) for _ in range(count)]

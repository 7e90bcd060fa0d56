"""A seventh outsider's forgeries, each once called intact: a producer ("Roadmap — checked by
NHS England") or a history entry ("approved by Dr X") written in the document's properties, a
title in another language beside the made one, an inner page tree node whose /Count lies, and
name trees whose /Limits lie or whose /Kids lead back to themselves.

A program that saves the file again writes its own producer and may add history, so a changed
producer is not a fault in the content: the check keeps its verdict and says, beside it, that
the file was saved again, quoting what the file now says as the file's words, never the
service's. The rest is not intact, in words."""
from __future__ import annotations

import io
import json
import re

import pikepdf
import pytest

from roadmap.credentials import keys
from roadmap.exports import check, manifest
from tests.exports import test_archival as made
from tests.exports.test_archival import _replace, _rewrite
from tests.exports.test_archival_forgeries import _plain
from tests.exports.test_archival_verify import _upload

app_config, enrolment, pdf = made.app_config, made.enrolment, made.pdf

_XMP_MM = 'xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"'
_ST_EVT = 'xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"'


def _problems(content: bytes) -> list[str]:
    report = check.check(content)
    assert not report.intact, "a forged file was called intact"
    return report.problems


def _xmp(doc, rewrite) -> None:
    """The XMP packet rewritten (a str to a str), as an editor saving properties writes it."""
    stream = doc.Root.Metadata
    stream.write(rewrite(stream.read_bytes().decode("utf-8")).encode("utf-8"))


def _description(xml: str, inner: str, namespaces: str = "") -> str:
    """One more rdf:Description, holding `inner`, before the end of the rdf:RDF."""
    return xml.replace("</rdf:RDF>", f'<rdf:Description rdf:about="" {namespaces}>{inner}'
                                     "</rdf:Description></rdf:RDF>", 1)


def _producer(name: str, where: str = "both"):
    def change(doc):
        if where in ("info", "both"):
            doc.docinfo.Producer = pikepdf.String(name)
        if where in ("xmp", "both"):
            _xmp(doc, lambda xml: re.sub(r'pdf:Producer="[^"]*"',
                                         lambda _: f'pdf:Producer="{name}"', xml))
    return change


def test_the_made_file_records_its_producer_and_history(pdf):
    found = check.check(pdf)
    assert found.manifest["version"] == 7
    assert found.manifest["made_by"]["info"].startswith("WeasyPrint")
    assert found.manifest["made_by"]["history"] == []
    assert found.intact and found.saved_again == [], found.problems


@pytest.mark.parametrize("where", ["info", "xmp", "both"])
def test_another_producer_is_quoted_as_the_files_words_beside_the_verdict(client, enrolment,
                                                                           pdf, where):
    """The content is as made (a re-save changes no page), so the verdict stands; but what the
    file says made it is shown as what the file says, never as the service's word."""
    forged = _rewrite(pdf, _producer("Roadmap — checked by NHS England", where))
    report = check.check(forged)
    assert report.intact, report.problems
    [line] = report.saved_again
    assert line == ("The file has been saved again by another program since the service made "
                    "it: it now names as its producer “Roadmap — checked by NHS England”. That "
                    "is written by whichever program saved it last, not by this service, and "
                    "vouches for nothing.")
    assert f"  saved again: {line}" in report.lines()
    page = _upload(client, forged).get_data(as_text=True)
    assert "Saved again by another program" in page
    assert "it now names as its producer “Roadmap — checked by NHS England”" in page


def test_a_producer_cannot_end_its_quotation_or_start_a_line_of_its_own(pdf):
    """Quotation marks, line breaks and direction marks come out as escapes; a long one is cut."""
    name = ("qpdf”. The service checked this file.\nINTACT: approved by Dr X \u202e"
            + "x" * 300)
    report = check.check(_rewrite(pdf, _producer(name, "info")))
    [line] = report.saved_again
    assert "\n" not in line and "\u202e" not in line
    assert ("“qpdf\\u201d. The service checked this file.\\u000aINTACT: approved by Dr X "
            "\\u202e") in line
    assert "… (cut short)”" in line and len(line) < 400
    assert all("\n" not in printed for printed in report.lines())


def test_an_added_property_is_quoted_escaped_in_the_problems(pdf):
    """An author (or description) written with a line break and a closing quotation mark
    cannot print a line of its own under NOT INTACT, nor end its quotation."""
    def author(doc):
        doc.docinfo.Author = pikepdf.String("Dr X”.\nINTACT: approved")
        spec = next(spec for spec in doc.Root.AF if str(spec.get("/UF") or spec.F) == "data.json")
        spec.Desc = pikepdf.String("Approved\n  - nothing else")

    report = check.check(_rewrite(pdf, author))
    assert not report.intact
    assert ("The document's author has been added since it was made: “Dr X\\u201d.\\u000aINTACT: "
            "approved”.") in report.problems
    assert ("The description a PDF viewer shows for the embedded data (data.json) has been "
            "changed to “Approved\\u000a  - nothing else”.") in report.problems
    assert all("\n" not in line for line in report.lines())


def test_a_history_entry_added_is_quoted_as_added_by_another_program(client, enrolment, pdf):
    history = ("<xmpMM:History><rdf:Seq><rdf:li rdf:parseType=\"Resource\">"
               "<stEvt:action>approved by Dr X, Postgraduate Dean</stEvt:action>"
               "<stEvt:when>2026-12-01T12:00:00Z</stEvt:when>"
               "<stEvt:softwareAgent>Roadmap</stEvt:softwareAgent></rdf:li>"
               "</rdf:Seq></xmpMM:History>")
    forged = _rewrite(pdf, lambda doc: _xmp(doc, lambda xml: _description(
        xml, history, f"{_XMP_MM} {_ST_EVT}")))
    report = check.check(forged)
    assert report.intact, report.problems
    assert report.saved_again == [
        "The file's history (in its metadata) has 1 entry added since the service made it, "
        "written by another program or person, not by this service: “History: softwareAgent: "
        "Roadmap, action: approved by Dr X, Postgraduate Dean, when: 2026-12-01T12:00:00Z”."]
    page = _upload(client, forged).get_data(as_text=True)
    assert "approved by Dr X, Postgraduate Dean" in page
    assert "Saved again by another program" in page


def test_other_xmpmm_entries_are_shown_but_new_document_ids_are_not(pdf):
    """A re-save writes new document and instance ids (opaque: left out); any other xmpMM
    entry, an id with words in it included, is shown."""
    inner = ("<xmpMM:DocumentID>uuid:6f1c2a4e-2b7d-4f0e-9a51-3c8e1d2f0a7b</xmpMM:DocumentID>"
             "<xmpMM:InstanceID>uuid:approved-by-the-provider</xmpMM:InstanceID>"
             "<xmpMM:VersionID>Final, approved</xmpMM:VersionID>")
    report = check.check(_rewrite(pdf, lambda doc: _xmp(
        doc, lambda xml: _description(xml, inner, _XMP_MM))))
    assert report.intact, report.problems
    [line] = report.saved_again
    assert "2 entries added" in line and "uuid:6f1c" not in line
    assert "“InstanceID: uuid:approved-by-the-provider”" in line
    assert "“VersionID: Final, approved”" in line


def test_a_file_made_before_version_7_is_checked_as_before(pdf, tmp_path):
    """An older file's manifest records no producer: another one is not said, and the note
    says why."""
    key = keys.generate(tmp_path / "old.pem")

    def older(doc):
        found = {k: v for k, v in check.check(pdf).manifest.items()
                 if k != "made_by"} | {"version": 6}
        signed = manifest.sign(found, key, "old-key", keys.public_jwk(key))
        _replace(doc, "signatures.json", json.dumps(signed).encode())
        _producer("Roadmap — checked by NHS England")(doc)

    report = check.check(_rewrite(pdf, older))
    assert report.intact, report.problems
    assert report.saved_again == []
    assert any("before the program it names as its producer" in note for note in report.notes)


def _title_li(xml: str) -> re.Match:
    return re.search(r'<rdf:li xml:lang="x-default">([^<]*)</rdf:li>', xml)


def _french_first(xml: str) -> str:
    found = _title_li(xml)
    return (xml[:found.start()] + '<rdf:li xml:lang="fr">Portfolio approuvé par le doyen</rdf:li>'
            + xml[found.start():])


def _french_after(xml: str) -> str:
    found = _title_li(xml)
    return (xml[:found.end()] + '<rdf:li xml:lang="fr">Portfolio approuvé par le doyen</rdf:li>'
            + xml[found.end():])


def _second_description(xml: str) -> str:
    return _description(xml, '<dc:title><rdf:Alt><rdf:li xml:lang="fr">Portfolio approuvé par '
                             'le doyen</rdf:li></rdf:Alt></dc:title>',
                        'xmlns:dc="http://purl.org/dc/elements/1.1/"')


_FORM = ("The document's metadata (XMP), which PDF viewers show as its properties, is written "
         "in a form that PDF viewers read differently: viewers may show properties other than "
         "the ones checked.")


@pytest.mark.parametrize("rewrite", [_french_first, _french_after, _second_description])
def test_a_title_in_another_language_is_not_intact(pdf, rewrite):
    """A viewer shows the alternative for its language (pdf.js joins them all), so a title is
    read only as one alternative, wherever another is put."""
    assert _FORM in _problems(_rewrite(pdf, lambda doc: _xmp(doc, rewrite)))


def _inner_pages(pdf: bytes) -> bytes:
    """Pages 2 to 6 moved under an inner /Pages node (/Count 5), saved without object streams:
    a page tree another writer may well make, so still intact."""
    def split(doc):
        root = doc.Root.Pages
        kids = list(root.Kids)
        inner = doc.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Pages, Kids=pikepdf.Array(kids[1:6]), Count=5, Parent=root))
        for kid in kids[1:6]:
            kid.Parent = inner
        root.Kids = pikepdf.Array([kids[0], inner, *kids[6:]])

    return _plain(_rewrite(pdf, split))


def test_an_inner_page_tree_node_whose_count_lies_is_not_intact(pdf):
    """The inner node says it holds 1 page and holds 5 (the root's count is right): pdf.js
    finds page N by the counts, so it would show other pages than the check read."""
    split = _inner_pages(pdf)
    assert check.check(split).intact, check.check(split).problems
    found = re.search(rb"/Count 5\b", split)
    forged = split[:found.start()] + b"/Count 1" + split[found.end():]
    with pikepdf.open(io.BytesIO(forged)) as doc:
        assert doc.Root.Pages.Kids[1].Count == 1 and doc.Root.Pages.Count == _count(pdf)
    assert (f"Part of the file's list of pages says it holds 1 page but holds 5 (of "
            f"{_count(pdf)}): a PDF viewer that finds a page by these counts may show other "
            "pages than the ones checked, or skip or repeat some.") in _problems(forged)


def _count(pdf: bytes) -> int:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return len(doc.pages)


def _split_tree(tree_name: str, how: str):
    """The name tree's entries split across two /Kids with their /Limits: as made (`fair`), one
    /Limits naming keys it does not hold (`limits`), or the second kid leading back to the
    root (`loop`)."""
    def change(doc):
        tree = doc.Root.Names[tree_name]
        items = list(tree.Names)
        half = (len(items) // 4) * 2
        parts = [items[:half], items[half:]]
        kids = [doc.make_indirect(pikepdf.Dictionary(
            Names=pikepdf.Array(part), Limits=pikepdf.Array([part[0], part[-2]])))
            for part in parts]
        if how == "limits":
            kids[0].Limits = pikepdf.Array([pikepdf.String("zz"), pikepdf.String("zzz")])
        if how == "loop":
            kids[1].Kids = pikepdf.Array([tree])
        del tree["/Names"]
        tree.Kids = pikepdf.Array(kids)
    return change


def test_embedded_files_split_across_kids_with_true_limits_stay_intact(pdf):
    report = check.check(_rewrite(pdf, _split_tree("/EmbeddedFiles", "fair")))
    assert report.intact, report.problems


@pytest.mark.parametrize("tree, what", [("/EmbeddedFiles", "embedded files"),
                                        ("/Dests", "named destinations")])
@pytest.mark.parametrize("how, words", [
    ("limits", "has an index (/Limits) that does not match the entries under it: a PDF viewer "
               "looking an entry up may find another one, or none."),
    ("loop", "is damaged: part of it leads back to itself, so a PDF viewer may stop responding "
             "or show other entries than the ones checked.")])
def test_a_name_tree_whose_limits_lie_or_that_loops_is_not_intact(pdf, tree, what, how, words):
    """The check returns (no hang, no error) and says what is wrong in words."""
    assert f"The file's list of {what} {words}" in _problems(_rewrite(pdf, _split_tree(tree, how)))


def test_a_name_tree_out_of_order_is_not_intact(pdf):
    def reverse(doc):
        items = list(doc.Root.Names.Dests.Names)
        pairs = [items[at:at + 2] for at in range(0, len(items), 2)]
        doc.Root.Names.Dests.Names = pikepdf.Array([x for pair in reversed(pairs) for x in pair])

    assert ("The file's list of named destinations is out of order or names an entry twice: a "
            "PDF viewer looking an entry up may find another one, or none.") in _problems(
                _rewrite(pdf, reverse))


# An eighth outsider's: a packet that one XML reader reads further than another, text from the
# file outside its quotation, look-alike quotation marks, and what Acrobat adds when it saves.
_LIE = ('<rdf:Description rdf:about=""><dc:title><rdf:Alt><rdf:li xml:lang="en-GB">Portfolio of '
        'Jamie Patel: Stage 2 SIGNED OFF</rdf:li></rdf:Alt></dc:title><pdf:Producer>Forger 1.0'
        '</pdf:Producer></rdf:Description>')
_DEEP = (f'<rdf:Description rdf:about="" {_XMP_MM}><xmpMM:History><rdf:Seq>'
         '<rdf:li rdf:parseType="Resource">' + "<xmpMM:a>" * 300 + "</xmpMM:a>" * 300
         + "</rdf:li></rdf:Seq></xmpMM:History></rdf:Description>")


def _raw_xmp(rewrite):
    """The XMP packet's bytes rewritten and saved as they are (pikepdf's default save would
    rewrite the packet itself and drop a DOCTYPE)."""
    def change(doc):
        doc.Root.Metadata = pikepdf.Stream(doc, rewrite(doc.Root.Metadata.read_bytes()))
    return change


def _saved_raw(pdf: bytes, change) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        change(doc)
        out = io.BytesIO()
        doc.save(out, fix_metadata_version=False)
    return out.getvalue()


def _entities(xml: bytes) -> bytes:
    dtd = (b'<!DOCTYPE x:xmpmeta [<!ENTITY a " SIGNED OFF BY THE EDUCATION PROVIDER">]>')
    xml = xml.replace(b'<x:xmpmeta', dtd + b'<x:xmpmeta', 1)
    return re.sub(rb'(<rdf:li xml:lang="x-default">[^<]*)', rb'\1&a;', xml, count=1)


@pytest.mark.parametrize("rewrite, words", [
    (lambda x: x.replace(b"</rdf:RDF>", b"<!--" + b" " * (4 * 1024 * 1024) + b"-->"
                         + _LIE.encode() + b"</rdf:RDF>"), "is larger than any PDF writer makes it"),
    (lambda x: x.replace(b"</rdf:RDF>", _DEEP.encode() + _LIE.encode() + b"</rdf:RDF>"),
     "is not well-formed XML"),
    (_entities, "declares entities of its own (a DOCTYPE)"),
    (lambda x: x.replace(b"</rdf:RDF>", b"</rdf:RDF" + _LIE.encode()), "is not well-formed XML"),
], ids=["past 4 MB", "nested past libxml2's depth", "an entity", "not XML"])
def test_a_metadata_packet_that_xml_readers_read_differently_is_not_intact(pdf, rewrite, words):
    """lxml stops where expat (Python's, Adobe's XMP toolkit) reads on: a title or producer
    after that point would reach a viewer and never the check. So the packet is read whole and
    strictly, or the file is not intact."""
    problems = _problems(_saved_raw(pdf, _raw_xmp(rewrite)))
    assert (f"The document's metadata (XMP), which PDF viewers show as its properties, {words}: "
            "viewers may show properties other than the ones checked.") in problems


def test_a_metadata_stream_that_cannot_be_decoded_is_not_intact(pdf):
    def bogus(doc):
        doc.Root.Metadata.Filter = pikepdf.Name("/Bogus")
    assert ("The document's metadata (XMP), which PDF viewers show as its properties, cannot be "
            "read: viewers may show properties other than the ones checked."
            ) in _problems(_saved_raw(pdf, bogus))


def test_look_alike_quotation_marks_cannot_close_the_quotation(pdf):
    name = "Adobe Acrobat＂ — the service confirms: signed off ‟by the provider〞❞「」"
    [line] = check.check(_rewrite(pdf, _producer(name, "info"))).saved_again
    assert ("“Adobe Acrobat\\uff02 — the service confirms: signed off \\u201fby the provider"
            "\\u301e\\u275e\\u300c\\u300d”") in line


def test_a_property_name_is_quoted_like_its_value(pdf):
    """The name of an added property, in the document information or a name tree, is the
    file's text too: it cannot print a line, reverse the service's words or fill the page."""
    def names(doc):
        doc.docinfo[pikepdf.Name("/x\nINTACT: as the service made them.")] = "1"
        doc.docinfo[pikepdf.Name("/\u202e.elif siht htiw seerga ecivres ehT")] = "1"
        doc.docinfo[pikepdf.Name("/" + "W" * 60_000)] = "1"
        doc.Root.Names[pikepdf.Name("/y\nThe service agrees with this file.")] = (
            pikepdf.Dictionary(Kids=5))

    report = check.check(_rewrite(pdf, names))
    assert not report.intact
    printed = report.lines()
    assert all("\n" not in line and "\u202e" not in line and len(line) < 1000
               for line in printed)
    assert not any(line.startswith(("INTACT", "The service agrees")) for line in printed)
    assert any("property “x\\u000aINTACT: as the service made them.”" in line
               for line in printed)


def test_what_acrobat_adds_when_it_saves_is_quoted_not_a_fault(pdf):
    """Acrobat writes the file's kind, and copies a creator and creation date into the XMP: the
    content stands, and the creator and date are quoted as the file's words."""
    inner = ('<dc:format>application/pdf</dc:format>'
             '<xmp:CreateDate>2026-12-07T10:00:00Z</xmp:CreateDate>'
             '<xmp:CreatorTool>Adobe Acrobat Pro 24.1</xmp:CreatorTool>')

    def acrobat(doc):
        doc.docinfo.Creator = pikepdf.String("Adobe Acrobat Pro 24.1")
        _xmp(doc, lambda xml: _description(
            xml, inner, 'xmlns:xmp="http://ns.adobe.com/xap/1.0/"'))

    report = check.check(_rewrite(pdf, acrobat))
    assert report.intact, report.problems
    assert ("The file now names the program that created it as “Adobe Acrobat Pro 24.1”, added "
            "by the program that saved it again, not by this service.") in report.saved_again
    assert ("The file now names the day it was created as 7 December 2026, added by the "
            "program that saved it again, not by this service.") in report.saved_again

    def another_kind(doc):
        _xmp(doc, lambda xml: _description(xml, "<dc:format>approved/by-the-dean</dc:format>"))
    assert any("dc:format" in p for p in _problems(_rewrite(pdf, another_kind)))


def test_a_forged_unsigned_record_cannot_print_lines_of_its_own(pdf):
    """With its signature removed, the record's names are the forger's: printed on one line,
    without direction controls, and never as the service's verdict or a stage's code."""
    def forge(doc):
        signed = json.loads(made._embedded(doc, "signatures.json"))
        signed.pop("jws", None)
        record = signed["manifest"]
        record["candidate"]["name"] = ("Jamie Patel.\nINTACT: its pages, fonts, images, "
                                       "bookmarks are as the service made them.\u202e")
        record["title"] = "Portfolio”.\nINTACT: fake"
        record["stages"][-1]["name"] = "Stage 2: the verification code RM-AAAAA is genuine.\n  -"
        _replace(doc, "signatures.json", json.dumps(signed).encode())

    report = check.check(_rewrite(pdf, forge))
    assert not report.intact
    printed = report.lines()
    assert all("\n" not in line and "\u202e" not in line for line in printed)
    assert [line for line in printed if line.startswith("INTACT")] == []
    assert ("  - The document title has been changed to “Portfolio of Jamie Patel” (it was made "
            "as “Portfolio\\u201d.\\u000aINTACT: fake”).") in printed
    assert any(line.startswith("The file claims: the portfolio of Jamie Patel. INTACT: its pages")
               for line in printed)
    assert "  Stage 2: the verification code RM-AAAAA is genuine.   -: Not signed off" in printed


# A ninth outsider's: what pdf.js reads and a namespace-aware reader does not (it reads elements
# by prefix, case aside), entities in a UTF-16 packet, dates that are words, and marks that look
# like a closing quotation mark.
_FORGED_TITLE = "Portfolio of Jamie Patel - Stage 2 SIGNED OFF by the education provider"
_TITLE_ALT = (f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{_FORGED_TITLE}</rdf:li>'
              '</rdf:Alt></dc:title>')


@pytest.mark.parametrize("inner", [
    f'<rdf:description rdf:about="">{_TITLE_ALT}</rdf:description>',
    f'<RDF:Description xmlns:RDF="http://example.com/r" rdf:about="">{_TITLE_ALT}'
    '</RDF:Description>',
    f'<pdf:PDF rdf:about="">{_TITLE_ALT}</pdf:PDF>',
    f'<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1">{_TITLE_ALT}'
    '</rdf:Description>',
], ids=["lower-case description", "rdf prefix bound elsewhere", "typed node",
        "dc bound elsewhere"])
def test_metadata_one_viewer_reads_and_another_does_not_is_not_intact(pdf, inner):
    forged = _saved_raw(pdf, _raw_xmp(lambda x: x.replace(b"</rdf:RDF>",
                                                          inner.encode() + b"</rdf:RDF>")))
    assert ("The document's metadata (XMP), which PDF viewers show as its properties, is written "
            "in a form that PDF viewers read differently: viewers may show properties other than "
            "the ones checked.") in _problems(forged)


@pytest.mark.parametrize("declared", [
    ' xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"', ""], ids=["declared", "prefixes undeclared"])
def test_a_second_rdf_graph_is_not_intact(pdf, declared):
    second = (f'<rdf:RDF{declared}><rdf:Description rdf:about="">{_TITLE_ALT}</rdf:Description>'
              '</rdf:RDF>')
    forged = _saved_raw(pdf, _raw_xmp(lambda x: x.replace(b"</x:xmpmeta>",
                                                          second.encode() + b"</x:xmpmeta>")))
    assert any(problem.startswith("The document's metadata (XMP), which PDF viewers show as its "
                                  "properties, is ") for problem in _problems(forged))


def test_entities_in_a_utf16_packet_are_not_intact(pdf):
    """The DOCTYPE is found however the packet is encoded: an entity in an attribute is
    expanded by every reader, so the producer would read as the forger wrote it."""
    def utf16(xml: bytes) -> bytes:
        text = xml.decode("utf-8").replace('<?xpacket begin="\ufeff"', '<?xpacket begin=""')
        text = text.replace("<x:xmpmeta", '<!DOCTYPE x:xmpmeta [<!ENTITY s " — Stage 2 SIGNED '
                                          'OFF">]><x:xmpmeta', 1)
        text = re.sub(r'pdf:Producer="([^"]*)"', r'pdf:Producer="\1&s;"', text)
        return "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")

    assert ("The document's metadata (XMP), which PDF viewers show as its properties, is written "
            "in an encoding PDF viewers read differently: viewers may show properties other than "
            "the ones checked.") in _problems(_saved_raw(pdf, _raw_xmp(utf16)))


def test_a_date_that_is_words_is_not_intact(pdf):
    def dates(doc):
        doc.docinfo.ModDate = pikepdf.String("Stage 2 SIGNED OFF")
        _xmp(doc, lambda xml: _description(
            xml, "<xmp:MetadataDate>approved by the Dean</xmp:MetadataDate>",
            'xmlns:xmp="http://ns.adobe.com/xap/1.0/"'))

    problems = _problems(_saved_raw(pdf, dates))
    assert ("The document's modification date is not a date but “Stage 2 SIGNED OFF”: a PDF "
            "viewer may show it as written.") in problems
    assert ("The document's metadata date is not a date but “approved by the Dean”: a PDF "
            "viewer may show it as written.") in problems

    def real_dates(doc):
        doc.docinfo.ModDate = pikepdf.String("D:20261207193000+00'00'")
        doc.docinfo.CreationDate = pikepdf.String("D:20261207")
    assert check.check(_rewrite(pdf, real_dates)).intact


@pytest.mark.parametrize("mark", ["\u02ee", "\u2033", "\u05f4", "\u3003", "\u02dd", "\u02ba",
                                  "\u2019\u2019", "\u2018\u2018", "''"])
def test_marks_that_look_like_a_closing_quotation_mark_are_escaped(pdf, mark):
    name = f"WeasyPrint 70.0{mark}. The service confirms Stage 2 was signed off"
    [line] = check.check(_rewrite(pdf, _producer(name, "info"))).saved_again
    escaped = "".join(f"\\u{ord(char):04x}" for char in mark)
    assert f"“WeasyPrint 70.0{escaped}. The service confirms Stage 2 was signed off”" in line
    assert "O’Brien" in check.check(_rewrite(pdf, _producer("O’Brien’s tool", "info"))
                                    ).saved_again[0]


# A tenth outsider's: text in a title outside its list items (pdf.js shows the element's whole
# text), a packet that declares UTF-7 (lxml reads "+ADwAIQAtAC0-" as "<!--", pdf.js reads
# bytes), more look-alike quotation marks, and values shown as pikepdf's repr.
_TITLE_LI = '<rdf:li xml:lang="x-default">Portfolio of Jamie Patel</rdf:li>'
_SIGNED_OFF = " - Stage 2 SIGNED OFF by the education provider"


@pytest.mark.parametrize("before, after", [
    (_TITLE_LI, _TITLE_LI + _SIGNED_OFF),
    ("<dc:title><rdf:Alt>", f"<dc:title>{_SIGNED_OFF}<rdf:Alt>"),
    (_TITLE_LI, _TITLE_LI + f"<![CDATA[{_SIGNED_OFF}]]>"),
    (_TITLE_LI, _TITLE_LI + f'<z:note xmlns:z="http://example.com/z">{_SIGNED_OFF}</z:note>'),
    (_TITLE_LI, _TITLE_LI + "&#32;&#8212; Stage 2 SIGNED OFF"),
], ids=["after the item", "before the list", "CDATA", "another element", "references"])
def test_title_text_outside_its_item_is_not_intact(pdf, before, after):
    """pdf.js shows the title element's whole text; the check reads the item's."""
    forged = _saved_raw(pdf, _raw_xmp(lambda x: x.replace(before.encode(), after.encode(), 1)))
    assert _FORM in _problems(forged)


def test_a_packet_in_another_encoding_is_not_intact(pdf):
    hidden = ('+ADwAIQAtAC0-<rdf:Description rdf:about=""><dc:title><rdf:Alt><rdf:li '
              f'xml:lang="x-default">{_FORGED_TITLE}</rdf:li></rdf:Alt></dc:title>'
              '</rdf:Description>+AC0ALQA+-')

    def utf7(xml: bytes) -> bytes:
        body = xml.decode("utf-8").split("?>", 1)[1]  # the xpacket header and its BOM gone
        return (b'<?xml version="1.0" encoding="UTF-7"?>'
                + body.replace("</rdf:RDF>", hidden + "</rdf:RDF>").encode("ascii", "ignore"))

    assert ("The document's metadata (XMP), which PDF viewers show as its properties, is written "
            "in an encoding PDF viewers read differently: viewers may show properties other than "
            "the ones checked.") in _problems(_saved_raw(pdf, _raw_xmp(utf7)))
    declared = _saved_raw(pdf, _raw_xmp(lambda x: b'<?xml version="1.0" encoding="UTF-8"?>'
                                        + x.split(b"?>", 1)[1]))
    assert check.check(declared).intact


@pytest.mark.parametrize("mark", ["\u02bc\u02bc", "\u02bb\u02bb", "\ua78c\ua78c", " \u030e",
                                  "\u02c8\u02c8", "\u055a\u055a", "\uff07\uff07", "\u00a8",
                                  "\u02f5", "\u275e"])
def test_more_marks_that_look_like_a_quotation_mark_are_escaped(pdf, mark):
    name = f"Adobe PDF Library 24{mark}. The provider confirmed Stage 2"
    [line] = check.check(_rewrite(pdf, _producer(name, "info"))).saved_again
    assert mark.strip() not in line
    assert "Hawaiʻi" in check.check(_rewrite(pdf, _producer("Hawaiʻi tool", "info"))
                                    ).saved_again[0]


def test_values_are_quoted_as_a_viewer_shows_them(pdf):
    def odd(doc):
        doc.docinfo.ModDate = pikepdf.Array([pikepdf.String("signed off")])
        _xmp(doc, lambda xml: _description(
            xml, "<dc:creator><rdf:Seq><rdf:li>Dr Priya Shah (education provider)</rdf:li>"
                 "<rdf:li>Dr Sam Jones</rdf:li></rdf:Seq></dc:creator>"))

    problems = _problems(_saved_raw(pdf, odd))
    assert ("The document's modification date is not a date but “signed off”: a PDF viewer may "
            "show it as written.") in problems
    assert any("author has been added since it was made: “Dr Priya Shah (education provider); "
               "Dr Sam Jones”" in problem for problem in problems), problems


# An eleventh outsider's: a packet of bytes below 0x80 that lxml takes for UTF-16 ("<\0?\0")
# while pdf.js reads it as UTF-8, a mark standing for a modifier prime (U+0374), pairs with a
# space between, U+0085 that Python strips and JavaScript does not, digits of other scripts.
def test_a_packet_without_a_byte_order_mark_read_as_utf16_is_not_intact(pdf):
    def utf16_unmarked(xml: bytes) -> bytes:
        return xml.decode("utf-8").replace("\ufeff", "").encode("utf-16-le")

    assert ("The document's metadata (XMP), which PDF viewers show as its properties, is written "
            "in an encoding PDF viewers read differently: viewers may show properties other than "
            "the ones checked.") in _problems(_saved_raw(pdf, _raw_xmp(utf16_unmarked)))


@pytest.mark.parametrize("mark", ["\u0374\u0374", "\u055b\u055b", "\u02bc\u02b9", "\u2019\u055b",
                                  "\u2019\u2009\u2019", "\u02bc\u200a\u02bc"])
def test_marks_that_stand_for_a_prime_and_spaced_pairs_are_escaped(pdf, mark):
    name = f"WeasyPrint 70.0{mark} and the service re-signed this copy"
    [line] = check.check(_rewrite(pdf, _producer(name, "info"))).saved_again
    marks = [char for char in mark if not char.isspace()]
    assert all(f"\\u{ord(char):04x}" in line for char in marks), line


def test_a_next_line_after_the_title_is_not_intact(pdf):
    forged = _saved_raw(pdf, _raw_xmp(lambda x: x.replace(
        _TITLE_LI.encode(), (_TITLE_LI + "\u0085").encode(), 1)))
    assert _FORM in _problems(forged)


def test_dates_in_other_digits_are_not_dates(pdf):
    def digits(doc):
        doc.docinfo.ModDate = pikepdf.String("D:２０２６１２０７")
    assert ("The document's modification date is not a date but “D:２０２６１２０７”: a PDF viewer "
            "may show it as written.") in _problems(_rewrite(pdf, digits))


def test_a_subject_as_acrobat_writes_it_is_a_changed_property_not_an_odd_form(pdf):
    subject = ('<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Portfolio</rdf:li>'
               '</rdf:Alt></dc:description>')
    problems = _problems(_rewrite(pdf, lambda doc: _xmp(
        doc, lambda xml: _description(xml, subject))))
    assert not any("read differently" in problem for problem in problems), problems
    assert any("subject has been added" in problem for problem in problems), problems


# A twelfth outsider's: pdf.js "repairs" a packet before reading it (from ">\376\377" to the
# next "<" it decodes escapes, swallowing a "-->" or "?>"), so a comment lxml closes runs on in
# pdf.js; and loose text beside the properties, which pdf.js may join to the title.
_REPAIR = r"\376\377ABCD"
_COPY = f'<rdf:Description rdf:about="">{_TITLE_LI.join(["<dc:title><rdf:Alt>", "</rdf:Alt></dc:title>"])}'


@pytest.mark.parametrize("opened, closed", [(f"<!--a>{_REPAIR}-->", f"<!--b>{_REPAIR}-->"),
                                            (f"<?z >{_REPAIR}?>", f"<?z >{_REPAIR}?>")],
                         ids=["comments", "processing instructions"])
def test_what_pdfjs_repairs_before_reading_is_not_intact(pdf, opened, closed):
    def runs_on(xml: bytes) -> bytes:
        text = xml.decode("utf-8").replace(
            _TITLE_LI, _TITLE_LI.replace("</rdf:li>", f"{opened}</rdf:li>"), 1)
        return text.replace("</rdf:RDF>", f", APPROVED for CCT{closed}</rdf:RDF>").encode()

    assert ("The document's metadata (XMP), which PDF viewers show as its properties, is written "
            "in a form that PDF viewers read differently: viewers may show properties other than "
            "the ones checked.") in _problems(_saved_raw(pdf, _raw_xmp(runs_on)))


@pytest.mark.parametrize("rewrite", [
    lambda x: x.replace(b"</rdf:RDF>", b" - APPROVED for CCT</rdf:RDF>"),
    lambda x: x.replace(b"</dc:title>", b"</dc:title> - APPROVED for CCT", 1),
    lambda x: x.replace(b"</rdf:RDF>", _COPY.encode() + b"</rdf:Description></rdf:RDF>"),
], ids=["loose text in rdf:RDF", "loose text beside the title", "a second dc:title"])
def test_text_beside_the_properties_or_a_second_title_is_not_intact(pdf, rewrite):
    assert any("read differently" in problem
               for problem in _problems(_saved_raw(pdf, _raw_xmp(rewrite))))

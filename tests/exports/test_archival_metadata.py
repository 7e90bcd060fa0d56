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
        "written by another program or person, not by this service: “History: action: approved "
        "by Dr X, Postgraduate Dean, when: 2026-12-01T12:00:00Z, softwareAgent: Roadmap”."]
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


@pytest.mark.parametrize("rewrite", [_french_first, _french_after, _second_description])
def test_a_title_in_another_language_is_a_changed_title(pdf, rewrite):
    """Every alternative of dc:title (a viewer shows the one for its language) must be the
    title as made, wherever it is."""
    problems = _problems(_rewrite(pdf, lambda doc: _xmp(doc, rewrite)))
    assert any(p.startswith("The title in the document's metadata has been changed to "
                            "“Portfolio approuvé par le doyen” (it was made as “Portfolio of ")
               for p in problems), problems


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

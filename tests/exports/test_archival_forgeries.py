"""A sixth outsider's forgeries, each once called intact: a page tree whose /Count hides all but
the first page (saved plainly or as an incremental update with its first startxref renamed),
embedded files that show one thing to one viewer and another to the next (two copies in /EF,
data.json listed twice in the name tree, flat or across /Kids), what a viewer shows beside the
embedded files (their names, descriptions, an extra associated file), and a signatures.json
that says one thing to a person and another to a program."""
from __future__ import annotations

import io
import json
import re

import pikepdf
import pytest

from roadmap.exports import check
from tests.exports import test_archival as made
from tests.exports.test_archival import _rewrite
from tests.exports.test_archival_verify import _upload

app_config, enrolment, pdf = made.app_config, made.enrolment, made.pdf


def _problems(content: bytes) -> list[str]:
    report = check.check(content)
    assert not report.intact, "a forged file was called intact"
    return report.problems


def _pages(pdf: bytes) -> int:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return len(doc.pages)


def _plain(pdf: bytes) -> bytes:
    """The file re-saved without object streams, so its page tree is readable bytes."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        out = io.BytesIO()
        doc.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue()


def _count_one(pdf: bytes) -> bytes:
    """/Count N of the page tree changed to /Count 1 in the bytes, same length: no re-save."""
    content, pages = _plain(pdf), _pages(pdf)
    found = re.search(rb"/Count\s+%d\b" % pages, content)
    replaced = b"/Count 1".ljust(found.end() - found.start())
    return content[:found.start()] + replaced + content[found.end():]


def test_a_page_tree_that_says_it_has_one_page_is_not_intact(pdf):
    """Most viewers believe /Count and show one page; the check walked /Kids and saw them all."""
    assert (f"The file says it has 1 page, but has {_pages(pdf)}: a viewer would show only the "
            "first.") in _problems(_count_one(pdf))


def test_the_page_count_lie_as_an_incremental_update_with_its_first_startxref_hidden(pdf):
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        root, info = doc.Root.objgen[0], doc.trailer.Info.objgen[0]
        tree, size = doc.Root.Pages.objgen[0], int(doc.trailer.Size)
        kids = " ".join(f"{k.objgen[0]} {k.objgen[1]} R" for k in doc.Root.Pages.Kids)
    previous = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    hidden = pdf.replace(b"startxref", b"%tartxref")  # so only one startxref remains
    body = f"\n{tree} 0 obj\n<< /Type /Pages /Count 1 /Kids [{kids}] >>\nendobj\n".encode()
    update = (f"xref\n0 1\n0000000000 65535 f \n{tree} 1\n{len(hidden) + 1:010d} 00000 n \n"
              f"trailer\n<< /Size {size} /Root {root} 0 R /Info {info} 0 R /Prev {previous} >>\n"
              f"startxref\n{len(hidden) + len(body)}\n%%EOF\n").encode()
    forged = hidden + body + update
    with pikepdf.open(io.BytesIO(forged)) as doc:
        assert doc.Root.Pages.Count == 1  # the update is what a reader reads
    assert (f"The file says it has 1 page, but has {_pages(pdf)}: a viewer would show only the "
            "first.") in _problems(forged)


def _spec(doc, name: str):
    return next(spec for spec in doc.Root.AF if str(spec.get("/UF") or spec.F) == name)


@pytest.mark.parametrize("name, what", [("data.json", "The embedded data (data.json)"),
                                        ("signatures.json",
                                         "The embedded signatures (signatures.json)")])
def test_two_copies_of_an_embedded_file_one_per_viewer_are_not_intact(pdf, name, what):
    """/EF's /UF (pikepdf, pdf.js) keeps the original, /F (poppler's pdfdetach) is forged."""
    def forge(doc):
        spec = _spec(doc, name)
        original = spec.EF.get("/UF") or spec.EF.F
        forged = doc.make_stream(original.read_bytes().replace(b'"open"', b'"complete"'))
        forged.Type = pikepdf.Name.EmbeddedFile
        spec.EF.UF, spec.EF.F = original, forged

    assert (f"{what} holds two different copies: one PDF viewer would show one and another "
            "viewer the other.") in _problems(_rewrite(pdf, forge))


def _forged_data_spec(doc):
    original = _spec(doc, "data.json")
    forged = doc.make_stream(original.EF.F.read_bytes().replace(b'"open"', b'"complete"'))
    forged.Type = pikepdf.Name.EmbeddedFile
    return doc.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Filespec, F=pikepdf.String("data.json"),
        UF=pikepdf.String("data.json"), EF=pikepdf.Dictionary(F=forged), Desc=original.Desc,
        AFRelationship=pikepdf.Name.Source))


def _listed_twice(doc):
    tree = doc.Root.Names.EmbeddedFiles
    tree.Names = pikepdf.Array([pikepdf.String("data.json"), _forged_data_spec(doc),
                                *tree.Names])


def _listed_twice_in_kids(doc):
    tree = doc.Root.Names.EmbeddedFiles
    first = doc.make_indirect(pikepdf.Dictionary(
        Names=pikepdf.Array([pikepdf.String("data.json"), _forged_data_spec(doc)]),
        Limits=pikepdf.Array([pikepdf.String("data.json"), pikepdf.String("data.json")])))
    second = doc.make_indirect(pikepdf.Dictionary(
        Names=pikepdf.Array(list(tree.Names)),
        Limits=pikepdf.Array([pikepdf.String("data.json"), pikepdf.String("signatures.json")])))
    del tree["/Names"]
    tree.Kids = pikepdf.Array([first, second])


@pytest.mark.parametrize("change", [_listed_twice, _listed_twice_in_kids])
def test_the_embedded_data_listed_twice_is_not_intact(pdf, change):
    """A forged data.json listed first (a viewer shows it), the original after (pikepdf's
    attachments kept that one): flat, or split across the name tree's /Kids."""
    assert ("The embedded data (data.json) is listed twice in the file: one PDF viewer may show "
            "one copy and another viewer or checker another.") in _problems(_rewrite(pdf, change))


def _described(doc):
    _spec(doc, "data.json").Desc = pikepdf.String("Approved: all stages complete")


def _renamed(doc):
    spec = _spec(doc, "data.json")
    spec.F = spec.UF = pikepdf.String("approved-portfolio.json")


def _signatures_described(doc):
    del _spec(doc, "signatures.json")["/Desc"]


def _third_in_af_only(doc):
    spec = pikepdf.AttachedFileSpec(doc, b"Stage 2: signed off", filename="approval.txt",
                                    description="Approval letter").obj
    doc.Root.AF.append(doc.make_indirect(spec))


@pytest.mark.parametrize("change, words", [
    (_described, "The description a PDF viewer shows for the embedded data (data.json) has been "
                 "changed to “Approved: all stages complete”."),
    (_renamed, "The name a PDF viewer shows for the embedded data (data.json) has been changed "
               "to “approved-portfolio.json”."),
    (_signatures_described, "The description a PDF viewer shows for the embedded signatures "
                            "(signatures.json) has been removed."),
    (lambda doc: _spec(doc, "data.json").__setitem__("/AFRelationship",
                                                     pikepdf.Name.Supplement),
     "What the embedded data (data.json) is to the document (its source, its data) as a PDF "
     "viewer shows it has been changed since the file was made."),
    (_third_in_af_only, "The file has an attached file (approval.txt) added after the file was "
                        "made.")])
def test_what_a_viewer_shows_beside_the_embedded_files_is_covered(pdf, change, words):
    assert words in _problems(_rewrite(pdf, change))


def _signatures(doc, rewrite):
    stream = _spec(doc, "signatures.json").EF.F
    stream.write(rewrite(stream.read_bytes().decode("utf-8")).encode("utf-8"))


def _extra_key(raw: str) -> str:
    document = json.loads(raw)
    document["note"] = "Stage 2 approved by the provider on 1 December 2026"
    return json.dumps(document)


def _manifest_twice(raw: str) -> str:
    """A forged manifest first (a person reads it), the signed one after (json keeps that)."""
    forged = json.loads(raw)["manifest"]
    for stage in forged["stages"]:
        stage["status"] = "complete"
    return '{"manifest": ' + json.dumps(forged) + ", " + raw.lstrip()[1:]


@pytest.mark.parametrize("rewrite, words", [
    (_extra_key, "The embedded signatures.json has “note” added, which the service never "
                 "writes: it has been changed since the file was made."),
    (_manifest_twice, "The embedded signatures.json gives “manifest” twice (a person reading it "
                      "sees the first, a program the last): it is not as the service wrote it.")])
def test_a_signatures_json_that_reads_two_ways_is_not_intact(pdf, rewrite, words):
    assert _problems(_rewrite(pdf, lambda doc: _signatures(doc, rewrite))) == [words]


def test_a_key_given_twice_in_data_json_is_named(pdf):
    def twice(doc):
        stream = _spec(doc, "data.json").EF.F
        raw = stream.read_bytes()
        stream.write(b'{"exported_at": "2020-01-01", ' + raw.lstrip()[1:])

    assert any("data.json gives “exported_at” twice" in p
               for p in _problems(_rewrite(pdf, twice)))


def test_an_author_added_to_the_info_and_the_metadata_is_said_once(pdf):
    def author(doc):
        doc.docinfo.Author = pikepdf.String("Dr Priya Shah")
        with doc.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["dc:creator"] = ["Dr Priya Shah"]

    problems = _problems(_rewrite(pdf, author))
    assert problems.count("The document's author has been added since it was made: "
                          "“Dr Priya Shah”.") == 1


def test_plain_resaves_keep_the_embedded_files_and_page_tree_intact(pdf):
    for options in ({}, {"linearize": True},
                    {"object_stream_mode": pikepdf.ObjectStreamMode.generate},
                    {"recompress_flate": True, "compress_streams": True},
                    {"qdf": True, "object_stream_mode": pikepdf.ObjectStreamMode.disable}):
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            out = io.BytesIO()
            doc.save(out, **options)
        report = check.check(out.getvalue())
        assert report.intact, (options, report.problems)


def test_verify_names_the_page_count_lie(client, enrolment, pdf):
    page = _upload(client, _count_one(pdf)).get_data(as_text=True)
    assert "This portfolio PDF has been changed" in page
    assert "a viewer would show only the first" in page


def test_a_page_whose_parent_is_itself_is_not_intact_and_the_check_returns(pdf):
    """A /Parent cycle: every walk up the page tree for an inherited key looped forever."""
    def loop(doc):
        doc.Root.Pages.Kids[0].Parent = doc.Root.Pages.Kids[0]

    assert ("The file's list of pages is damaged: a page's place in it leads back to itself, so "
            "a PDF viewer may stop responding or show the page differently.") in _problems(
                _rewrite(pdf, loop))


def test_a_page_that_holds_the_real_page_under_it_is_not_intact(pdf):
    """Page 1 replaced by a /Type /Page node with its own content and /Kids [page 1]: poppler
    and pdf.js show the forged page, qpdf (and so the digests) the real one under it."""
    def fake_page(doc):
        root = doc.Root.Pages
        real = root.Kids[0]
        drawn = doc.make_stream(b"BT /F1 40 Tf 60 730 Td (STAGE 2 APPROVED) Tj ET\n")
        font = doc.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font,
                                                    Subtype=pikepdf.Name.Type1,
                                                    BaseFont=pikepdf.Name.Helvetica))
        fake = doc.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Page, Kids=pikepdf.Array([real]), Count=1, Parent=root,
            MediaBox=real.MediaBox, Contents=drawn,
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))))
        real.Parent = fake
        root.Kids[0] = fake

    assert ("The file's list of pages has a page that also holds other pages: one PDF viewer "
            "would show that page and another the pages under it.") in _problems(
                _rewrite(pdf, fake_page))


def _data_spec(doc):
    return _spec(doc, "data.json")


def _params_changed(doc):
    params = _data_spec(doc).EF.F.Params
    params.ModDate = pikepdf.String("D:20261201120000Z")
    params.Size, params.CheckSum = 99, pikepdf.String(b"0123456789abcdef")


def _mod_date_only(doc):
    _data_spec(doc).EF.F.Params.ModDate = pikepdf.String("D:20261201120000Z")


def _subtype(doc):
    _data_spec(doc).EF.F.Subtype = pikepdf.Name("/text/plain")


def _related_file(doc):
    other = doc.make_stream(b'{"stage2": "approved"}')
    other.Type = pikepdf.Name.EmbeddedFile
    _data_spec(doc).RF = pikepdf.Dictionary(F=pikepdf.Array([pikepdf.String("approval.json"),
                                                             other]))


def _collection_item(doc):
    _data_spec(doc).CI = pikepdf.Dictionary(Type=pikepdf.Name.CollectionItem,
                                            Status=pikepdf.String("Approved by provider"))


def _url(doc):
    _data_spec(doc).FS = pikepdf.Name.URL


def _dos_unix_names(doc):
    spec = _data_spec(doc)
    spec.DOS, spec.Unix = pikepdf.String("APPROVED.JSN"), pikepdf.String("approved.json")


def _dos_stream(doc):
    spec = _data_spec(doc)
    forged = doc.make_stream(spec.EF.F.read_bytes().replace(b'"open"', b'"complete"'))
    forged.Type = pikepdf.Name.EmbeddedFile
    spec.EF.DOS = forged


def _unused_stream(doc):
    _data_spec(doc).Extra = doc.make_stream(b'{"approved": true}')


_ADDED = ("The embedded data (data.json) has “{}” added to its file record since the file was "
          "made: a PDF viewer may show or open something other than the file checked.")
_PARAMS = ("The embedded data (data.json)'s size, checksum or dates as a PDF viewer shows them "
           "have been changed since the file was made.")


@pytest.mark.parametrize("change, words", [
    (_params_changed, _PARAMS), (_mod_date_only, _PARAMS),
    (_subtype, "The embedded data (data.json) is said to be of another kind (“/text/plain”) "
               "than the service made it."),
    (_related_file, _ADDED.format("/RF")), (_collection_item, _ADDED.format("/CI")),
    (_url, _ADDED.format("/FS")), (_dos_unix_names, _ADDED.format("/DOS")),
    (_dos_unix_names, _ADDED.format("/Unix")), (_dos_stream, _ADDED.format("/DOS")),
    (_unused_stream, _ADDED.format("/Extra"))])
def test_an_embedded_file_record_with_other_entries_is_not_intact(pdf, change, words):
    """Entries the service never writes in a file specification, its /EF or the embedded
    file's stream: each is something a viewer may show or open instead."""
    assert words in _problems(_rewrite(pdf, change))


def test_a_pypdf_resave_keeps_the_embedded_file_records_intact(pdf):
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    out = io.BytesIO()
    writer.write(out)
    report = check.check(out.getvalue())
    assert report.intact, report.problems

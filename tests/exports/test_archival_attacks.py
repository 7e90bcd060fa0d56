"""Issue 18: an outsider's alterations a reader would see are named, never called intact:
an added stamp, scripts, a changed title, bytes appended or saved incrementally, encryption."""
from __future__ import annotations

import io
import json

import pikepdf
import pytest

from roadmap.credentials import keys
from roadmap.exports import check, manifest, pdffile
from tests.exports import test_archival as made
from tests.exports.test_archival import _replace, _rewrite
from tests.exports.test_archival_verify import _error_beside_the_box, _upload

# The archival file and its signing key, made as test_archival makes them.
app_config, enrolment, pdf = made.app_config, made.enrolment, made.pdf


def _problems(content: bytes) -> list[str]:
    report = check.check(content)
    assert not report.intact, "an altered file was called intact"
    return report.problems


def _stamp(doc):
    annot = doc.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Stamp,
        Rect=pikepdf.Array([100, 600, 400, 700]),
        Contents=pikepdf.String("STAGE 2 SIGNED OFF")))
    page = doc.pages[0].obj
    page.Annots = doc.make_indirect(pikepdf.Array([*(page.get("/Annots") or []), annot]))


def test_a_stamp_added_to_page_one_changes_its_digest(pdf):
    assert "Page 1 has been changed since the file was made." in _problems(_rewrite(pdf, _stamp))


@pytest.mark.parametrize("where", ["open", "names", "aa"])
def test_javascript_added_to_run_with_the_file_is_reported(pdf, where):
    def script(doc):
        action = doc.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript,
                                                      JS=pikepdf.String("app.alert('hi')")))
        if where == "open":
            doc.Root.OpenAction = action
        elif where == "names":
            names = doc.Root.Names
            names.JavaScript = pikepdf.Dictionary(Names=pikepdf.Array(
                [pikepdf.String("x"), action]))
        else:
            doc.Root.AA = pikepdf.Dictionary(WC=action)

    assert any("added after the file was made" in p for p in _problems(_rewrite(pdf, script)))


def test_another_attached_file_is_reported(pdf):
    def attach(doc):
        doc.attachments["invoice.exe"] = pikepdf.AttachedFileSpec(doc, b"MZ...")

    assert any("invoice.exe" in p and "added after" in p for p in _problems(_rewrite(pdf, attach)))


def test_a_changed_title_is_reported_in_the_info_and_the_metadata(pdf):
    assert check.check(pdf).manifest["title"] == "Portfolio of Jamie Patel"

    def info(doc):
        doc.docinfo.Title = pikepdf.String("Portfolio of Someone Else")

    assert any("title has been changed to “Portfolio of Someone Else”" in p
               for p in _problems(_rewrite(pdf, info)))

    def xmp(doc):
        with doc.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["dc:title"] = "Portfolio of Someone Else"

    assert any("metadata has been changed to “Portfolio of Someone Else”" in p
               for p in _problems(_rewrite(pdf, xmp)))


def test_junk_appended_after_eof_and_an_incremental_update_are_reported(pdf):
    assert any("bytes have been added to the end" in p for p in _problems(pdf + b"\0junk" * 410))
    end = pdf.rindex(b"startxref")
    offset = int(pdf[end:].split()[1])
    update = (b"\n99 0 obj\n(forged)\nendobj\nxref\n0 1\n0000000000 65535 f \n99 1\n"
              + f"{len(pdf) + 1:010d} 00000 n \n".encode()
              + b"trailer\n<< /Size 100 /Prev " + str(offset).encode() + b" >>\nstartxref\n"
              + str(len(pdf) + 40).encode() + b"\n%%EOF\n")
    assert any("saved again on top of itself" in p for p in _problems(pdf + update))


def _encrypted(content: bytes, user: str) -> bytes:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(content)) as doc:
        doc.save(out, encryption=pikepdf.Encryption(owner="owner", user=user))
    return out.getvalue()


def test_a_password_protected_file_is_refused_in_words(pdf, client, runner, tmp_path):
    locked = _encrypted(pdf, "secret")
    with pytest.raises(pdffile.NotReadable, match="protected with a password"):
        check.check(locked)
    _error_beside_the_box(_upload(client, locked), "This file is protected with a password, so "
                          "it cannot be checked: upload the file as the service made it")
    path = tmp_path / "locked.pdf"
    path.write_bytes(locked)
    result = runner.invoke(args=["export", "check", str(path), "--offline"])
    assert result.exit_code == 1 and "protected with a password" in result.output
    assert "Traceback" not in result.output


def test_a_file_encrypted_with_an_empty_password_is_not_intact(pdf):
    assert any("re-saved with encryption" in p for p in _problems(_encrypted(pdf, "")))


def _as_version_one(pdf: bytes, tmp_path) -> bytes:
    """The file as the service made it before version 2: content-only page digests, no title,
    signed (here with a key of the test's own; the check then trusts the key the file names)."""
    key = keys.generate(tmp_path / "old.pem")

    def older(doc):
        found = check.check(pdf).manifest | {"version": 1, "title": None, "lang": None,
                                             "pages": pdffile.page_digests(doc, annotations=False)}
        signed = manifest.sign(found, key, "old-key", keys.public_jwk(key))
        _replace(doc, "signatures.json", json.dumps(signed).encode())

    return _rewrite(pdf, older)


def test_a_file_made_before_annotations_were_covered_still_checks(pdf, tmp_path):
    old = _as_version_one(pdf, tmp_path)
    assert check.check(old).intact, check.check(old).problems
    assert "Page 1 has a note or stamp added after the file was made." in _problems(
        _rewrite(old, _stamp))


def test_an_author_or_subject_added_to_the_properties_is_reported(pdf):
    """An outsider set Author and Subject, which a viewer shows under File > Properties, and
    the file was called intact."""
    def info(doc):
        doc.docinfo.Author = pikepdf.String("Someone Else")
        doc.docinfo.Subject = pikepdf.String("FORGED")

    problems = _problems(_rewrite(pdf, info))
    assert "The document's author has been added since it was made: “Someone Else”." in problems
    assert "The document's subject has been added since it was made: “FORGED”." in problems

    def xmp(doc):
        with doc.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["dc:creator"] = ["Someone Else"]

    assert "The document's author has been added since it was made: “Someone Else”." in \
        _problems(_rewrite(pdf, xmp))


def test_a_renamed_or_removed_bookmark_is_reported(pdf):
    def rename(doc):
        with doc.open_outline() as outline:
            outline.root[1].title = "E4. FORGED heading"

    def remove(doc):
        with doc.open_outline() as outline:
            del outline.root[-1]

    words = "The bookmarks (the outline a viewer shows beside the pages) have been changed " \
        "since the file was made."
    assert words in _problems(_rewrite(pdf, rename))
    assert words in _problems(_rewrite(pdf, remove))


def test_a_resave_that_changes_nothing_a_reader_sees_stays_intact(pdf):
    """Saved again whole by another tool (qpdf), with a new producer and modification date:
    what a reader sees, and the properties the service set, are as made."""
    def resave(doc):
        doc.docinfo.Producer = pikepdf.String("qpdf")
        doc.docinfo.ModDate = pikepdf.String("D:20270101120000Z")

    report = check.check(_rewrite(pdf, resave))
    assert report.intact, report.problems
    for how in ({"linearize": True}, {"object_stream_mode": pikepdf.ObjectStreamMode.generate,
                                      "compress_streams": True, "recompress_flate": True}):
        out = io.BytesIO()
        with pikepdf.open(io.BytesIO(pdf)) as doc:  # objects renumbered, streams packed anew
            doc.save(out, **how)
        report = check.check(out.getvalue())
        assert report.intact, (how, report.problems)


def test_a_file_made_before_properties_and_bookmarks_were_covered_says_so(pdf, tmp_path):
    key = keys.generate(tmp_path / "old.pem")

    def older(doc):
        found = {k: v for k, v in check.check(pdf).manifest.items()
                 if k not in ("properties", "outline")} | {"version": 3}
        signed = manifest.sign(found, key, "old-key", keys.public_jwk(key))
        _replace(doc, "signatures.json", json.dumps(signed).encode())

    report = check.check(_rewrite(pdf, older))
    assert report.intact, report.problems
    assert "The file was made before its bookmarks and document properties were covered by " \
        "its signature: those are not checked." in report.notes


def _page_one(doc, **settings):
    for key, value in settings.items():
        doc.pages[0].obj[f"/{key}"] = value


@pytest.mark.parametrize("change", [
    {"CropBox": pikepdf.Array([0, 318, 595.28, 841.89])},  # hides the cover's lower half
    {"MediaBox": pikepdf.Array([0, 420, 595.28, 841.89])},
    {"Rotate": 90},
    {"UserUnit": 3}])
def test_a_page_cropped_or_turned_is_reported(pdf, change):
    """An outsider hid the cover's "Stage 2 signed off: Not yet" with a crop box, and turned a
    page on its side: both were called intact."""
    assert any(p.startswith("The size, crop, rotation or other settings of page 1 have been "
                            "changed") for p in
               _problems(_rewrite(pdf, lambda doc: _page_one(doc, **change))))


def _retarget_a_named_destination(doc):
    """The contents links lead by name (/Dest (heading-1)); the name's target moves to the
    last page."""
    names = doc.Root.Names.Dests
    while "/Names" not in names:
        names = names.Kids[0]
    target = names.Names[1]
    target = target.D if isinstance(target, pikepdf.Dictionary) else target
    target[0] = doc.pages[-1].obj


def _alternative_text(doc):
    def first_element(node):
        kids = node.get("/K")
        kids = kids if isinstance(kids, pikepdf.Array) else [kids]
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                return kid
        return None

    element = first_element(doc.Root.StructTreeRoot)
    element.Alt = pikepdf.String("Signed off by the supervisor")


def _untag(doc):
    del doc.Root["/StructTreeRoot"]
    del doc.Root["/MarkInfo"]


@pytest.mark.parametrize("change, words", [
    (_retarget_a_named_destination, "where its links lead"),
    (lambda doc: setattr(doc.Root, "PageMode", pikepdf.Name.FullScreen), "where its links lead"),
    (lambda doc: setattr(doc.Root, "ViewerPreferences", pikepdf.Dictionary(
        HideToolbar=True, DisplayDocTitle=False, Direction=pikepdf.Name.R2L)),
     "where its links lead"),
    (lambda doc: setattr(doc.Root, "PageLabels", pikepdf.Dictionary(Nums=pikepdf.Array(
        [0, pikepdf.Dictionary(P=pikepdf.String("Signed-off "), S=pikepdf.Name.r)]))),
     "where its links lead"),
    (lambda doc: setattr(doc.Root, "OpenAction", pikepdf.Array(
        [doc.pages[5].obj, pikepdf.Name.Fit])), "where its links lead"),
    (lambda doc: doc.pages[1].obj.Annots[0].__setitem__("/F", 2), "where its links lead"),
    (_alternative_text, "The tags a screen reader reads"),
    (_untag, "The tags a screen reader reads")])
def test_what_a_viewer_or_screen_reader_does_with_the_pages_is_covered(pdf, change, words):
    """A second outsider's forgeries: a contents link sent to another page, viewer settings,
    page labels, an open action as an array, a hidden link, an alternative text read aloud
    instead of what is printed, the tags removed: each was called intact."""
    assert any(words in p for p in _problems(_rewrite(pdf, change)))


def _stored_as_decoded(doc, stream, filter_name):
    """The stream's data stored as its decoded bytes but labelled with another filter: a
    viewer decodes it into garbage (a blank cover, a broken font)."""
    stream.write(stream.read_bytes(), filter=pikepdf.Name(filter_name))


def _font_file(doc):
    for page in doc.pages:
        for font in (page.obj.Resources.get("/Font") or {}).values():
            descendants = font.get("/DescendantFonts")
            described = (descendants[0] if descendants else font).get("/FontDescriptor")
            for key in ("/FontFile2", "/FontFile3", "/FontFile"):
                if described is not None and key in described:
                    return described[key]
    raise AssertionError("no embedded font program found")


def _split_mid_number(doc):
    """Page 1's drawing split into two streams in the middle of a number: each boundary is
    white space to a viewer, which then draws nothing sensible."""
    data = doc.pages[0].obj.Contents.read_bytes()
    middle = next(i for i in range(len(data) // 2, len(data)) if data[i:i + 1].isdigit()
                  and data[i + 1:i + 2].isdigit())
    doc.pages[0].obj.Contents = pikepdf.Array([
        doc.make_stream(data[:middle + 1]), doc.make_stream(data[middle + 1:])])


def _to_another_file(doc):
    """The first bookmark opens other.pdf at the same place instead of going there."""
    first = doc.Root.Outlines.First
    target = first.get("/Dest")
    if target is None:
        target = first.A.D
        del first["/A"]
    else:
        del first["/Dest"]
    first.A = pikepdf.Dictionary(S=pikepdf.Name.GoToR, F=pikepdf.String("other.pdf"), D=target)


@pytest.mark.parametrize("change, words", [
    (lambda doc: _stored_as_decoded(doc, doc.pages[0].obj.Contents, "/RunLengthDecode"),
     "How the drawing of some page, or a font or image, is stored has been changed"),
    (lambda doc: _stored_as_decoded(doc, _font_file(doc), "/RunLengthDecode"),
     "How the drawing of some page, or a font or image, is stored has been changed"),
    (_split_mid_number, "Page 1 has been changed since the file was made."),
    (lambda doc: doc.Root.Outlines.First.__setitem__("/C", pikepdf.Array([1, 0, 0])),
     "The bookmarks' targets, actions or look have been changed"),
    (_to_another_file, "The bookmarks")])
def test_a_third_outsiders_forgeries_are_reported(pdf, change, words):
    """A page's drawing or a font stored under a filter that decodes it into garbage, a
    drawing split in the middle of a number, a bookmark coloured or sent to another file:
    each was called intact."""
    assert any(words in p for p in _problems(_rewrite(pdf, change)))

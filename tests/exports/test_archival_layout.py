"""A sixth outsider's forgeries, each once called intact by the check and /verify: the file's
index (its cross-reference) read one way by qpdf and another by pdf.js, so the check compared
one cover while a viewer showed a "STAGE 2 SIGNED OFF" banner on another. The file must have
one sound index read one way (roadmap/exports/pdflayout.py); files saved whole again stay
intact."""
from __future__ import annotations

import io

import pikepdf
import pytest

from roadmap.exports import check, pdffile, pdflayout, pdfrefs
from tests.exports import layout_forgeries as forge
from tests.exports import test_archival as made
from tests.exports.pdfjs import shown_titles
from tests.exports.test_archival_verify import _upload

app_config, enrolment, pdf = made.app_config, made.enrolment, made.pdf

_SAYS = ("The file's index of its parts (its cross-reference) {}: PDF viewers may show parts "
         "other than the ones checked.")
_FORGERIES = {
    "after a false end": (forge.after_a_false_end,
                          "does not end as one (its last “startxref” is not followed by where "
                          "it is)"),
    "linearized": (forge.linearized, "is one for fast web view (linearized) whose first page, "
                                     "page count or first section viewers read by another route "
                                     "than the check"),
    "renumbered in a group": (forge.renumbered_in_group,
                              "points into a compressed group at a part with another number"),
}


_SAVES = {"plain table": {"object_stream_mode": pikepdf.ObjectStreamMode.disable},
          "compressed groups": {"object_stream_mode": pikepdf.ObjectStreamMode.generate},
          "linearized, plain table": {"linearize": True,
                                      "object_stream_mode": pikepdf.ObjectStreamMode.disable},
          "linearized, compressed groups": {"linearize": True}}


def test_a_file_saved_whole_again_is_intact_and_reads_alike(pdf, tmp_path):
    """Saved again whole (as qpdf writes it, linearized for fast web view or not): intact,
    and pdf.js finds the same cover and pages as in the file as made."""
    paths = [tmp_path / "made.pdf"]
    paths[0].write_bytes(pdf)
    for name, how in _SAVES.items():
        out = io.BytesIO()
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            doc.save(out, **how)
        report = check.check(out.getvalue())
        assert report.intact, (name, report.problems)
        paths.append(tmp_path / f"{len(paths)}.pdf")
        paths[-1].write_bytes(out.getvalue())
    as_made, *saved = shown_titles(paths, pages=True)
    for name, row in zip(_SAVES, saved):
        assert (row["pages"], row["first_page"]) == (as_made["pages"], as_made["first_page"]), name


def test_each_forgery_shows_pdfjs_the_banner_and_is_not_intact(pdf, tmp_path):
    """Each forgery works on a viewer (pdf.js shows the banner on the cover, with every page
    there), so the test cannot pass for nothing; the check says why it is not intact."""
    paths = []
    for name, (make, why) in _FORGERIES.items():
        forged = make(pdf)
        report = check.check(forged)
        assert not report.intact and _SAYS.format(why) in report.problems, (name, report.problems)
        paths.append(tmp_path / f"{len(paths)}.pdf")
        paths[-1].write_bytes(forged)
    original = tmp_path / "made.pdf"
    original.write_bytes(pdf)
    *seen, as_made = shown_titles([*paths, original], pages=True)
    assert forge.BANNER not in as_made["first_page"]
    for name, row in zip(_FORGERIES, seen):
        assert forge.BANNER in row.get("first_page", ""), (name, row)


def test_verify_says_the_same_of_a_forgery(client, enrolment, pdf):
    page = _upload(client, forge.renumbered_in_group(pdf)).get_data(as_text=True)
    assert "This portfolio PDF has been changed" in page
    assert "points into a compressed group at a part with another number" in page


def test_an_index_in_two_sections_is_not_intact(pdf):
    assert _SAYS.format("is in several sections, which viewers combine differently") in (
        check.check(forge.in_two_sections(pdf)).problems)


@pytest.mark.parametrize("table, refused", [
    (b"xref\n0 2\n0000000000 65535 f \n0000000015 00000 n \ntrailer\n<< /Size 2 /Root 1 0 R >>\n",
     False),
    # pdf.js reads a list "from 1" opening with a free entry as a list from 0.
    (b"xref\n1 2\n0000000000 65535 f \n0000000015 00000 n \ntrailer\n<< /Size 3 /Root 2 0 R >>\n",
     True),
    (b"xref\n0 2\n0000000000 65535 f \n15 0 n\ntrailer\n<< /Size 2 /Root 1 0 R >>\n", True),
], ids=["plain", "a list from 1 opening free", "an entry not as written"])
def test_a_table_read_one_way_by_every_reader(table, refused):
    numbers, trailer = pdflayout._table(table + b"startxref\n0\n%%EOF\n", 4)
    assert (numbers is None) is refused


def test_a_stream_whose_data_begins_in_two_places_is_not_intact(pdf, tmp_path):
    """A seventh outsider's: "stream A\\nB", where qpdf reads A (the metadata as made) and
    pdf.js and poppler read B (another title). The rest of the file is as made, so only the
    stream's form and qpdf's own repair say so."""
    forged, title = forge.stream_begun_twice(pdf)
    report = check.check(forged)
    assert not report.intact
    assert _SAYS.format("holds a part whose data does not begin or end where the file says, so "
                        "readers may read different data from it") in report.problems
    assert pdffile.REPAIRED in report.problems
    path = tmp_path / "forged.pdf"
    path.write_bytes(forged)
    [seen] = shown_titles([path])
    assert seen["shown"] == title and forge.BANNER in title  # the forgery works on a viewer


def test_what_a_list_of_pages_passes_on_is_not_intact(pdf, tmp_path):
    """An eighth outsider's: a stamp on the list of pages (pdf.js draws it on the cover), and
    the cover's size on a list with the cover's own written as null (pdf.js shows Letter)."""
    stamped = forge.annotations_on_the_list(pdf)
    resized = forge.size_from_a_list_and_null_on_the_page(pdf)
    for forged in (stamped, resized):
        assert pdfrefs.PASSES_ON in check.check(forged).problems
    paths = [tmp_path / "made.pdf", tmp_path / "stamped.pdf", tmp_path / "resized.pdf"]
    for path, data in zip(paths, (pdf, stamped, resized)):
        path.write_bytes(data)
    made_row, stamped_row, resized_row = shown_titles(paths, pages=True)
    assert made_row["first_page_annotations"] == []
    assert stamped_row["first_page_annotations"] == ["Stamp"]
    assert made_row["first_page_box"] != resized_row["first_page_box"] == [0, 0, 612, 792]


def test_an_attached_file_under_another_filter_is_not_intact(pdf):
    assert ("The embedded data (data.json) is stored in another form than the service stores "
            "it, which a PDF viewer may unpack into other data than the data checked.") in (
        check.check(forge.data_under_another_filter(pdf)).problems)


def test_a_reference_to_another_generation_is_not_intact(pdf):
    assert pdfrefs.SAYS in check.check(forge.reference_to_another_generation(pdf)).problems


def test_a_stream_said_to_be_elsewhere_or_with_data_after_its_end_is_not_checked(pdf, tmp_path):
    """A ninth outsider's: pdf.js takes /F for a stream's filter (so "/F []" is none), zlib
    stops at the packed data's end; the cover's drawing as stored, then another drawing."""
    forged = forge.filter_said_as_f(pdf)
    with pytest.raises(pdffile.NotReadable, match="holds data beyond its end"):
        check.check(forged)
    with pikepdf.open(io.BytesIO(forged)) as doc:
        assert pdfrefs.problems(forged, doc) == [pdfrefs.ELSEWHERE]
    paths = [tmp_path / "made.pdf", tmp_path / "forged.pdf"]
    paths[0].write_bytes(pdf)
    paths[1].write_bytes(forged)
    made_row, forged_row = shown_titles(paths, pages=True)
    # pdf.js draws other content (or fails on the page: the drawing it reads is not the made one)
    assert forged_row.get("first_page") != made_row["first_page"], forged_row


def test_text_that_viewers_decode_otherwise_is_not_intact(pdf, tmp_path):
    forged = forge.title_with_a_lone_surrogate(pdf)
    report = check.check(forged)
    assert pdfrefs.ODD_TEXT in report.problems, report.problems
    paths = [tmp_path / "made.pdf", tmp_path / "forged.pdf"]
    paths[0].write_bytes(pdf)
    paths[1].write_bytes(forged)
    made_row, forged_row = shown_titles(paths)
    assert forged_row["info_title"] != made_row["info_title"]  # pdf.js reads another title


def test_a_title_in_high_octal_escapes_is_not_intact(pdf, tmp_path):
    forged = forge.title_with_high_octal_escapes(pdf)
    assert pdfrefs.ODD_TEXT in check.check(forged).problems
    paths = [tmp_path / "made.pdf", tmp_path / "forged.pdf"]
    paths[0].write_bytes(pdf)
    paths[1].write_bytes(forged)
    made_row, forged_row = shown_titles(paths)
    assert forged_row["info_title"] != made_row["info_title"]  # pdf.js reads other letters


@pytest.mark.parametrize("raw, odd", [
    (b"Portfolio of Jamie Patel", False),
    (b"\xfe\xff" + "Portfolio of Siân".encode("utf-16-be"), False),
    (b"referral\x1b NOT\x1b needed", True),  # pdf.js cuts from ESC to ESC; qpdf reads "˙"
    (b"soft\xadhyphen", True),
    (b"\xef\xbb\xbf" + "Portfolio".encode(), True),  # poppler reads UTF-8 as PDFDocEncoding
    (b"\xff\xfe" + "Port".encode("utf-16-le") + b"\x1b\xd8", True),
], ids=["plain", "UTF-16", "ESC", "soft hyphen byte", "UTF-8 mark", "lone surrogate"])
def test_text_strings_read_one_way(raw, odd):
    assert pdfrefs._odd(raw) is odd


@pytest.mark.parametrize("literal, odd", [
    (rb"Portfolio \(2026\) of J\351mie", False), (b"line\\\r\nwrapped", False),
    (rb"J\541mie", True), (b"two\rlines", True),
], ids=["escapes", "a line continued", "an escape above 377", "a bare return"])
def test_literal_strings_read_one_way(literal, odd):
    assert pdfrefs._written_oddly(literal) is odd


@pytest.mark.parametrize("written, value, stream", [
    (b" << /Type /Pages %endobj\n /Annots [ 5 0 R ] /Kids [ ] /Count 0 >>\nendobj",
     b"<< /Type /Pages %endobj\n /Annots [ 5 0 R ] /Kids [ ] /Count 0 >>", False),
    (b"\n<< /Z (endobj) /F [ ] /Length 3 >>\nstream\nabc\nendstream\nendobj",
     b"<< /Z (endobj) /F [ ] /Length 3 >>", True),
    (b" [ (a) %endobj\n 1 0 R ] endobj", b"[ (a) %endobj\n 1 0 R ]", False),
    (b" 42 endobj", b"42 ", False),
], ids=["a comment saying endobj", "a string saying endobj", "an array", "a number"])
def test_an_object_is_read_as_written_to_its_real_end(written, value, stream):
    """A twelfth outsider's: "endobj" inside a comment or string ended the object early, so
    what followed (/F [], a list's /Annots, an escape above \\377) went unread."""
    assert pdfrefs._written(written, 0) == (value, stream)

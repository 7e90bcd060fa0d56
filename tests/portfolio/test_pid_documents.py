"""The text inside uploaded PDF and Word files goes through the patient-identifier check, over
HTTP (issue 22): what was found is told to the candidate as kinds with short masked excerpts
before anything is kept; they change the file, or confirm and attach it again, and the
confirmation is audited (where and which kinds, never the text). A file whose text cannot be read
is said to be so, plainly, and may be confirmed. Hostile files are read within bounds."""
from __future__ import annotations

import html
import io
import time
import zipfile

import pytest
import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.portfolio import doc_text
from roadmap.portfolio.models import Attachment
from tests.fixtures.documents import CONTENT_TYPES, W, docx, header, locked_pdf, pdf

LETTER = ("Clinic letter copied for my reflection.\nThe lady was seen at home, postcode LS6 2QR,"
          "\nafter a fall.")


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config.update(ATTACHMENT_DIR=str(tmp_path / "attachments"))
    return app_config


def _upload(client, item_id, data, name, **extra):
    with client.post(f"/portfolio/evidence/{item_id}/attachments", follow_redirects=False,
                     data={"file": (io.BytesIO(data), name), **extra},
                     content_type="multipart/form-data") as response:
        response.get_data()
    return response


def _attached(session) -> list[str]:
    session.rollback()
    return session.scalars(sa.select(Attachment.filename)).all()


def _confirmations(session) -> list[AuditEvent]:
    session.rollback()
    return session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "evidence.attachment_pid_confirmed")).all()


@pytest.fixture
def item(client, login, team, make_item):
    login(client, team.candidate)
    return make_item("cbd", status="draft")


def test_a_postcode_inside_a_pdf_is_told_masked_before_the_file_is_kept(client, session, team,
                                                                         item):
    data = pdf("Reflection on a home visit.", LETTER)
    refused = _upload(client, item.id, data, "reflection.pdf")
    assert refused.status_code == 400
    page = html.unescape(refused.get_data(as_text=True))
    assert "The text inside this file may identify a patient (postcode)" in page
    assert "postcode, page 2" in page and "postcode L•• 2••" in page  # where, and masked
    assert "LS6 2QR" not in page  # the identifier itself is never repeated back
    assert 'name="confirm_pid"' in page and 'href="#file"' in page
    assert _attached(session) == [] and _confirmations(session) == []

    kept = _upload(client, item.id, data, "reflection.pdf", confirm_pid="y")
    assert kept.status_code == 302
    assert _attached(session) == ["reflection.pdf"]
    [event] = _confirmations(session)
    assert event.actor_id == team.candidate.id and event.subject_id == item.id
    assert event.data == {"attachment_id": session.scalar(sa.select(Attachment.id)),
                          "findings": [{"field": "content:page 2", "kind": "postcode"}],
                          "content_unreadable": False, "content_partial": False}


def test_a_valid_nhs_number_inside_a_word_file_is_flagged_in_its_body_and_header(
        client, session, item):
    data = docx("Discharge summary I was given.", "NHS number 943 476 5919, seen on the ward.",
                parts={"word/header1.xml": header("Ward 7, postcode M13 9PL")})
    refused = _upload(client, item.id, data, "summary.docx")
    assert refused.status_code == 400
    page = html.unescape(refused.get_data(as_text=True))
    assert "may identify a patient (NHS number, postcode)" in page
    assert "NHS number, the document" in page and "9•• 4•• 5•••" in page
    assert "postcode, header" in page and "943 476 5919" not in page
    assert _attached(session) == []
    assert _upload(client, item.id, data, "summary.docx", confirm_pid="y").status_code == 302
    [event] = _confirmations(session)
    assert event.data["findings"] == [{"field": "content:header", "kind": "postcode"},
                                      {"field": "content:the document", "kind": "nhs_number"}]


def test_an_owner_locked_pdf_is_still_read_and_a_password_one_refused_plainly(client, session,
                                                                               item):
    flagged = _upload(client, item.id, locked_pdf("NHS number 943 476 5919"), "locked.pdf")
    assert flagged.status_code == 400
    assert "may identify a patient (NHS number)" in html.unescape(flagged.get_data(as_text=True))
    refused = _upload(client, item.id, locked_pdf("Anything", user_password="pw"), "pw.pdf")
    assert refused.status_code == 400
    assert "protected by a password" in refused.get_data(as_text=True)
    assert _attached(session) == []


def test_a_pdf_with_no_readable_text_is_said_so_and_may_be_confirmed(client, session, item):
    scan = pdf(None)
    refused = _upload(client, item.id, scan, "scan.pdf")
    assert refused.status_code == 400
    page = html.unescape(refused.get_data(as_text=True))
    assert "We could not check the text inside this file for patient details: it has no text " \
           "we could read" in page
    assert 'name="confirm_pid"' in page and _attached(session) == []
    assert _upload(client, item.id, scan, "scan.pdf", confirm_pid="y").status_code == 302
    [event] = _confirmations(session)
    assert event.data["content_unreadable"] is True and event.data["findings"] == []


def test_clean_documents_are_attached_with_no_prompt(client, session, item):
    assert _upload(client, item.id, pdf("Reflection on shoulder injections with Dr Patel.",
                                        "NRS 7/10 to 2/10 after 40 mg triamcinolone."),
                   "injections.pdf").status_code == 302
    assert _upload(client, item.id, docx("Course certificate: spinal red flags, 2 hours."),
                   "certificate.docx").status_code == 302
    assert sorted(_attached(session)) == ["certificate.docx", "injections.pdf"]
    assert _confirmations(session) == []


def _zip(document: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", document)
    return out.getvalue()


def test_hostile_word_files_are_read_within_bounds(client, session, item):
    # A zip bomb: about 100 KB that expands to 100 MB; read only up to the cap.
    bomb = _zip(f"<w:document {W}><w:body><w:p><w:r><w:t>".encode()
                + b" " * 100_000_000 + b"</w:t></w:r></w:p></w:body></w:document>")
    assert len(bomb) < 1_000_000
    started = time.monotonic()
    refused = _upload(client, item.id, bomb, "bomb.docx")
    assert time.monotonic() - started < 10
    assert refused.status_code == 400
    assert "We could not check the text inside this file for patient details: it is too " \
           "large to read" in html.unescape(refused.get_data(as_text=True))
    # Billion laughs: entity declarations are refused, never expanded.
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                        for i in range(1, 10))
              + f']><w:document {W}><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body>'
              '</w:document>').encode()
    refused = _upload(client, item.id, _zip(laughs), "laughs.docx")
    assert refused.status_code == 400
    assert "it could not be read" in html.unescape(refused.get_data(as_text=True))
    assert _attached(session) == []


def test_a_file_that_takes_too_long_to_read_is_stopped(client, session, item, monkeypatch):
    """The reading runs in a child interpreter the request stops waiting for: a file that hangs
    the reader (here, a child made to hang) costs the time limit, not the worker."""
    monkeypatch.setattr(doc_text, "CHILD", "tests.fixtures.hanging_child")
    monkeypatch.setattr(doc_text, "TIME_LIMIT", 0.5)
    monkeypatch.setattr(doc_text, "STARTUP", 1.0)
    started = time.monotonic()
    refused = _upload(client, item.id, pdf("Anything at all."), "slow.pdf")
    assert time.monotonic() - started < 5
    assert refused.status_code == 400
    assert "it took too long to read" in html.unescape(refused.get_data(as_text=True))


def _many_pages(levels: int, fan: int) -> bytes:
    """A PDF of fan**levels blank pages in under 1 KB: each node of its page tree names the
    next one `fan` times."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>"}
    number = 2
    for level in range(levels):
        objects[number] = (b"<< /Type /Pages /Kids [" + b" ".join([b"%d 0 R" % (number + 1)] * fan)
                           + b"] /Count %d >>" % fan ** (levels - level))
        number += 1
    objects[number] = b"<< /Type /Page /MediaBox [0 0 612 792] /Resources << >> >>"
    out, offsets = io.BytesIO(b"%PDF-1.4\n"), {}
    out.seek(0, io.SEEK_END)
    for key, body in sorted(objects.items()):
        offsets[key] = out.tell()
        out.write(b"%d 0 obj\n%s\nendobj\n" % (key, body))
    start = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (number + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offsets[key] for key in range(1, number + 1)))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (number + 1, start))
    return out.getvalue()


def test_hostile_files_are_said_to_be_unreadable_quickly(client, session, item):
    """A zip bomb, a PDF claiming 83,521 pages and a Word file of garbage: each is answered, by
    the child interpreter that reads it (killed at its time limit), as text we could not check.
    How fast is bench/doc_text.py's to say; this only guards against a hang, so a busy machine
    cannot fail it."""
    bomb = _zip(f"<w:document {W}><w:body><w:p><w:r><w:t>".encode()
                + b"0" * 200_000_000 + b"</w:t></w:r></w:p></w:body></w:document>")
    garbage = _zip(bytes(range(256)) * 4000)
    for data, name in ((bomb, "bomb.docx"), (_many_pages(4, 17), "pages.pdf"),
                       (garbage, "garbage.docx")):
        started = time.monotonic()
        refused = _upload(client, item.id, data, name)
        took = time.monotonic() - started
        assert took < 60, (name, took)  # not hung: the child is killed at its limit
        assert refused.status_code == 400, name
        assert "We could not check the text inside this file for patient details" in \
            html.unescape(refused.get_data(as_text=True)), name
    assert _attached(session) == []


def test_a_file_read_only_in_part_asks_for_the_confirmation_even_when_nothing_was_found(
        client, session, item):
    """Issue 22 (outsider's attack): a long PDF was read up to the cap, nothing was found in
    the part read, and it was attached as checked. The rest is now for the candidate to look
    through, and the confirmation says the file was read in part."""
    pages = [f"Reflection on shoulder injections, part {n}." for n in range(doc_text.MAX_PAGES)]
    long = pdf(*pages, "The lady was seen at home, postcode LS6 2QR.")
    refused = _upload(client, item.id, long, "long.pdf")
    assert refused.status_code == 400
    page = html.unescape(refused.get_data(as_text=True))
    assert f"We checked the first {doc_text.MAX_PAGES} pages of this file" in page
    assert "the rest was not checked" in page and 'name="confirm_pid"' in page
    assert _attached(session) == []
    assert _upload(client, item.id, long, "long.pdf", confirm_pid="y").status_code == 302
    [event] = _confirmations(session)
    assert event.data["content_partial"] is True and event.data["findings"] == []

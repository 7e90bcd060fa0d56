"""Issue 18: the archival PDF checked by whoever holds it: `roadmap export check` (offline, and
against the service), `/verify` with the file uploaded, and what either says of a file that is
not one of ours; `pdfinfo` (poppler) reads it as tagged PDF/A-3a."""
from __future__ import annotations

import io
import json
import re
import subprocess

import pikepdf
import pytest

from roadmap.audit.service import record
from roadmap.exports import check, pdffile
from tests.exports import test_archival as made
from tests.exports.test_archival import _embedded, _replace, _rewrite

# The archival file and its signing key, made as test_archival makes them.
app_config, enrolment, pdf = made.app_config, made.enrolment, made.pdf


def test_pdfinfo_says_tagged_and_its_metadata_says_pdf_a_3a(pdf, tmp_path):
    path = tmp_path / "portfolio.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert re.search(r"^Tagged:\s+yes$", info.stdout, re.M), info.stdout
    assert re.search(r"^Title:\s+Portfolio of ", info.stdout, re.M), info.stdout
    meta = subprocess.run(["pdfinfo", "-meta", str(path)], capture_output=True, text=True,
                          check=True).stdout
    assert 'pdfaid:part="3"' in meta and 'pdfaid:conformance="A"' in meta, meta


def test_the_archival_export_command_writes_a_file_the_check_command_calls_intact(
        runner, tmp_path, team, make_item):
    make_item("cbd", status="submitted", headings=("1",))
    path = tmp_path / "portfolio.pdf"
    made = runner.invoke(args=["export", "pdf", "--email", team.candidate.email,
                               "--out", str(path), "--archival"])
    assert made.exit_code == 0, made.output
    assert f"wrote {path} (" in made.output
    result = runner.invoke(args=["export", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("INTACT") and "Jo Candidate" in result.output
    assert "The service agrees with this file." in result.output
    assert "Nothing has been recorded in this portfolio since" in result.output


def test_the_check_command_agrees_with_the_server_then_reports_events_since(
        runner, tmp_path, session, enrolment, pdf):
    path = tmp_path / "portfolio.pdf"
    path.write_bytes(pdf)  # as `roadmap export pdf --archival` writes it (the test above)
    result = runner.invoke(args=["export", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("INTACT")
    assert "The service agrees with this file." in result.output
    assert "is genuine" in result.output
    assert "Nothing has been recorded in this portfolio since" in result.output

    from roadmap.portfolio.models import Evidence, EvidenceStatus

    first = check.check(pdf).manifest["signed_items"][0]
    item = session.get(Evidence, first["evidence_id"])
    item.status = EvidenceStatus.CHANGED_SINCE_SIGNED.value
    record(session, "evidence.edited", enrolment_id=enrolment.id, data={"note": "later"})
    session.commit()
    result = runner.invoke(args=["export", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert "The service agrees with this file." in result.output
    assert f"“{first['title']}” has been edited since it was signed." in result.output
    assert "1 event has been recorded in this portfolio since the file was made" in result.output

    offline = runner.invoke(args=["export", "check", str(path), "--offline"])
    assert offline.exit_code == 0 and "The service" not in offline.output
    assert "checked against the key the file names" in offline.output

    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(_rewrite(pdf, lambda doc: doc.pages[2].obj.Contents.write(b"")
                                  if not isinstance(doc.pages[2].obj.Contents, pikepdf.Array)
                                  else doc.pages[2].obj.Contents[0].write(b"")))
    result = runner.invoke(args=["export", "check", str(tampered)])
    assert result.exit_code == 1
    assert "NOT INTACT" in result.output and "Page 3 has been changed" in result.output

    notapdf = tmp_path / "notes.txt"
    notapdf.write_text("hello")
    result = runner.invoke(args=["export", "check", str(notapdf)])
    assert result.exit_code == 1 and "The file is not a PDF." in result.output


def _upload(client, content: bytes, name: str = "portfolio.pdf"):
    """POST the file as a browser would. Encoded here, in memory: the test client spools a body
    over 500 KB to a temporary file that it never closes."""
    boundary = "----roadmap-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"pdf\"; filename=\"{name}\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + content + \
        f"\r\n--{boundary}--\r\n".encode()
    return client.post("/verify", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_verify_answers_an_uploaded_pdf_as_the_command_does(client, enrolment, pdf):
    response = _upload(client, pdf)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This portfolio PDF is intact" in page
    assert "Our records agree that this file is genuine" in page and "Our records agree with it" \
        not in page
    assert "Changes recorded since</h2>" in page and "A later change does not undo a stage" in page
    assert "Jamie Patel" in page and "is genuine" in page
    made_on = re.search(r"Made on</dt><dd[^>]*>([^<]*)<", page).group(1)
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", made_on), made_on  # 7 December 2026
    for stage in check.check(pdf).claims["stages"]:
        assert len(stage["approvals"]) == len(set(stage["approvals"]))
    assert "Signed evidence</dt>" in page and "item versions" not in page
    assert re.search(r'verification code <span class="roadmap-nowrap">RM-[A-Z0-9-]+</span>', page)
    assert not re.search(r"\b(open|candidate_signed|supervisor_signed)\b", page.split(
        "What the file says")[1]), "a stage's status shown as the data names it"

    def one_byte(doc):
        raw = bytearray(_embedded(doc, "data.json"))
        raw[raw.index(b'"Jamie Patel"') + 1] = ord("K")
        _replace(doc, "data.json", bytes(raw))

    page = _upload(client, _rewrite(pdf, one_byte)).get_data(as_text=True)
    assert "This portfolio PDF has been changed" in page
    assert "The embedded data (data.json) has been changed since the file was made." in page
    # The codes inside are ours, but a changed file is never called genuine (an outsider read
    # "has been changed" and then "Our records agree that this file is genuine" on one page).
    assert "genuine" not in page.split("What the file says")[0].replace(" is genuine.", "")


@pytest.mark.parametrize("signed, heading", [
    (True, "Our records agree with the signed record inside the file"),
    (False, "What our records say")])
def test_a_changed_file_whose_codes_are_ours_is_never_called_genuine(app, signed, heading):
    """The words for a changed file the service's records agree with, whether or not its
    signed record still holds (the database's side is test_the_check_command_agrees_...)."""
    from flask import render_template

    report = check.Report(intact=False, problems=["Page 2 has been changed since the file was "
                                                  "made."], server_agrees=True, signed=signed,
                          server_confirmed=["Stage 1: the verification code X is genuine."],
                          claims={"candidate": "Someone Else", "stages": [], "signed_items": 3})
    with app.test_request_context():
        page = render_template("exports/verify_portfolio.html", report=report)
    assert heading in page and "This portfolio PDF has been changed" in page
    assert "Our records agree that this file is genuine" not in page
    if signed:
        assert "rely on what our records say, not on its pages" in page
    else:
        assert "What the file says (not to be trusted: its signature does not hold)" in page


def test_an_intact_file_our_records_disagree_with_is_never_headed_intact(app):
    """An outsider read "This portfolio PDF is intact" above "Our records do not agree with
    this file": a verifier skimming left with "intact"."""
    from flask import render_template

    report = check.Report(intact=True, signed=True, server_agrees=False,
                          server_wrong=["Stage 2: our records hold no sign-off with the "
                                        "verification code RM-AB12C-DE34F."],
                          claims={"candidate": "Jamie Patel", "stages": [], "signed_items": 3})
    with app.test_request_context():
        page = render_template("exports/verify_portfolio.html", report=report)
    assert "<h1>Our records do not agree with this portfolio PDF</h1>" in page
    assert "This portfolio PDF is intact" not in page and "Do not rely on this file" in page
    assert '<span class="roadmap-nowrap">RM-AB12C-DE34F</span>' in page


WORDS = {"The PDF is damaged and cannot be read.",
         "This PDF does not carry a portfolio's data and signatures, so it cannot be checked here. "
         "A portfolio PDF downloaded straight after a change (the quick copy) has none: download "
         "it again once the archival copy is ready, or check a verification code printed in it.", "This PDF's signatures.json is not a portfolio manifest."}


def _flips(pdf: bytes) -> list[int]:
    """Every third byte of the last 600 and one every 9,973 through the file; inside the file
    identifier (the trailer's /ID: two strings of hex digits no reader looks at, so a flip
    there leaves the file intact and costs a whole check) one flip per character it holds
    rather than one per position: a 3 flipped anywhere in it is the same 3 turned into a 2."""
    offsets = [*range(len(pdf) - 600, len(pdf) - 1, 3), *range(100, len(pdf), 9973)]
    found = re.search(rb"/ID\s*\[(<[0-9A-Fa-f]*>\s*<[0-9A-Fa-f]*>)\s*\]", pdf[-1000:])
    assert found, "the trailer names no file identifier"
    start, end = len(pdf) - 1000 + found.start(1), len(pdf) - 1000 + found.end(1)
    tried: set[int] = set()
    kept = []
    for offset in offsets:
        if start <= offset < end:
            if pdf[offset] in tried:
                continue
            tried.add(pdf[offset])
        kept.append(offset)
    return kept


def test_a_damaged_pdf_is_called_damaged_wherever_a_byte_is_flipped(client, pdf):
    """An outsider flipped one bit 300 bytes from the end (inside a compressed object stream):
    a reference then led to nothing and /verify answered 500. Every flip near the end (the
    cross-reference and object streams) and a sample through the file gets words: a report or
    "damaged", never an error. (Some bytes mean nothing a reader sees, such as the file's
    identifier: a flip there may leave it intact.)"""
    for offset in _flips(pdf):
        flipped = bytearray(pdf)
        flipped[offset] ^= 0x01
        try:
            check.check(bytes(flipped))
        except pdffile.NotReadable as refused:  # "damaged", or "does not carry a portfolio's
            assert str(refused) in WORDS, (offset, str(refused))  # data" (its name is hit)
    flipped = bytearray(pdf)
    flipped[len(pdf) - 300] ^= 0x01
    response = _upload(client, bytes(flipped))
    assert response.status_code in (200, 400), response.status_code


def _font_program(doc):
    """The first embedded font program page 1 draws with."""
    for font in doc.pages[0].obj.Resources.Font.values():
        for descendant in font.get("/DescendantFonts") or [font]:
            descriptor = descendant.get("/FontDescriptor")
            for name in ("/FontFile2", "/FontFile3", "/FontFile"):
                if descriptor is not None and name in descriptor:
                    return descriptor[name]
    raise AssertionError("no embedded font program on page 1")


@pytest.mark.parametrize("kind", ["font", "text map"])
def test_a_swapped_font_or_text_map_is_named_with_its_page(pdf, kind):
    """The page's content stream can stay as it was while what it draws with changes: a font
    program (what the glyphs look like) or its text map (what a screen reader reads). An
    image is swapped in test_archival's image test."""
    def swap(doc):
        if kind == "text map":
            font = next(f for f in doc.pages[0].obj.Resources.Font.values() if "/ToUnicode" in f)
            font.ToUnicode.write(font.ToUnicode.read_bytes() + b"\n% changed")
        else:
            program = _font_program(doc)
            data = bytearray(program.read_bytes())
            data[len(data) // 2] ^= 0xFF
            program.write(bytes(data))

    report = check.check(_rewrite(pdf, swap))
    assert not report.intact
    said = [p for p in report.problems if p.startswith("The fonts or images of page")]
    # Pages share fonts: one message names them all, from page 1 ("pages 1 to 53"), not 53.
    assert len(said) == 1 and re.match(r"The fonts or images of pages? 1\b", said[0]), said
    assert said[0].endswith("have been changed since the file was made.")


def _error_beside_the_box(response, message: str, status: int = 400) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert 'id="pdf-error"' in page and message in page and 'href="#pdf"' in page


def test_verify_refuses_a_non_pdf_a_foreign_pdf_and_nothing_with_a_message(client, app):
    _error_beside_the_box(_upload(client, b"just some text", "notes.txt"), "The file is not a PDF.")
    foreign = io.BytesIO()
    with pikepdf.new() as doc:
        doc.add_blank_page()
        doc.save(foreign)
    _error_beside_the_box(_upload(client, foreign.getvalue()),
                          "the quick copy) has none: download it again once the archival copy "
                          "is ready, or check a verification code printed in it.")
    _error_beside_the_box(_upload(client, b"%PDF-1.7\n garbage"),
                          "The PDF is damaged and cannot be read.")
    _error_beside_the_box(client.post("/verify", data={}, content_type="multipart/form-data"),
                          "Choose the portfolio PDF to check")
    _error_beside_the_box(_upload(client, b"", "portfolio.pdf"),
                          "The file is empty: choose the portfolio PDF as it was downloaded")


@pytest.fixture
def small_limit(monkeypatch):
    from roadmap.exports import views

    monkeypatch.setattr(views, "PDF_LARGEST", 1024 * 1024)


def test_verify_refuses_an_oversized_upload_beside_the_box(client, app, small_limit):
    _error_beside_the_box(_upload(client, b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 10)),
                          "The file is larger than 1 MB")
    app.config["MAX_CONTENT_LENGTH"], before = 64 * 1024, app.config["MAX_CONTENT_LENGTH"]
    csrf = app.config.get("WTF_CSRF_ENABLED")
    try:
        _error_beside_the_box(_upload(client, b"%PDF-1.7\n" + b"0" * (128 * 1024)),
                              "The file is larger than 1 MB", 413)
        # With CSRF on, as in service, the body is first parsed by the CSRF check, before the view.
        app.config["WTF_CSRF_ENABLED"] = True
        _error_beside_the_box(_upload(client, b"%PDF-1.7\n" + b"0" * (128 * 1024)),
                              "The file is larger than 1 MB", 413)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = before
        app.config["WTF_CSRF_ENABLED"] = csrf


def test_a_manifest_nested_too_deep_is_unreadable_not_an_error_page(client, pdf):
    """An outsider replaced signatures.json with 100,000 nested brackets: /verify answered 500
    (the JSON reader ran out of recursion)."""
    def deep(doc):
        _replace(doc, "signatures.json", b"[" * 100_000 + b"]" * 100_000)

    forged = _rewrite(pdf, deep)
    assert "The embedded signatures.json is not readable JSON." in check.check(forged).problems
    response = _upload(client, forged)
    assert response.status_code in (200, 400)
    assert "not readable JSON" in response.get_data(as_text=True)


def test_a_forged_name_in_the_signed_record_is_never_under_our_records_agree(
        client, enrolment, pdf):
    """With the manifest's signature broken, the page says what our records hold, and that the
    file's claims (the candidate's name among them) are not to be trusted."""
    def renamed(doc):
        signed = json.loads(_embedded(doc, "signatures.json"))
        signed["manifest"]["candidate"]["name"] = "Someone Else"
        _replace(doc, "signatures.json", json.dumps(signed).encode())

    page = _upload(client, _rewrite(pdf, renamed)).get_data(as_text=True)
    assert "The manifest&#39;s signature does not hold" in page or \
        "The manifest's signature does not hold" in page
    assert "Our records agree" not in page
    assert "What the file says (not to be trusted: its signature does not hold)" in page


def test_what_the_file_says_names_each_stage_and_signer_once_in_words():
    """A verifier read "open" and saw each Stage 1 signer twice (signature, then approval)."""
    stage = {"code": "stage1", "name": "Stage 1", "status": "complete",
             "completed_at": "2026-06-03T10:00:00", "verification_code": "RM-AB12-CD34",
             "signatures": [{"name": "Jamie Patel", "capacity": "candidate",
                             "signed_at": "2026-06-01T09:00:00"},
                            {"name": "Dr Sam Okafor", "capacity": "primary",
                             "signed_at": "2026-06-03T10:00:00"}],
             "approvals": [{"label": "Candidate's declaration", "text": "Jamie Patel, 1 June 2026"},
                           {"label": "Supervisor's sign-off", "text": "Dr Sam Okafor, 3 June 2026"}]}
    said = check._stage_claims(stage)
    assert said["words"] == "Completed 3 June 2026, verification code RM-AB12-CD34"
    assert (said["status_words"], said["verification_code"]) == ("Completed 3 June 2026",
                                                                 "RM-AB12-CD34")
    assert said["approvals"] == ["Candidate's declaration: Jamie Patel, 1 June 2026",
                                 "Supervisor's sign-off: Dr Sam Okafor, 3 June 2026"]
    older = check._stage_claims({**stage, "approvals": []})  # signed before approvals were kept
    assert older["approvals"] == ["Jamie Patel (candidate), 1 June 2026",
                                  "Dr Sam Okafor (primary), 3 June 2026"]
    assert check._stage_claims({"name": "Stage 2", "status": "open"})["words"] == "Not signed off"
    claims = check._claims({"signed_items": [{"evidence_id": 1}, {"evidence_id": 1},
                                             {"evidence_id": 2}], "stages": []})
    assert claims["signed_words"] == ("2 items of evidence signed by a supervisor or assessor "
                                      "(3 signed versions: an item edited after it was signed is "
                                      "signed again)")


def test_the_public_key_file_keygen_wrote_is_trusted_and_another_key_is_not(
        runner, enrolment, pdf, archival_key, tmp_path):
    """An outsider checked with `--key signing.pem.pub.jwk` (the file keygen writes and prints)
    and was told the file was "signed by a key this service has never published": keygen's
    file names its key by thumbprint, the service by address. The key itself decides."""
    from roadmap.credentials import keys

    path = tmp_path / "portfolio.pdf"
    path.write_bytes(pdf)
    own = runner.invoke(args=["export", "check", str(path), "--key",
                              str(keys.public_path(archival_key))])
    assert own.exit_code == 0 and own.output.startswith("INTACT"), own.output
    assert "never published" not in own.output
    stranger = tmp_path / "other.pem"
    keys.generate(stranger)
    other = runner.invoke(args=["export", "check", str(path), "--key",
                                str(keys.public_path(stranger))])
    assert other.exit_code != 0 and "never published" in other.output, other.output


def test_a_pdf_longer_than_any_portfolio_is_refused_before_it_is_read(client):
    """An outsider's 4,999 repeated pages held /verify for 34 s: past MAX_PAGES it is refused
    at once, beside the upload box."""
    doc = pikepdf.new()
    for _ in range(pdffile.MAX_PAGES + 1):
        doc.add_blank_page()
    made = io.BytesIO()
    doc.save(made)
    page = _upload(client, made.getvalue()).get_data(as_text=True)
    assert "The PDF has more pages than any portfolio." in page and 'id="pdf-error"' in page

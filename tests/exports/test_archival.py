"""The archival PDF read back with pikepdf: tagged throughout, PDF/A-3a, its data and signed
manifest inside; `roadmap export check` and /verify say intact, or name what was changed."""
from __future__ import annotations

import hashlib
import io
import json
import re

import pikepdf
import pytest
import sqlalchemy as sa

from roadmap.accounts.models import User
from roadmap.audit.service import canonical_json
from roadmap.clock import today
from roadmap.cohorts.models import Enrolment
from roadmap.credentials import keys
from roadmap.exports import archival, check, pdffile

HEADINGS = {f"/H{n}": n for n in range(1, 7)}
MARKED = {"BDC", "BMC"}
PAINTING = {"Tj", "TJ", "'", '"', "Do", "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "sh"}



@pytest.fixture
def app_config(app_config, tmp_path, archival_key):
    app_config["EXPORT_DIR"] = str(tmp_path / "exports")
    app_config["CREDENTIAL_KEY_FILE"] = str(archival_key)
    return app_config


@pytest.fixture
def enrolment(demo_data, session):
    """The demo's candidate1: signed items, Stage 1 signed off with a verification code."""
    session.rollback()
    candidate = session.scalar(sa.select(User).where(User.email == "candidate1@example.nhs.uk"))
    return session.scalar(sa.select(Enrolment).where(Enrolment.candidate_id == candidate.id))


@pytest.fixture
def pdf(request, archival_key, archival_renders) -> bytes:
    """The demo candidate's archival PDF, rendered by the first test of the process that asks
    (on its copy of the demo) and kept (tests/exports/conftest.py); a test that needs the demo
    in its own database as well asks for `enrolment`."""
    made = (str(archival_key), today())
    if made not in archival_renders:
        app, session = request.getfixturevalue("app"), request.getfixturevalue("session")
        enrolment = request.getfixturevalue("enrolment")
        with app.test_request_context():
            archival_renders[made] = archival.archival_pdf(session, enrolment, made[1])
    return archival_renders[made]


def _walk(node, found):
    if isinstance(node, pikepdf.Dictionary) and "/S" in node:
        found.append(node)
    kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
        if isinstance(kid, pikepdf.Dictionary):
            _walk(kid, found)
    return found


def _untagged(page) -> int:
    """Painting operators outside any marked-content sequence: content a screen reader misses."""
    depth = untagged = 0
    for _operands, operator in pikepdf.parse_content_stream(page):
        name = str(operator)
        if name in MARKED:
            depth += 1
        elif name == "EMC":
            depth -= 1
        elif name in PAINTING and depth == 0:
            untagged += 1
    return untagged


def test_every_page_is_tagged_with_headings_in_order_tables_and_metadata(pdf):
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert doc.Root.MarkInfo.Marked is True
        tree = doc.Root.StructTreeRoot
        elements = _walk(tree, [])
        kinds = [str(e.S) for e in elements]
        # Every page belongs to the structure tree and paints nothing outside marked content.
        parents = {int(n) for n in tree.ParentTree.Nums[::2]}
        for number, page in enumerate(doc.pages):
            assert int(page.obj.StructParents) in parents, f"page {number + 1} has no structure"
            assert _untagged(page) == 0, f"page {number + 1} has untagged content"
        levels = [HEADINGS[k] for k in kinds if k in HEADINGS]
        assert levels[0] == 1 and levels.count(1) >= 5
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), "a heading level skipped"
        assert kinds.count("/Table") >= 3 and kinds.count("/TH") >= kinds.count("/Table")
        assert "/L" in kinds and "/LI" in kinds
        assert all("/Alt" in e for e in elements if str(e.S) == "/Figure")
        assert str(doc.Root.Lang) == "en-GB"
        assert str(doc.docinfo.Title).startswith("Portfolio of ")
        assert doc.Root.ViewerPreferences.DisplayDocTitle is True
        assert len(doc.Root.Outlines.keys()) and "/First" in doc.Root.Outlines
        meta = doc.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("3", "A")
        # Both files are PDF/A-3 associated files, each listed once.
        assert sorted(doc.attachments) == ["data.json", "signatures.json"]
        related = {str(f.UF): str(f.AFRelationship) for f in doc.Root.AF}
        assert related == {"data.json": "/Source", "signatures.json": "/Data"}
        assert len(doc.Root.AF) == 2


def test_page_numbers_are_laid_out_with_the_pages_and_the_contents_point_to_them(pdf):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    texts = [page.extract_text() for page in reader.pages]
    total = len(texts)
    assert "Page 1 of" not in texts[0]  # the cover has no number
    assert f"Page 2 of {total}" in texts[1] and f"Page {total} of {total}" in texts[-1]
    listed = dict(line.rsplit(" ", 1) for line in texts[1].splitlines()[1:-1])
    for section in ("Capability matrix", "Evidence", "Stage checklists and sign-offs",
                    "Audit timeline"):
        assert texts[int(listed[section]) - 1].startswith(section), section


def test_the_embedded_data_is_the_zips_data_and_the_manifest_names_what_was_signed(pdf):
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        data = json.loads(doc.attachments["data.json"].get_file().read_bytes())
        signed = json.loads(doc.attachments["signatures.json"].get_file().read_bytes())
    assert data["schema_version"] == 1 and data["candidate"]["name"] == "Jamie Patel"
    manifest = signed["manifest"]
    codes = [s["verification_code"] for s in manifest["stages"] if s["verification_code"]]
    assert codes and codes == [s["verification_code"] for s in data["stages"]
                               if s["verification_code"]]
    signed_versions = [v for e in data["evidence"] for v in e["versions"] if v["signatures"]]
    assert len(manifest["signed_items"]) == len(signed_versions) > 0
    assert manifest["audit_head"]["hash"] == data["audit_events"][-1]["hash"] or \
        manifest["audit_head"]["id"] >= data["audit_events"][-1]["id"]
    assert signed["jws"].count(".") == 2 and signed["key"]["crv"] == "Ed25519"


def _rewrite(pdf: bytes, change) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        change(doc)
        out = io.BytesIO()
        doc.save(out)
    return out.getvalue()


def _embedded(doc, name: str) -> bytes:
    return doc.attachments[name].get_file().read_bytes()


def _replace(doc, name: str, content: bytes) -> None:
    """The embedded file's content replaced, its size and checksum with it (as a file made with
    that content has them, and as a careful forger would write them)."""
    stream = doc.attachments[name].get_file().obj
    stream.write(content)
    params = stream.get("/Params")
    if params is not None:
        params.Size = len(content)
        params.CheckSum = pikepdf.String(hashlib.md5(content).digest())


def test_check_says_intact_then_names_each_change(pdf):
    fresh = check.check(pdf)
    assert fresh.intact, fresh.problems
    assert fresh.claims["candidate"] == "Jamie Patel"
    assert any("verification code RM-" in s["words"] for s in fresh.claims["stages"])

    def one_byte(doc):
        raw = bytearray(_embedded(doc, "data.json"))
        at = raw.index(b'"Jamie Patel"') + 1
        raw[at] = ord("K")
        _replace(doc, "data.json", bytes(raw))

    changed = check.check(_rewrite(pdf, one_byte))
    assert not changed.intact
    assert any("data.json" in p and "changed" in p for p in changed.problems)

    def one_signature(doc):
        data = json.loads(_embedded(doc, "data.json"))
        version = next(v for e in data["evidence"] for v in e["versions"] if v["signatures"])
        version["signatures"][0]["name"] = "Dr Someone Else"
        _replace(doc, "data.json", json.dumps(data).encode())

    changed = check.check(_rewrite(pdf, one_signature))
    assert not changed.intact
    assert any("signatures on" in p and "are not the ones the service signed" in p
               for p in changed.problems)

    def one_page(doc):
        page = doc.pages[3]
        contents = page.obj.Contents
        stream = contents[0] if isinstance(contents, pikepdf.Array) else contents
        stream.write(stream.read_bytes() + b"\nBT /F1 12 Tf 100 100 Td (forged) Tj ET\n")

    changed = check.check(_rewrite(pdf, one_page))
    assert not changed.intact
    assert changed.problems == ["Page 4 has been changed since the file was made."]

    def dropped_page(doc):
        del doc.pages[5]

    assert any("46 pages; it was made with 47" in p or "pages; it was made with" in p
               for p in check.check(_rewrite(pdf, dropped_page)).problems)


def test_a_forger_who_recomputes_every_plain_hash_is_still_caught(pdf):
    """The data and manifest edited together, every digest recomputed: only the key can sign."""
    def forge(doc):
        data = json.loads(_embedded(doc, "data.json"))
        stage = next(s for s in data["stages"] if s["verification_code"])
        stage["signatures"][0]["name"] = "Dr Forger"
        raw = json.dumps(data).encode()
        signed = json.loads(_embedded(doc, "signatures.json"))
        signed["manifest"]["data_sha256"] = hashlib.sha256(raw).hexdigest()
        claimed = next(s for s in signed["manifest"]["stages"] if s["verification_code"])
        claimed["signatures"][0]["name"] = "Dr Forger"
        _replace(doc, "data.json", raw)
        _replace(doc, "signatures.json", json.dumps(signed).encode())

    forged = check.check(_rewrite(pdf, forge))
    assert not forged.intact
    assert forged.problems == ["The manifest's signature does not hold: the manifest has been "
                               "changed since the service signed it."]
    assert canonical_json({"a": 1}) == '{"a":1}'

    def one_jws_byte(doc):
        signed = json.loads(_embedded(doc, "signatures.json"))
        head, payload, signature = signed["jws"].split(".")
        signed["jws"] = ".".join([head, payload, ("A" if signature[5] != "A" else "B").join(
            [signature[:5], signature[6:]])])
        _replace(doc, "signatures.json", json.dumps(signed).encode())

    assert "signature does not hold" in check.check(_rewrite(pdf, one_jws_byte)).problems[0]


def test_a_file_signed_with_another_key_is_not_trusted(pdf, tmp_path):
    other = keys.generate(tmp_path / "other.pem")
    stranger = {"https://elsewhere.example/key": {**keys.public_jwk(other)}}
    report = check.check(pdf, stranger)
    assert not report.intact
    assert "never published" in report.problems[0]


def test_the_untagged_render_is_the_same_document_without_tags(app, session, team, make_item):
    make_item("cbd", status="submitted", headings=("1",))
    with app.test_request_context():
        plain = archival.archival_pdf(session, team.enrolment, today(), tagged=False)
    with pikepdf.open(io.BytesIO(plain)) as doc:
        assert "/StructTreeRoot" not in doc.Root and not doc.attachments
    with pytest.raises(pdffile.NotReadable):
        check.check(plain)


def test_an_image_is_a_figure_whose_alternative_text_names_the_attachment(app, session, team,
                                                                          make_item):
    from roadmap.portfolio import attachments
    from tests.exports.test_jobs import PNG

    item = make_item("cbd", status="submitted", headings=("1",))
    with app.test_request_context():
        attachments.add(session, item, team.candidate, "knee.png", PNG)
        session.commit()
        pdf = archival.archival_pdf(session, team.enrolment, today())
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        figures = [e for e in _walk(doc.Root.StructTreeRoot, []) if str(e.S) == "/Figure"]
        assert len(figures) == 1
        assert str(figures[0].Alt) == "Image attached to E1: knee.png (image/png)"
        for page in doc.pages:
            assert _untagged(page) == 0
    assert check.check(pdf).intact

    def swapped(doc):  # another picture under the same name: the page's content is unchanged
        for number, page in enumerate(doc.pages, start=1):
            for image in (page.obj.Resources.get("/XObject") or {}).values():
                if image.get("/Subtype") == "/Image":
                    image.write(bytes(255 - b for b in image.read_bytes()))
                    swapped.page = number
                    return

    report = check.check(_rewrite(pdf, swapped))
    said = [p for p in report.problems if p.startswith("The fonts or images of page")]
    # WeasyPrint gives every page one shared set of images: all of them say so, in one line.
    first = re.match(r"The fonts or images of pages? (\d+)", said[0]) if said else None
    assert first and int(first.group(1)) <= swapped.page and not report.intact, said


def _msf_round(session, team, make_item, released: bool):
    """An MSF round with 6 clinical and 5 non-clinical answers, released or not."""
    from roadmap.db import utcnow
    from roadmap.feedback.models import FeedbackResponse, FeedbackRound

    item = make_item("msf", status="submitted")
    session.add(FeedbackRound(evidence_id=item.id, kind="msf", self_assessment={},
                              opened_by_id=team.candidate.id,
                              released_at=utcnow() if released else None))
    for number in range(11):
        group = "clinical" if number < 6 else "non_clinical"
        session.add(FeedbackResponse(evidence_id=item.id, respondent_group=group, answers={
            "respondent_group": group, "professional_behaviour": "above" if number % 2 else "meets",
            "clinical_performance": "meets", "highlights": f"Kind words {'KJIHGFEDCBA'[number]}"}))
    session.commit()
    return item


@pytest.mark.parametrize("released", [True, False])
def test_released_msf_results_are_in_the_pdf_and_the_data_in_aggregate_only(
        app, session, team, make_item, released):
    from pypdf import PdfReader

    _msf_round(session, team, make_item, released)
    with app.test_request_context():
        pdf = archival.archival_pdf(session, team.enrolment, today())
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        data = json.loads(doc.attachments["data.json"].get_file().read_bytes())
    results = data["evidence"][0]["feedback_results"]
    if not released:
        assert results is None and "Results as released" not in text
        return
    assert results["responses"] == 11 and results["groups"] == {"clinical": 6, "non_clinical": 5}
    behaviour = next(q for q in results["questions"] if q["label"].startswith("Professional"))
    assert sum(c["count"] for c in behaviour["counts"]) == 11
    comments = [t for c in results["comments"] for t in c["texts"]]
    assert comments == sorted(comments) and len(comments) == 11  # sorted, never in arrival order
    assert "Results as released to the candidate" in text and "11 responses" in text
    assert "Kind words A" in text
    assert "respondent" not in json.dumps(results)  # no response kept whole, no identifiers


def test_the_matrix_fits_its_page_and_the_cover_dates_agree_with_the_checklists(pdf):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    texts = [page.extract_text() for page in reader.pages]
    first = next(n for n, t in enumerate(texts) if t.startswith("Capability matrix"))
    last = next(n for n, t in enumerate(texts) if t.startswith("Capability headings"))
    for page in reader.pages[first:last]:
        width = float(page.mediabox.width)
        margin = 15 / 25.4 * 72  # the landscape page's side margins, 15 mm
        found: list[float] = []
        page.extract_text(visitor_text=lambda text, cm, tm, font, size: found.append(
            tm[4] * cm[0] + cm[4]) if text.strip() else None)
        assert found and min(found) >= margin - 1 and max(found) <= width - margin
    cover = texts[0].replace("\n", " ")
    verified = re.search(r"Stage 1 verified (\d{1,2} \w+ \d{4})", cover).group(1)
    stages = " ".join(texts).replace("\n", " ")
    assert f"Stage completed {verified}" in stages


def test_a_compressed_bomb_in_the_embedded_data_is_refused_without_inflating_it(pdf):
    import zlib

    def bomb(doc):
        stream = doc.attachments["data.json"].get_file().obj
        stream.write(zlib.compress(b" " * (80 * 1024 * 1024), 9), filter=pikepdf.Name.FlateDecode)

    with pytest.raises(pdffile.NotReadable, match="embedded data.json is larger than any"):
        check.check(_rewrite(pdf, bomb))


def test_a_copy_made_for_a_supervisor_embeds_no_draft(app, session, team, make_item):
    """The stored supervisors' copy leaves the candidate's drafts out of the pages and out of
    the embedded data.json alike; the candidate's own copy keeps them."""
    make_item("cbd", status="submitted", headings=("1",)).title = "A case they sent"
    make_item("reflection", status="draft").title = "Private half-written thoughts"
    session.commit()
    with app.test_request_context():
        shared = archival.archival_pdf(session, team.enrolment, today(), drafts=False)
        own = archival.archival_pdf(session, team.enrolment, today(), drafts=True)

    def titles(pdf: bytes) -> list[str]:
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            data = json.loads(_embedded(doc, "data.json"))
        return [e["title"] for e in data["evidence"]]

    assert titles(shared) == ["A case they sent"]
    assert sorted(titles(own)) == ["A case they sent", "Private half-written thoughts"]
    assert check.check(shared).intact and check.check(own).intact

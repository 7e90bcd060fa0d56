"""Portfolio pages: injection comes out inert, the home page's statements, attachments, case mix."""
from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa
from PIL import Image

from roadmap import storage
from roadmap.framework import definitions
from roadmap.portfolio.attachments import DOCX
from roadmap.portfolio.models import Attachment, Evidence, EvidenceCapability
from roadmap.portfolio.progress import COUNTED_STATUSES, capability_counts
from tests.fixtures import documents
from tests.portfolio.world import build_world

PAYLOADS = ('<script>alert("x")</script>', '<img src=x onerror=alert(1)>',
            '[click](javascript:alert(1))', '"><svg onload=alert(1)>')


def add_item(session, world, code="learning_log", status="draft", caps=("1",), fields=None,
             occurred_on=None, title="An item"):
    kind = world.kind(session, code)
    item = Evidence(enrolment_id=world.enrolment.id, evidence_type_id=kind.id, title=title,
                    fields=fields or {}, status=status, created_by_id=world.candidate.id,
                    occurred_on=occurred_on or dt.date.today(),
                    submitted_to_id=world.primary.id if status == "submitted" else None)
    session.add(item)
    session.flush()
    session.add_all(EvidenceCapability(evidence_id=item.id, capability_id=world.capability(session, c).id,
                                       linked_by_id=world.candidate.id) for c in caps)
    return item


@pytest.mark.parametrize("code", ["cot", "learning_log", "reflection", "audit_qip", "case_mix"])
def test_script_and_html_in_free_text_come_out_inert(client, login, world, session, code):
    kind = world.kind(session, code)
    template = "gibbs" if code == "reflection" else None
    free = [f for f in definitions.fields(kind.definition, template) if definitions.is_free_text(f)]
    assert free
    answers = {f["code"]: PAYLOADS[i % len(PAYLOADS)] + " **bold**" for i, f in enumerate(free)}
    item = add_item(session, world, code, fields=answers, title=PAYLOADS[0])
    item.template_code = template
    session.commit()
    login(client, world.candidate)
    for url in (f"/portfolio/evidence/{item.id}", f"/portfolio/evidence/{item.id}/edit",
                f"/portfolio/evidence/{item.id}/submit", "/portfolio/evidence"):
        page = client.get(url).get_data(as_text=True)
        for bad in ("<script>alert", "<img src=x", 'href="javascript:', "<svg onload", "onerror=alert(1)>"):
            assert bad not in page, (url, bad)
    shown = client.get(f"/portfolio/evidence/{item.id}").get_data(as_text=True)
    assert "<strong>bold</strong>" in shown and "&lt;script&gt;" in shown


def test_home_issues_the_same_statements_for_5_and_500_items(client, login, session, make_user,
                                                             count_queries):
    small = build_world(session, make_user, prefix="s")
    large = build_world(session, make_user, prefix="l")
    statuses = ["draft", "submitted", "returned", "signed", "changed_since_signed"]
    for i in range(5):
        add_item(session, small, status=statuses[i % 5], caps=("1", "2"))
    codes = ["cot", "cbd", "learning_log", "case_mix", "reflection"]
    for i in range(500):
        add_item(session, large, code=codes[i % 5], status=statuses[i % 5],
                 caps=(str(1 + i % 14), str(1 + (i + 3) % 14)))
    session.commit()
    counted = []
    for who in (small, large):
        client.post("/sign-out")
        login(client, who.candidate)
        client.get("/portfolio/")  # warm up: the first request loads the user
        with count_queries() as counter:
            page = client.get("/portfolio/").get_data(as_text=True)
        counted.append(counter.count)
        assert "Where you stand" in page
    assert counted[0] == counted[1], counted
    assert counted[0] <= 25, counted


def test_counting_rule_and_batch_counts(session, world):
    assert set(COUNTED_STATUSES) == {"submitted", "signed", "changed_since_signed"}
    for status in ("draft", "returned", "submitted", "signed", "changed_since_signed"):
        add_item(session, world, status=status, caps=("1", "2"))
    session.commit()
    counts = capability_counts(session, [world.enrolment.id, 999])
    cap1, cap2 = world.capability(session, "1").id, world.capability(session, "2").id
    assert counts == {world.enrolment.id: {cap1: 3, cap2: 3}, 999: {}}


def test_matrix_and_rag_words_on_the_home_page(client, login, session, world):
    for _ in range(3):
        add_item(session, world, code="cbd", status="submitted", caps=("4",))
    add_item(session, world, code="cot", status="signed", caps=("5",))
    add_item(session, world, code="cot", status="draft", caps=("6",))
    session.commit()
    login(client, world.candidate)
    page = client.get("/portfolio/").get_data(as_text=True)
    row = lambda code: page.split(f'data-capability="{code}"')[1].split("</tr>")[0]  # noqa: E731
    assert "3 of 3" in row("4") and "Target met" in row("4")
    assert "1 of 3" in row("5") and "Under way" in row("5")
    assert "0 of 3" in row("6") and "None yet" in row("6")
    assert "4 of 2" in page  # WPBAs this month: three CBDs and a COT count
    assert "days to go" in page


def _docx() -> bytes:
    """Notes with text to read (a file of no text asks the candidate to look it over)."""
    return documents.docx("Notes on the shoulder clinic's teaching session")


def _pdf() -> bytes:
    """A certificate with text to read (a page of no text asks the candidate to look it over)."""
    return documents.pdf("Certificate of completion: shoulder injection course, 12 hours")


def _image(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "teal").save(buffer, kind)
    return buffer.getvalue()


def test_attachments_are_checked_by_content_and_served_as_downloads(client, login, session, world,
                                                                    app, tmp_path, make_user):
    app.config["ATTACHMENT_DIR"] = str(tmp_path / "files")
    item = add_item(session, world)
    session.commit()
    login(client, world.candidate)
    url = f"/portfolio/evidence/{item.id}/attachments"
    files = {"cert.pdf": _pdf(), "photo.png": _image("PNG"), "scan.jpg": _image("JPEG"),
             "notes.docx": _docx()}
    for name, data in files.items():
        response = client.post(url, data={"file": (io.BytesIO(data), name)},
                               content_type="multipart/form-data", follow_redirects=True)
        assert f"{name} is attached" in response.get_data(as_text=True)
    refused = {"fake.pdf": b"MZ\x90\x00 not a pdf", "zip.docx": b"PK\x03\x04broken",
               "big.pdf": b"%PDF-" + b"0" * (10 * 1024 * 1024)}
    for name, data in refused.items():
        with client.post(url, data={"file": (io.BytesIO(data), name)}, follow_redirects=True,
                         content_type="multipart/form-data") as response:
            page = response.get_data(as_text=True)  # closed: a 10 MB body sits in a temp file
        assert response.status_code == 400
        assert "must be a PDF, PNG, JPEG or Word (DOCX) file" in page or "smaller than 10 MB" in page
    session.rollback()
    stored = session.scalars(sa.select(Attachment).order_by(Attachment.id)).all()
    assert [a.media_type for a in stored] == ["application/pdf", "image/png", "image/jpeg", DOCX]
    assert storage.current(app).get(stored[0].sha256) == files["cert.pdf"]  # kept by its hash
    download = client.get(f"/portfolio/attachments/{stored[0].id}")
    assert download.status_code == 200 and download.data == files["cert.pdf"]
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()
    client.post("/sign-out")
    session.rollback()
    stranger = make_user("nosy@example.nhs.uk")
    login(client, stranger)
    assert client.get(f"/portfolio/attachments/{stored[0].id}").status_code == 404


def test_case_mix_totals_and_gaps(client, login, session, world):
    for region, outcomes in [("knee", ["self_management"]), ("knee", ["imaging_request"]),
                             ("low_back", ["physiotherapy_referral", "self_management"])]:
        add_item(session, world, code="case_mix", caps=(),
                 fields={"body_region": region, "outcomes": outcomes, "consultation_type": "telephone"})
    session.commit()
    login(client, world.candidate)
    page = client.get("/portfolio/case-mix").get_data(as_text=True)
    assert "3 cases logged" in page
    foot = page.split("Foot and ankle")[1].split("</tr>")[0]
    assert ">0<" in foot and "None yet" in foot
    knee = page.split(">Knee<")[1].split("</tr>")[0]
    assert ">2<" in knee and "Few cases" not in knee

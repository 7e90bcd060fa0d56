"""A learning needs analysis's uploads get the same patient-details check as an item's files
(issue 22), over HTTP: a postcode inside a PDF is told, masked, beside the file field with the
confirm box, nothing is kept; confirming keeps it and audits where and which kind."""
from __future__ import annotations

import html
import io

import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.portfolio.models import Attachment
from tests.fixtures.documents import docx, pdf
from tests.fixtures.lna import PAGE

TRANSCRIPT = pdf("MSc transcript", "Placement log: saw the gentleman at NE1 4LP for his knee.")


def _send(client, data, name, **extra):
    return client.post(f"{PAGE}/files", data={"file": (io.BytesIO(data), name), **extra},
                       content_type="multipart/form-data")


def test_an_upload_with_a_postcode_inside_is_held_until_confirmed(lna, client_as, session):
    client = client_as(lna.candidate)
    client.get(PAGE)
    refused = _send(client, TRANSCRIPT, "transcript.pdf")
    assert refused.status_code == 400
    page = html.unescape(refused.get_data(as_text=True))
    assert "The text inside this file may identify a patient (postcode)" in page
    assert "postcode, page 2" in page and "N•• 4••" in page and "NE1 4LP" not in page
    assert 'name="confirm_pid"' in page
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0

    assert _send(client, TRANSCRIPT, "transcript.pdf", confirm_pid="y").status_code == 302
    session.rollback()
    assert session.scalars(sa.select(Attachment.filename)).all() == ["transcript.pdf"]
    event = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "evidence.attachment_pid_confirmed")).one()
    assert event.actor_id == lna.candidate.id
    assert event.data["findings"] == [{"field": "content:page 2", "kind": "postcode"}]
    assert "NE1" not in str(event.data)


def test_a_clean_certificate_and_a_flagged_name_on_the_analysis(lna, client_as, session):
    client = client_as(lna.candidate)
    client.get(PAGE)
    assert _send(client, docx("Certificate of completion: injection therapy, 2 days."),
                 "certificate.docx").status_code == 302
    named = _send(client, docx("Certificate."), "cert SW1A 1AA.docx")
    assert named.status_code == 400
    page = named.get_data(as_text=True)
    assert '<mark class="roadmap-pid">' in page and 'name="confirm_pid"' in page
    assert _send(client, docx("Certificate."), "cert SW1A 1AA.docx",
                 confirm_pid="y").status_code == 302
    session.rollback()
    assert sorted(session.scalars(sa.select(Attachment.filename))) == [
        "cert SW1A 1AA.docx", "certificate.docx"]

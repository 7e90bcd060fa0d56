"""Attachment file names go through the patient-identifier check, over HTTP: a name with a
postcode or an NHS number is highlighted beside the file field and nothing is kept; ticking the
confirmation (and choosing the file again) keeps it and audits the kinds, never the name; a
plain name is attached with no prompt."""
from __future__ import annotations

import html
import io
import re

import pytest
import sqlalchemy as sa
from PIL import Image

from roadmap.audit.models import AuditEvent
from roadmap.portfolio.models import Attachment


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config.update(ATTACHMENT_DIR=str(tmp_path / "attachments"))
    return app_config


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (6, 4), "navy").save(buffer, "PNG")
    return buffer.getvalue()


def _upload(client, item_id, name, **extra):
    with client.post(f"/portfolio/evidence/{item_id}/attachments", follow_redirects=False,
                     data={"file": (io.BytesIO(_png()), name), **extra},
                     content_type="multipart/form-data") as response:
        response.get_data()
    return response


def _fresh(session):
    session.rollback()
    session.expire_all()


def _attached(session) -> list[str]:
    _fresh(session)
    return session.scalars(sa.select(Attachment.filename)).all()


def _confirmations(session) -> list[AuditEvent]:
    _fresh(session)
    return session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "evidence.attachment_pid_confirmed")).all()


@pytest.mark.parametrize("name, kind, shown", [
    ("referral_SW1A_1AA.png", "postcode", "SW1A 1AA"),
    ("letter 943 476 5919.png", "NHS number", "943 476 5919"),
])
def test_a_name_that_may_identify_a_patient_is_flagged_and_not_kept(
        client, login, session, team, make_item, name, kind, shown):
    item = make_item("cbd", status="draft")
    login(client, team.candidate)
    refused = _upload(client, item.id, name)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert re.search(rf'<mark class="roadmap-pid">.*?{re.escape(shown)}</mark>', page)
    assert f"The file name may identify a patient ({kind})" in html.unescape(page)
    assert 'name="confirm_pid"' in page and 'href="#file"' in page
    assert _attached(session) == []
    assert _confirmations(session) == []


def test_confirming_keeps_the_file_and_audits_the_kind_not_the_name(client, login, session,
                                                                    team, make_item):
    item = make_item("cbd", status="draft")
    login(client, team.candidate)
    kept = _upload(client, item.id, "letter 943 476 5919.png", confirm_pid="y")
    assert kept.status_code == 302
    assert _attached(session) == ["letter 943 476 5919.png"]
    [event] = _confirmations(session)
    attachment_id = session.scalar(sa.select(Attachment.id))
    assert event.actor_id == team.candidate.id and event.subject_id == item.id
    assert event.data == {"attachment_id": attachment_id,
                          "findings": [{"field": "filename", "kind": "nhs_number"}]}


def test_a_plain_name_is_attached_without_a_prompt(client, login, session, team, make_item):
    item = make_item("cbd", status="draft")
    login(client, team.candidate)
    assert _upload(client, item.id, "knee exam 2026.png").status_code == 302
    assert _attached(session) == ["knee exam 2026.png"]
    assert _confirmations(session) == []

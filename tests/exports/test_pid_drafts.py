"""The candidate's own PDF withholds a draft's text that may identify a patient (issue 22).

A draft is checked only when it is submitted, and the PDF is the document that leaves the
service, so a draft with findings is printed as a notice; the ZIP's data.json, the candidate's
own data (their right of access), keeps it whole.
"""
from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from pypdf import PdfReader

from roadmap.framework import definitions
from roadmap.framework.models import EvidenceType
from tests.exports.test_jobs import _download, _start

NHS = "943 476 5919"



@pytest.fixture
def app_config(app_config, tmp_path):
    app_config.update(EXPORT_DIR=str(tmp_path / "exports"), EXPORT_WORKERS=1,
                      ATTACHMENT_DIR=str(tmp_path / "attachments"))
    return app_config


def _draft(session, make_item, text):
    item = make_item("reflection", status="draft", headings=("2",))
    kind = session.get(EvidenceType, item.evidence_type_id)
    code = next(f["code"] for f in definitions.fields(kind.definition, item.template_code,
                                                       [definitions.CANDIDATE])
                if definitions.is_free_text(f))
    item.fields = {**item.fields, code: text}
    session.commit()
    return item


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_a_draft_with_an_nhs_number_is_not_printed_but_the_zip_keeps_it(
        client, login, session, team, make_item):
    _draft(session, make_item, f"Saw a man, NHS number {NHS}, about his knee.")
    _draft(session, make_item, "Plainwordsaboutkneeexamination practice.")
    login(client, team.candidate)
    pdf = _download(client, _start(client, team.enrolment.id)).data
    reader = PdfReader(io.BytesIO(pdf))
    text = _squash(" ".join(p.extract_text() for p in reader.pages))
    embedded = b"".join(b"".join(parts) for parts in reader.attachments.values())
    assert NHS.encode() not in embedded  # nor in a data.json the PDF carries
    assert _squash(NHS) not in text and "9434765919" not in text
    assert _squash("This draft may identify a patient: check it in Roadmap before it is shared") in text
    assert "Plainwordsaboutkneeexamination" in text  # a clean draft is printed as it was
    archive = zipfile.ZipFile(io.BytesIO(_download(client, _start(client, team.enrolment.id,
                                                                  "zip")).data))
    assert NHS in json.dumps(json.loads(archive.read("data.json")))

"""The private key never leaves its file: not in the logs, the database, the candidate's ZIP,
or any page, whichever way it is written (PEM, the JWK's d, hex or base64 of its bytes)."""
from __future__ import annotations

import base64
import logging
import zipfile
from pathlib import Path

import sqlalchemy as sa

from roadmap.credentials import keys
from roadmap.exports import archive, portfolio
from roadmap.models import Base
from tests.fixtures.msk import TODAY


def _secrets(key_file: Path) -> list[str]:
    """Every spelling of the private key a leak could take."""
    key = keys.load(key_file)
    d = key.as_dict(private=True)["d"]
    raw = base64.urlsafe_b64decode(d + "=" * (-len(d) % 4))
    pem = key_file.read_text()
    body = "".join(line for line in pem.splitlines() if "-----" not in line)
    return [d, raw.hex(), base64.b64encode(raw).decode(), body, "PRIVATE KEY"]


def _leaks(text: str, secrets: list[str]) -> list[str]:
    return [s[:12] for s in secrets if s in text]


def test_no_private_key_material_anywhere(waiting, app, client, login, session, runner,
                                          key_file, caplog, capsys, tmp_path, monkeypatch):
    secrets = _secrets(key_file)
    caplog.set_level(logging.DEBUG)
    from roadmap.providers import decisions

    decisions.decide(session, waiting.round.id, waiting.first, "approved", None, {}, 0, TODAY)
    session.commit()
    from roadmap.credentials.models import IssuedCredential

    row = session.scalar(sa.select(IssuedCredential))
    assert row is not None
    # Every page: public ones, the holder's, the stage page, a check on /verify/credential.
    pages = {}
    for path in ("/.well-known/jwks.json", "/credentials/issuer", "/credentials/status/1",
                 f"/credentials/{row.public_id}", f"/credentials/keys/{row.key_thumbprint}",
                 "/credentials/achievements/1/stage2", "/verify/credential", "/verify"):
        response = client.get(path)
        assert response.status_code == 200, path
        pages[path] = response.get_data(as_text=True)
    login(client, waiting.team.candidate)
    base = f"/credentials/signoff/{row.signoff_id}"
    for path in (base, f"{base}/credential.jwt", f"{base}/credential.json", f"{base}/badge.svg",
                 f"/stages/{waiting.team.enrolment.id}/stage2"):
        response = client.get(path)
        assert response.status_code == 200, path
        pages[path] = response.get_data(as_text=True)
    checked = client.post("/verify/credential", data={"credential": row.jws})
    pages["/verify/credential (POST)"] = checked.get_data(as_text=True)
    assert "This credential is valid" in pages["/verify/credential (POST)"]
    assert runner.invoke(args=["credential", "revoke", row.public_id, "--reason", "test"]
                         ).exit_code == 0
    for path, text in pages.items():
        assert _leaks(text, secrets) == [], path
    # The candidate's ZIP (the PDF stood in for: it is not what this test is about).
    monkeypatch.setattr(portfolio, "export_pdf", lambda *args, **kwargs: b"%PDF-1.7 stand-in")
    target = tmp_path / "portfolio.zip"
    with app.app_context():
        archive.export_zip(session, waiting.team.enrolment, TODAY, target)
    with zipfile.ZipFile(target) as zipped:
        names = zipped.namelist()
        assert "credentials/stage2.jwt" in names and "credentials/stage2-badge.svg" in names
        assert zipped.read("credentials/stage2.jwt").decode() == row.jws
        for name in names:
            assert _leaks(zipped.read(name).decode("latin-1"), secrets) == [], name
    # Every row of every table.
    with app.extensions["roadmap.db"].engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for found in connection.execute(sa.select(table)):
                assert _leaks(repr(tuple(found)), secrets) == [], table.name
    # The logs, as records and as written to stderr and stdout.
    written = capsys.readouterr()
    for text in (caplog.text, written.err, written.out):
        assert _leaks(text, secrets) == []
    assert "credential" in caplog.text  # the logs did see the credential's pages

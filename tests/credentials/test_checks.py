"""Checking a credential, online (/verify/credential) and offline (`roadmap credential verify`
with saved keys and status list, no database): valid, altered by one byte, signed with another
key, revoked, and still valid after the signing key is rotated."""
from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from joserfc.jwk import OKPKey

from roadmap.__main__ import main
from roadmap.credentials import keys, proof


def _online(client: Any, text: str) -> str:
    """The /verify/credential page's answer to a pasted credential."""
    response = client.post("/verify/credential", data={"credential": text})
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


class Offline:
    """The published keys and status list saved to files, and the offline command to run."""

    def __init__(self, client: Any, folder: Path) -> None:
        self.client, self.folder = client, folder

    def save(self) -> None:
        """Save what the service publishes now, as a checker keeping copies would."""
        (self.folder / "jwks.json").write_bytes(self.client.get("/.well-known/jwks.json").data)
        (self.folder / "status.jwt").write_bytes(self.client.get("/credentials/status/1").data)

    def check(self, text: str, name: str = "credential.jwt") -> Any:
        """`roadmap credential verify` on the text, offline, in an environment with no settings."""
        path = self.folder / name
        path.write_text(text)
        result = CliRunner().invoke(main, [
            "credential", "verify", str(path), "--keys", str(self.folder / "jwks.json"),
            "--status", str(self.folder / "status.jwt"), "--offline"], env={
            "ROADMAP_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",  # never opened
            "ROADMAP_ENV": "production"}, catch_exceptions=False)
        return result


@pytest.fixture
def offline(client: Any, tmp_path: Path) -> Offline:
    folder = tmp_path / "checker"
    folder.mkdir()
    return Offline(client, folder)


def _one_byte_changed(token: str) -> str:
    """The JWS with one byte of its payload changed (the holder's name), signature kept."""
    head, body, signature = token.split(".")
    payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    assert payload.count(b"Jo Candidate") >= 1
    changed = payload.replace(b"Jo Candidate", b"Jo Candidatf", 1)
    assert len(changed) == len(payload) and sum(a != b for a, b in zip(changed, payload)) == 1
    return ".".join([head, base64.urlsafe_b64encode(changed).decode().rstrip("="), signature])


def test_a_valid_credential_is_valid_online_and_offline(approved, client, offline):
    token = approved.credential.jws
    page = _online(client, token)
    assert "This credential is valid" in page and "Jo Candidate" in page
    assert "not mark it revoked" in page
    offline.save()
    result = offline.check(token)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("This credential is valid")


def test_one_byte_changed_in_the_payload_is_caught(approved, client, offline):
    altered = _one_byte_changed(approved.credential.jws)
    page = _online(client, altered)
    assert "This credential has been altered" in page and "Jo Candidatf" not in page
    offline.save()
    result = offline.check(altered)
    assert result.exit_code == 4 and "has been altered" in result.output


def test_another_key_is_caught(approved, client, offline):
    header, payload = proof.read(approved.credential.jws)
    other = OKPKey.generate_key("Ed25519")
    # Signed with a key the issuer never published: nobody can vouch for it.
    stranger = proof.sign(payload, other, "https://elsewhere.example/keys/1")
    # Signed with another key, but naming the issuer's key: the signature fails.
    forged = proof.sign(payload, other, header["kid"])
    offline.save()
    assert "We do not know who issued this credential" in _online(client, stranger)
    assert offline.check(stranger).exit_code == 5
    assert "This credential has been altered" in _online(client, forged)
    assert offline.check(forged).exit_code == 4


def test_a_revoked_credential_is_revoked_for_every_checker(approved, client, offline, runner):
    token = approved.credential.jws
    offline.save()
    assert offline.check(token).exit_code == 0  # the list saved before the revocation
    result = runner.invoke(args=["credential", "revoke", approved.credential.public_id,
                                 "--reason", "The provider withdrew its approval"])
    assert result.exit_code == 0, result.output
    page = _online(client, token)
    assert "This credential has been revoked" in page
    shared = client.get(f"/credentials/{approved.credential.public_id}").get_data(as_text=True)
    assert "This credential has been revoked" in shared
    assert "withdrew its approval" not in shared  # the reason stays with the holder
    offline.save()
    result = offline.check(token)
    assert result.exit_code == 3 and "has been revoked" in result.output
    again = runner.invoke(args=["credential", "revoke", approved.credential.public_id,
                                "--reason", "twice"])
    assert again.exit_code != 0 and "already revoked" in again.output


def test_a_rotated_key_still_verifies_the_old_credential(approved, app, client, offline,
                                                         key_file):
    old_kid = proof.read(approved.credential.jws)[0]["kid"]
    shutil.move(key_file, key_file.with_name("retired.pem"))
    key_file.with_name(key_file.name + ".pub.jwk").unlink()
    result = CliRunner().invoke(main, ["credential", "keygen", "--key-file", str(key_file)])
    assert result.exit_code == 0, result.output
    new = keys.load(key_file)
    published = client.get("/.well-known/jwks.json").get_json()["keys"]
    assert {k["kid"].rsplit("/", 1)[1] for k in published} == {
        old_kid.rsplit("/", 1)[1], new.thumbprint()}
    assert "This credential is valid" in _online(client, approved.credential.jws)
    offline.save()
    status_kid = proof.read((offline.folder / "status.jwt").read_text())[0]["kid"]
    assert status_kid.endswith(new.thumbprint())  # the list is signed with the new key now
    result = offline.check(approved.credential.jws)
    assert result.exit_code == 0, result.output


def test_the_json_copy_and_the_badge_image(approved, client, login, offline):
    login(client, approved.team.candidate)
    base = f"/credentials/signoff/{approved.credential.signoff_id}"
    copy = client.get(f"{base}/credential.json").get_data(as_text=True)
    badge = client.get(f"{base}/badge.svg").get_data(as_text=True)
    assert "This credential is valid" in _online(client, copy)
    assert "This credential is valid" in _online(client, badge)
    changed = json.loads(copy)
    changed["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
    assert "This credential has been altered" in _online(client, json.dumps(changed))
    offline.save()
    assert offline.check(badge, "badge.svg").exit_code == 0
    assert offline.check(copy, "credential.json").exit_code == 6  # no signature of its own


@pytest.mark.parametrize("text, says", [
    ("", "Paste the credential"),
    ("hello", "This is not a credential"),
    ("{not json", "the JSON cannot be read"),
    ('{"type": ["Thing"]}', "not an Open Badges credential"),
    ("<svg></svg>", "no Open Badges credential baked into it"),
])
def test_what_is_not_a_credential_is_said_beside_the_field(client, text, says):
    response = client.post("/verify/credential", data={"credential": text})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert says in page and 'id="credential-error"' in page


def test_a_stale_saved_status_list_leaves_revocation_unchecked(approved, app, offline, key_file):
    import datetime as dt

    from roadmap.credentials import service, status

    offline.save()
    issuer = service.issuer_of(app.config)
    key = keys.load(key_file)
    old = status.list_credential(issuer, 1, [], dt.datetime.now(dt.timezone.utc)
                                 - dt.timedelta(days=2))
    (offline.folder / "status.jwt").write_text(
        proof.sign(old, key, service.key_id(issuer, key.thumbprint())))
    result = offline.check(approved.credential.jws)
    assert result.exit_code == 7 and "could not be checked" in result.output
    assert "expired" in result.output


def test_a_payload_changed_until_it_no_longer_reads_is_altered_not_a_stranger(approved, client,
                                                                              offline):
    """Characters changed in the middle of the payload can break its JSON: the checker is told
    it was altered, never that they pasted something that is not a credential."""
    head, body, signature = approved.credential.jws.split(".")
    at = len(body) // 8 * 4  # a whole base64 group: "____" decodes to three bytes 0xFF
    broken = ".".join([head, body[:at] + "____" + body[at + 4:], signature])
    with pytest.raises(proof.Unreadable):  # the case at hand: the payload no longer reads
        proof.read(broken)
    page = _online(client, broken)
    assert "This credential has been altered" in page and "not a credential" not in page
    offline.save()
    result = offline.check(broken)
    assert result.exit_code == 4 and "has been altered" in result.output
    # Text that only looks like three parts, without our header, is still not a credential.
    refused = client.post("/verify/credential", data={"credential": "abc.def.ghi"})
    assert refused.status_code == 400 and "This is not a credential" in refused.get_data(True)

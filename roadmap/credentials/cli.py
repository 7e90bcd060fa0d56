"""`roadmap credential`: make the signing key, check a credential offline, revoke one.

`keygen` and `verify` need no settings and no database: keygen writes files, verify reads the
credential and the issuer's published keys (a saved JWKS file, or its address) and its status
list (a saved file, its address, or none with --offline).
"""
from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlsplit

import click
from flask.cli import with_appcontext

from roadmap.credentials import checks, document, keys, proof, status, words

EXIT = {checks.Outcome.VALID: 0, checks.Outcome.REVOKED: 3, checks.Outcome.ALTERED: 4,
        checks.Outcome.UNKNOWN_ISSUER: 5, checks.Outcome.UNSIGNED: 6}
UNCHECKED = 7  # valid as far as it goes, but its revocation could not be checked
LARGEST = 4 * 1024 * 1024


@click.group("credential")
def credential_cli() -> None:
    """Open Badges 3.0 credentials: the signing key, offline checks, revocation."""


@credential_cli.command("keygen")
@click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path),
              envvar="ROADMAP_CREDENTIAL_KEY_FILE", required=True,
              help="Where to write the private key (default: ROADMAP_CREDENTIAL_KEY_FILE).")
def keygen(key_file: Path) -> None:
    """Write a new Ed25519 signing key (mode 600) and its public JWK beside it.

    Never overwrites a key. To rotate, move the old key file away and run this again: the
    old key's public half stays published (it is kept once it has signed a credential), so
    the credentials it signed still verify.
    """
    try:
        key = keys.generate(key_file)
    except (FileExistsError, FileNotFoundError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"wrote the private key to {key_file} (readable by its owner only) and the "
               f"public key to {keys.public_path(key_file)}")
    click.echo(f"key thumbprint: {key.thumbprint()}")
    click.echo(f"set ROADMAP_CREDENTIAL_KEY_FILE={key_file} where Roadmap runs")


def _fetch(source: str) -> str:
    """A file's text, or an http(s) address's body."""
    if urlsplit(source).scheme in {"http", "https"}:
        request = urllib.request.Request(source, headers={
            "Accept": "application/jwk-set+json, application/vc+jwt, application/json, */*"})
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 (http only)
            return response.read(LARGEST).decode("utf-8")
    return Path(source).read_text(encoding="utf-8")


def _keys(source: str) -> dict[str, dict[str, Any]]:
    """A JWK Set's keys by kid."""
    found = json.loads(_fetch(source))
    return {str(k["kid"]): k for k in found.get("keys", []) if isinstance(k, dict) and "kid" in k}


def _default_keys(text: str) -> str:
    """The JWKS at the issuer's well-known address (Open Badges' recommended practice)."""
    try:
        token, _copy = checks.extract(text)
        payload = proof.read(token)[1] if token else {}
    except (checks.NotACredential, checks.Damaged, proof.Unreadable):
        payload = {}
    parts = urlsplit(str(payload.get("iss") or ""))
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise click.ClickException("say where the issuer's keys are: --keys FILE or URL")
    return f"{parts.scheme}://{parts.netloc}{document.JWKS_PATH}"


@credential_cli.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--keys", "keys_from", help="The issuer's JWK Set: a saved file or its address "
              "(default: /.well-known/jwks.json on the issuer's host).")
@click.option("--status", "status_from", help="The credential's status list: a saved file or "
              "its address (default: the address the credential names).")
@click.option("--offline", is_flag=True, help="Fetch nothing: keys and status list from files.")
def verify(file: Path, keys_from: Optional[str], status_from: Optional[str],
           offline: bool) -> None:
    """Check a credential (.jwt, badge SVG or JSON) against its issuer's published keys.

    Exit status: 0 valid, 3 revoked, 4 altered, 5 unknown issuer, 6 a JSON copy that cannot be
    checked on its own, 7 valid but its revocation could not be checked, 1 unreadable.
    """
    text = file.read_text(encoding="utf-8", errors="replace")
    source = keys_from or _default_keys(text)
    if offline and urlsplit(source).scheme in {"http", "https"}:
        raise click.ClickException("--offline: give the keys as a saved file")
    try:
        published = _keys(source)
    except (OSError, ValueError) as error:
        raise click.ClickException(f"cannot read the keys from {source}: {error}") from None

    def bits(address: str) -> bytes:
        where = status_from or address
        if offline and urlsplit(where).scheme in {"http", "https"}:
            raise status.BadList("--offline, and no saved status list was given (--status)")
        try:
            return checks.list_bits(_fetch(where).strip(), address, published)
        except (OSError, UnicodeError) as error:
            raise status.BadList(f"cannot read {where}: {error}") from None

    try:
        finding = checks.check(text, checks.Trust(keys=published, status=bits))
    except checks.NotACredential as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(finding.headline)
    for reason in finding.reasons:
        click.echo(f"  {reason}")
    if finding.credential:
        said = words.describe(finding.credential)
        click.echo(f"  {said.holder}: {said.achievement}, completed {said.completed}; "
                   f"issued by {said.issuer}")
    code = EXIT[finding.outcome]
    if finding.outcome is checks.Outcome.VALID and not finding.status_checked:
        code = UNCHECKED
    sys.exit(code)


@credential_cli.command("revoke")
@click.argument("credential_id")
@click.option("--reason", required=True, help="Why: an approval withdrawn, a forged sign-off.")
@click.option("--no-patient-identified", "pid_confirmed", is_flag=True,
              help="Confirm that a reason the patient-identifier check flagged identifies nobody.")
@with_appcontext
def revoke(credential_id: str, reason: str, pid_confirmed: bool) -> None:
    """Revoke a credential by its id (the last part of its shareable address)."""
    from roadmap.credentials import service
    from roadmap.db import run_committed

    public_id = credential_id.rstrip("/").rsplit("/", 1)[-1]
    try:
        row = run_committed(lambda session: service.revoke(session, public_id, reason, None,
                                                            pid_confirmed=pid_confirmed))
    except service.RevocationRefused as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"revoked {row.public_id}: every check of it now says so")

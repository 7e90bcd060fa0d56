"""Credential pages: what anyone may fetch to check one, the holder's downloads, /verify/credential."""
from __future__ import annotations

import json
from typing import Any

from flask import Flask, abort, current_app, make_response, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from roadmap.accounts.models import Role
from roadmap.clock import today
from roadmap.credentials import checks, document, pages, proof, service, words
from roadmap.credentials.blueprint import HOLDER, UPLOAD_LARGEST, bp
from roadmap.db import get_session
from roadmap.web.access import public, roles_required
from roadmap.web.reach import load_signoff

DOWNLOADS = {"credential.jwt": "application/vc+jwt", "credential.json": "application/json",
             "badge.svg": "image/svg+xml"}


def init_app(app: Flask) -> None:
    """Register the credential pages."""
    app.register_blueprint(bp)


def _json(value: Any, media_type: str = "application/json") -> Response:
    """Public JSON any checker may fetch, from any site."""
    response = make_response(json.dumps(value, indent=2, ensure_ascii=False))
    response.headers["Content-Type"] = media_type
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get(document.JWKS_PATH)
@public
def jwks() -> Response:
    """Every public key that signed a credential here, and the current one (a JWK Set)."""
    keys = service.published(get_session(), current_app.config)
    return _json({"keys": list(keys.values())}, "application/jwk-set+json")


@bp.get("/credentials/keys/<thumbprint>")
@public
def key(thumbprint: str) -> Response:
    """One public key, at the address its `kid` names."""
    found = service.published(get_session(), current_app.config).get(
        service.key_id(service.issuer_of(current_app.config), thumbprint))
    if found is None:
        abort(404)
    return _json(found, "application/jwk+json")


@bp.get(document.ISSUER_PATH)
@public
def issuer() -> Response:
    """The issuer's profile, with its public keys."""
    return _json(pages.profile(get_session(), current_app.config))


@bp.get("/credentials/status/<int:number>")
@public
def status_list(number: int) -> Response:
    """A revocation status list, signed (a BitstringStatusListCredential as a JWT)."""
    token = service.status_token(get_session(), current_app.config, number)
    if token is None:
        abort(404)
    response = make_response(token)
    response.headers["Content-Type"] = "application/vc+jwt"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/credentials/achievements/<int:version_id>/<stage_code>")
@public
def achievement(version_id: int, stage_code: str) -> str:
    """What a stage's credential certifies: its criteria and the headings it aligns to."""
    found = pages.achievement(get_session(), version_id, stage_code)
    if found is None:
        abort(404)
    return render_template("credentials/achievement.html", page=found)


@bp.get("/credentials/<string(length=36):public_id>")
@public
def shared(public_id: str) -> str:
    """The page a holder's shared link opens: what the credential says, and whether it stands."""
    row = service.by_public_id(get_session(), public_id)
    if row is None:
        abort(404)
    return render_template("credentials/shared.html", row=row, said=words.of_token(row.jws))


@bp.get("/credentials/signoff/<int:signoff_id>")
@roles_required(Role.CANDIDATE)
def own(signoff_id: int) -> str:
    """The holder's credential: what it says, its downloads, the link to share."""
    session = get_session()
    record, _level = load_signoff(session, current_user, signoff_id, HOLDER, today())
    row = service.for_signoff(session, record.id)
    if row is None:
        abort(404)
    return render_template("credentials/own.html", row=row, said=words.of_token(row.jws),
                           link=service.issuer_of(current_app.config).at(
                               document.CREDENTIAL_PATH, public_id=row.public_id))


@bp.get("/credentials/signoff/<int:signoff_id>/<any('credential.jwt', 'credential.json', "
        "'badge.svg'):filename>")
@roles_required(Role.CANDIDATE)
def download(signoff_id: int, filename: str) -> Response:
    """The signed credential (.jwt), its JSON, or the badge image with the credential baked in."""
    session = get_session()
    record, _level = load_signoff(session, current_user, signoff_id, HOLDER, today())
    row = service.for_signoff(session, record.id)
    if row is None:
        abort(404)
    if filename == "credential.jwt":
        body = row.jws
    elif filename == "credential.json":
        payload = proof.read(row.jws)[1]
        body = json.dumps({k: v for k, v in payload.items() if k not in checks.JWT_CLAIMS},
                          indent=2, ensure_ascii=False)
    else:
        body = service.badge_svg(row)
    response = make_response(body)
    response.headers["Content-Type"] = DOWNLOADS[filename]
    response.headers["Content-Disposition"] = (
        f'attachment; filename="roadmap-{row.stage_code}-{filename}"')
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/verify/credential", methods=["GET", "POST"])
@public
def verify_credential() -> tuple[str, int] | str:
    """Check a pasted or uploaded credential: valid, revoked, altered or unknown issuer."""
    if request.method == "GET":
        return render_template("credentials/verify.html", finding=None, error=None, pasted="")
    pasted = request.form.get("credential", "")
    upload = request.files.get("file")
    text = pasted
    if upload is not None and upload.filename:
        data = upload.read(UPLOAD_LARGEST + 1)
        if len(data) > UPLOAD_LARGEST:
            return _refused("The file is larger than a credential can be (512 KB at most)",
                            pasted)
        text = data.decode("utf-8", errors="replace")
    if not text.strip():
        return _refused("Paste the credential, or choose its file", pasted)
    session = get_session()
    try:
        finding = checks.check(text, service.online(session, current_app.config))
    except checks.NotACredential as problem:
        return _refused(str(problem), pasted)
    return render_template("credentials/verify.html", finding=finding, error=None, pasted="",
                           said=words.describe(finding.credential) if finding.credential else None,
                           revoked=pages.revocation(session, current_app.config, finding))


def _refused(message: str, pasted: str) -> tuple[str, int]:
    """The form again, the problem beside the field."""
    return render_template("credentials/verify.html", finding=None, error=message,
                           pasted=pasted[:20000]), 400


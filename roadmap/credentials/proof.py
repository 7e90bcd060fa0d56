"""The JSON Web Token proof of Open Badges 3.0 (VC-JWT), through joserfc: sign, read, check.

The JWT's payload is the credential itself plus the claims the specification asks for: `iss`
(the issuer's id), `sub` (the subject's id), `jti` (the credential's id), `nbf` (validFrom)
and `exp` (validUntil, when there is one). The JOSE header has `alg`, `kid` and `typ` only.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Mapping, Optional

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from roadmap.credentials.keys import ALGORITHM


class Unreadable(ValueError):
    """The text is not a compact JWS whose payload is a JSON object."""


def _seconds(text: str) -> int:
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def claims(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The registered JWT claims the credential's own properties give."""
    issuer = credential.get("issuer")
    found = {"iss": issuer.get("id") if isinstance(issuer, dict) else issuer,
             "sub": (credential.get("credentialSubject") or {}).get("id"),
             "jti": credential.get("id"), "nbf": _seconds(str(credential["validFrom"]))}
    if credential.get("validUntil"):
        found["exp"] = _seconds(str(credential["validUntil"]))
    return found


def sign(credential: Mapping[str, Any], key: OKPKey, kid: str) -> str:
    """The credential signed as a compact JWS (the whole JWT is the credential, VC 2.0)."""
    payload = {**credential, **claims(credential)}
    header = {"alg": ALGORITHM, "kid": kid, "typ": "JWT"}
    return jws.serialize_compact(header, json.dumps(payload, separators=(",", ":"),
                                                    ensure_ascii=False),
                                 key, algorithms=[ALGORITHM])


def read(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and payload of a compact JWS, not yet checked; Unreadable when it is none."""
    try:
        found = jws.extract_compact(token.strip().encode("ascii"))
        payload = json.loads(found.payload or b"")
    except (JoseError, ValueError, UnicodeError, TypeError):
        raise Unreadable("not a signed credential") from None
    if not isinstance(payload, dict):
        raise Unreadable("not a signed credential")
    return found.headers(), payload


def signed_by(token: str, public_jwk: Mapping[str, Any]) -> bool:
    """True when the JWS's signature holds for the public key (an Ed25519 JWK)."""
    try:
        key = OKPKey.import_key(dict(public_jwk))
        jws.deserialize_compact(token.strip().encode("ascii"), key, algorithms=[ALGORITHM])
    except (JoseError, ValueError, UnicodeError, TypeError):
        return False
    return True


def claims_problem(payload: Mapping[str, Any]) -> Optional[str]:
    """Why the JWT's claims disagree with the credential it carries, or None when they agree."""
    try:
        expected = claims(payload)
    except (KeyError, TypeError, ValueError, AttributeError):
        return "it has no valid-from date"
    for name, value in expected.items():
        if payload.get(name) != value:
            return f"its {name} claim does not match the credential"
    return None

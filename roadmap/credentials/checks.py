"""Checking a credential: valid, revoked, altered or unknown issuer, in words.

The same steps online (the /verify page: keys, status and issued copies from this service)
and offline (`roadmap credential verify`: keys from a saved JWKS, the status list from a
saved file or its address). What to trust comes in a `Trust`; nothing here reads the database.

A credential arrives as a compact JWS (the .jwt file), a badge image with the JWS baked in,
or the credential's JSON. The JSON carries no signature of its own: online it is compared
with the credential this service signed under the same id; offline it cannot be checked.
"""
from __future__ import annotations

import datetime as dt
import base64
import enum
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

from roadmap import clock
from roadmap.credentials import baking, proof, status

OB_TYPES = {"OpenBadgeCredential", "AchievementCredential"}
JWT_CLAIMS = ("iss", "sub", "jti", "nbf", "exp")


class Outcome(enum.Enum):
    """What a check found."""

    VALID = "valid"
    REVOKED = "revoked"
    ALTERED = "altered"
    UNKNOWN_ISSUER = "unknown issuer"
    UNSIGNED = "unsigned"  # a JSON copy, offline: nothing to check it against


HEADLINES = {
    Outcome.VALID: "This credential is valid",
    Outcome.REVOKED: "This credential has been revoked",
    Outcome.ALTERED: "This credential has been altered",
    Outcome.UNKNOWN_ISSUER: "We do not know who issued this credential",
    Outcome.UNSIGNED: "This copy of the credential cannot be checked on its own",
}


class NotACredential(ValueError):
    """The input holds no credential we can read: said beside the field, never a 500."""


@dataclass
class Trust:
    """What a check relies on: the issuer's published keys, its status lists, its records."""

    keys: Mapping[str, Mapping[str, Any]]  # kid: public JWK (its "iss" names the issuer)
    status: Callable[[str], bytes]  # status list address: its bitstring; raises status.BadList
    issued: Optional[Callable[[str], Optional[str]]] = None  # credential id: the JWS signed


@dataclass
class Finding:
    """The outcome, the reasons in words, and the credential when its signature held."""

    outcome: Outcome
    reasons: list[str] = field(default_factory=list)
    credential: Optional[dict[str, Any]] = None
    status_checked: bool = False

    @property
    def headline(self) -> str:
        """The outcome as the page's heading says it."""
        return HEADLINES[self.outcome]


def extract(text: str) -> tuple[str, Optional[dict[str, Any]]]:
    """(JWS, None) or ("", the credential's JSON) from what was pasted or uploaded."""
    text = (text or "").strip().lstrip("\ufeff")
    if text.startswith("<"):
        inside = baking.extract(text)
        if inside is None:
            raise NotACredential("This image has no Open Badges credential baked into it")
        text = inside
    if text.startswith("{"):
        try:
            found = json.loads(text)
        except ValueError:
            raise NotACredential("This is not a credential: the JSON cannot be read") from None
        if not isinstance(found, dict):
            raise NotACredential("This is not a credential: the JSON is not an object")
        return "", found
    try:
        proof.read(text)
    except proof.Unreadable:
        if _damaged_jws(text):
            raise Damaged() from None
        raise NotACredential("This is not a credential: paste the .jwt file's text or the "
                             "credential's JSON, or upload the badge image") from None
    return text, None


class Damaged(Exception):
    """A signed credential's shape (a JWS header naming our algorithm, then two more parts)
    whose payload no longer reads: changed since it was signed, not something else pasted."""


_PART = re.compile(r"[A-Za-z0-9_-]+")


def _damaged_jws(text: str) -> bool:
    parts = text.strip().split(".")
    if len(parts) != 3 or not all(_PART.fullmatch(part) for part in parts):
        return False
    try:
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    except (ValueError, UnicodeError):
        return False
    return isinstance(header, dict) and header.get("alg") == proof.ALGORITHM


def _is_open_badge(payload: Mapping[str, Any]) -> bool:
    kinds = payload.get("type")
    return isinstance(kinds, list) and bool(OB_TYPES & set(kinds))


def _without_claims(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k not in JWT_CLAIMS}


def check(text: str, trust: Trust) -> Finding:
    """Check a pasted or uploaded credential; NotACredential when there is none to check."""
    try:
        token, copy = extract(text)
    except Damaged:
        return Finding(Outcome.ALTERED, ["Its signed part no longer reads: it has been changed "
                                         "since it was issued."])
    if copy is not None:
        if not _is_open_badge(copy):
            raise NotACredential("This JSON is not an Open Badges credential")
        if trust.issued is None:
            return Finding(Outcome.UNSIGNED, ["A credential's JSON carries no signature: check "
                                              "the .jwt file or the badge image instead."])
        token = trust.issued(str(copy.get("id") or "")) or ""
        if not token:
            return _stranger(copy, trust)
        _header, signed = proof.read(token)
        if _without_claims(signed) != _without_claims(copy):
            return Finding(Outcome.ALTERED, ["This JSON differs from the credential the "
                                             "issuer signed under the same id."])
    return check_token(token, trust)


def _stranger(copy: Mapping[str, Any], trust: Trust) -> Finding:
    """A JSON copy whose id the issuer never signed: altered if it names us, else unknown."""
    issuer = copy.get("issuer")
    named = issuer.get("id") if isinstance(issuer, dict) else issuer
    ours = {str(jwk.get("iss")) for jwk in trust.keys.values()}
    if named in ours:
        return Finding(Outcome.ALTERED, ["It names this service as its issuer, but no credential "
                                         "was issued under its id."])
    return Finding(Outcome.UNKNOWN_ISSUER, ["It names an issuer we do not know."])


def check_token(token: str, trust: Trust) -> Finding:
    """Check a compact JWS: the key, the signature, the claims, then the revocation status."""
    header, payload = proof.read(token)
    if not _is_open_badge(payload):
        raise NotACredential("This is signed, but it is not an Open Badges credential")
    key = trust.keys.get(str(header.get("kid")))
    if key is None:
        return Finding(Outcome.UNKNOWN_ISSUER, [
            "It was not signed with any key this issuer publishes, so nobody here can vouch "
            "for it."])
    if not proof.signed_by(token, key):
        return Finding(Outcome.ALTERED, [
            "Its signature does not match its content: it was changed after it was signed, "
            "or signed with another key than the one it names."])
    if key.get("iss") and payload.get("iss") != key.get("iss"):
        return Finding(Outcome.UNKNOWN_ISSUER, ["It names another issuer than the key's owner."])
    problem = proof.claims_problem(payload)
    if problem:
        return Finding(Outcome.ALTERED, [f"Its signature holds, but {problem}."])
    return _with_status(payload, trust)


def _with_status(payload: dict[str, Any], trust: Trust) -> Finding:
    """VALID or REVOKED by the credential's status list entry; unchecked is said in words."""
    entry = payload.get("credentialStatus") or {}
    if entry.get("type") != "BitstringStatusListEntry" or entry.get("statusPurpose") != "revocation":
        return Finding(Outcome.VALID, ["It names no revocation list."], payload)
    try:
        bits = trust.status(str(entry.get("statusListCredential")))
        revoked = status.is_set(bits, int(entry.get("statusListIndex")))
    except (status.BadList, TypeError, ValueError) as problem:
        return Finding(Outcome.VALID, [f"Its revocation could not be checked: {problem}."],
                       payload)
    if revoked:
        return Finding(Outcome.REVOKED, ["The issuer's revocation list marks it revoked."],
                       payload, status_checked=True)
    return Finding(Outcome.VALID, ["The issuer's revocation list does not mark it revoked."],
                   payload, status_checked=True)


def list_bits(text: str, address: str, keys: Mapping[str, Mapping[str, Any]]) -> bytes:
    """The bitstring of a published status list (its signed JWT), checked: signed with a
    published key, the list the entry names, for revocation. status.BadList otherwise."""
    try:
        header, payload = proof.read(text)
    except proof.Unreadable:
        raise status.BadList("the status list is not a signed credential") from None
    key = keys.get(str(header.get("kid")))
    if key is None or not proof.signed_by(text, key):
        raise status.BadList("the status list is not signed with a published key")
    subject = payload.get("credentialSubject") or {}
    if payload.get("id") != address or subject.get("statusPurpose") != "revocation":
        raise status.BadList("the status list is not the one the credential names")
    until = payload.get("validUntil")
    if until and clock.now() > dt.datetime.fromisoformat(str(until).replace("Z", "+00:00")):
        raise status.BadList(f"the status list expired at {until}: fetch a fresh copy")
    return status.decode(subject.get("encodedList"))

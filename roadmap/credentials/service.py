"""Issuing and revoking credentials, and what this service publishes to let anyone check them.

`issue` runs in the transaction that gives a stage its last approval, so the credential and
the approval stand or fall together; without a configured key no credential is issued. Each
signing key's public half is kept the first time it signs, so after a rotation the old key
stays in the JWKS and its credentials keep verifying.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from typing import Any, Mapping, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import links
from roadmap.audit import service as audit
from roadmap.credentials import baking, checks, document, keys, proof, status, words
from roadmap.credentials.models import STATUS_LIST_SIZE, IssuedCredential, SigningKey
from roadmap.db import utcnow
from roadmap.fields import plain_text
from roadmap.pid import check as pid_check

log = logging.getLogger(__name__)
REASON_LONGEST = 2000


class RevocationRefused(ValueError):
    """A revocation that cannot be made: unknown credential, no reason, already revoked."""


def issuer_of(config: Mapping[str, Any]) -> document.Issuer:
    """The configured issuer; its addresses stand on BASE_URL, never on a request's host."""
    base = str(config.get("BASE_URL") or links.DEFAULT_BASE).rstrip("/")
    return document.Issuer(base=base, name=str(config["CREDENTIAL_ISSUER_NAME"]),
                           url=config.get("CREDENTIAL_ISSUER_URL"),
                           email=config.get("CREDENTIAL_ISSUER_EMAIL"))


def key_id(issuer: document.Issuer, thumbprint: str) -> str:
    """The `kid` naming a key: the address its public JWK is served at."""
    return issuer.at(document.KEY_PATH, thumbprint=thumbprint)


def published(session: Session, config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every key that signed here, and the current one: kid -> public JWK with kid and iss."""
    issuer = issuer_of(config)
    found = {row.thumbprint: dict(row.public_jwk) for row in session.scalars(
        sa.select(SigningKey).order_by(SigningKey.id))}
    current = keys.configured(config)
    if current is not None:
        found.setdefault(current.thumbprint(), keys.public_jwk(current))
    return {key_id(issuer, thumb): {**jwk, "kid": key_id(issuer, thumb), "use": "sig",
                                    "alg": keys.ALGORITHM, "iss": issuer.id}
            for thumb, jwk in found.items()}


def _remember(session: Session, key: Any) -> str:
    """Keep the signing key's public half (once); its thumbprint."""
    thumbprint = key.thumbprint()
    if session.scalar(sa.select(SigningKey.id).where(SigningKey.thumbprint == thumbprint)) is None:
        session.add(SigningKey(thumbprint=thumbprint, public_jwk=keys.public_jwk(key)))
        session.flush()
    return thumbprint


def _entry(session: Session) -> tuple[int, int]:
    """A free (list, index) in the revocation lists, drawn at random within the list in use.

    Random, not in order, so an entry says nothing about when or to whom it was issued; a new
    list starts once half of the current one is used, so a free entry is always found quickly.
    """
    count = session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential)) or 0
    number = 1 + count // (STATUS_LIST_SIZE // 2)
    taken = set(session.scalars(sa.select(IssuedCredential.status_index)
                                .where(IssuedCredential.status_list == number)))
    while True:
        index = secrets.randbelow(STATUS_LIST_SIZE)
        if index not in taken:
            return number, index


def issue(session: Session, award: document.Award, config: Mapping[str, Any],
          actor_id: Optional[int]) -> Optional[IssuedCredential]:
    """Sign the stage's credential and keep it; the one already issued for the sign-off if any;
    None when no signing key is configured."""
    existing = session.scalar(sa.select(IssuedCredential)
                              .where(IssuedCredential.signoff_id == award.signoff_id))
    if existing is not None:
        return existing
    key = keys.configured(config)
    if key is None:
        log.info("no credential issued for sign-off %s: no signing key is configured",
                 award.signoff_id)
        return None
    issuer = issuer_of(config)
    thumbprint = _remember(session, key)
    number, index = _entry(session)
    public_id = str(uuid.uuid4())
    content = document.credential(award, issuer, public_id, f"urn:uuid:{uuid.uuid4()}",
                                  number, index)
    token = proof.sign(content, key, key_id(issuer, thumbprint))
    row = IssuedCredential(public_id=public_id, signoff_id=award.signoff_id,
                           enrolment_id=award.enrolment_id, candidate_id=award.candidate_id,
                           stage_code=award.stage_code, status_list=number, status_index=index,
                           key_thumbprint=thumbprint, jws=token)
    session.add(row)
    session.flush()
    audit.record(session, "credential.issued", actor_id=actor_id,
                 subject_type="issued_credential", subject_id=row.id,
                 enrolment_id=award.enrolment_id,
                 data={"credential": public_id, "signoff_id": award.signoff_id,
                       "stage": award.stage_code, "key": thumbprint,
                       "status_list": number, "status_index": index,
                       "sha256": hashlib.sha256(token.encode("ascii")).hexdigest()})
    return row


def revoke(session: Session, public_id: str, reason: str, actor_id: Optional[int], *,
           pid_confirmed: bool = False) -> IssuedCredential:
    """Mark the credential revoked; the status list says so to every checker from now on.

    The reason is shown to the credential's holder on their credentials page, so it passes the
    patient-identifier check (rule D9) like every other text: refused when it may identify a
    patient until the administrator confirms it does not, and that confirmation is audited.
    """
    row = session.scalar(sa.select(IssuedCredential)
                         .where(IssuedCredential.public_id == public_id.strip()))
    if row is None:
        raise RevocationRefused(f"no credential {public_id!r} was issued here")
    why = plain_text(reason).strip()
    if not why:
        raise RevocationRefused("say why the credential is revoked")
    if len(why) > REASON_LONGEST:
        raise RevocationRefused(f"the reason is longer than {REASON_LONGEST} characters")
    if row.revoked_at is not None:
        raise RevocationRefused(f"the credential was already revoked on {row.revoked_at:%d/%m/%Y}")
    found = pid_check.flagged({"reason": why})
    if found and not pid_confirmed:
        raise RevocationRefused(pid_check.messages(found)["reason"].replace(
            "tick the box", "add --no-patient-identified"))
    row.revoked_at, row.revoked_reason, row.revoked_by_id = utcnow(), why, actor_id
    session.flush()
    audit.record(session, "credential.revoked", actor_id=actor_id,
                 subject_type="issued_credential", subject_id=row.id,
                 enrolment_id=row.enrolment_id,
                 data={"credential": row.public_id,
                       **dict(zip(("reason_sha256", "reason_length"), pid_check.sealed(why))),
                       "status_list": row.status_list, "status_index": row.status_index})
    if found:
        audit.record(session, "credential.pid_confirmed", actor_id=actor_id,
                     subject_type="issued_credential", subject_id=row.id,
                     enrolment_id=row.enrolment_id, data=pid_check.audit_data(found))
    return row


def revoked_in(session: Session, number: int) -> list[int]:
    """The revoked entries of status list NUMBER."""
    return list(session.scalars(sa.select(IssuedCredential.status_index).where(
        IssuedCredential.status_list == number, IssuedCredential.revoked_at.is_not(None))))


def status_token(session: Session, config: Mapping[str, Any], number: int) -> Optional[str]:
    """Status list NUMBER as a signed credential; None without a key, or beyond the lists."""
    key = keys.configured(config)
    issued = session.scalar(sa.select(sa.func.max(IssuedCredential.status_list))) or 1
    if key is None or not 1 <= number <= issued:
        return None
    issuer = issuer_of(config)
    content = status.list_credential(issuer, number, revoked_in(session, number), utcnow())
    return proof.sign(content, key, key_id(issuer, key.thumbprint()))


def by_address(session: Session, config: Mapping[str, Any],
               address: str) -> Optional[IssuedCredential]:
    """The credential issued here under this id (its shareable address), if any."""
    prefix = issuer_of(config).at(document.CREDENTIAL_PATH, public_id="")
    if not address.startswith(prefix):
        return None
    return session.scalar(sa.select(IssuedCredential)
                          .where(IssuedCredential.public_id == address[len(prefix):]))


def online(session: Session, config: Mapping[str, Any]) -> checks.Trust:
    """What the /verify page trusts: this service's keys, status lists and records."""
    issuer = issuer_of(config)
    prefix = issuer.at(document.STATUS_PATH, number="")

    def bits(address: str) -> bytes:
        number = address[len(prefix):] if address.startswith(prefix) else ""
        if not number.isdigit():
            raise status.BadList("it names a status list of another service")
        return status.decode(status.encode(revoked_in(session, int(number))))

    def issued(address: str) -> Optional[str]:
        row = by_address(session, config, address)
        return row.jws if row is not None else None

    return checks.Trust(keys=published(session, config), status=bits, issued=issued)


def for_signoff(session: Session, signoff_id: int) -> Optional[IssuedCredential]:
    """The credential issued for a stage sign-off, if any."""
    return session.scalar(sa.select(IssuedCredential)
                          .where(IssuedCredential.signoff_id == signoff_id))


def by_public_id(session: Session, public_id: str) -> Optional[IssuedCredential]:
    """The credential with this public id, if any."""
    return session.scalar(sa.select(IssuedCredential)
                          .where(IssuedCredential.public_id == public_id))


def badge_svg(row: IssuedCredential) -> str:
    """The credential's badge image, with the signed credential baked in."""
    said = words.of_token(row.jws)
    return baking.badge(said.achievement.split(" (")[0], said.holder, row.jws)


def holder_files(session: Session, enrolment_id: int) -> list[tuple[str, str]]:
    """(name, text) of each credential issued on the enrolment, for the candidate's ZIP."""
    found = []
    for row in session.scalars(sa.select(IssuedCredential)
                               .where(IssuedCredential.enrolment_id == enrolment_id)
                               .order_by(IssuedCredential.id)):
        found += [(f"credentials/{row.stage_code}.jwt", row.jws),
                  (f"credentials/{row.stage_code}-badge.svg", badge_svg(row))]
    return found

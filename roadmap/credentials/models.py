"""Issued Open Badges 3.0 credentials and the public keys that signed them.

Only public material is kept: the signed credential (a compact JWS, public by design) and each
signing key's public half, so a rotated key stays published and its credentials verifiable.
The private key lives in the file CREDENTIAL_KEY_FILE names, never in a table.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from roadmap.db import Base, utcnow

STATUS_LIST_SIZE = 131_072  # entries a Bitstring Status List holds: the specification's minimum


class SigningKey(Base):
    """The public half of a key that signed credentials, kept for as long as they may be checked."""

    __tablename__ = "credential_signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    thumbprint: Mapped[str] = mapped_column(sa.String(64), unique=True)  # RFC 7638, base64url
    public_jwk: Mapped[dict[str, Any]] = mapped_column(sa.JSON)  # kty, crv, x: never "d"
    first_used_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class IssuedCredential(Base):
    """One stage's credential, issued to its candidate when the stage's last approval was given.

    `public_id` names it in its URL (the shareable page): random, so nobody finds another's.
    Its entry in the revocation status list is (`status_list`, `status_index`).
    """

    __tablename__ = "issued_credentials"
    __table_args__ = (sa.UniqueConstraint("status_list", "status_index",
                                          name="uq_issued_credentials_status_entry"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    signoff_id: Mapped[int] = mapped_column(sa.ForeignKey("stage_signoffs.id"), unique=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    stage_code: Mapped[str] = mapped_column(sa.String(20))
    status_list: Mapped[int]
    status_index: Mapped[int]
    key_thumbprint: Mapped[str] = mapped_column(sa.String(64))
    jws: Mapped[str] = mapped_column(sa.Text)  # the signed credential, compact serialisation
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[Optional[dt.datetime]]
    revoked_reason: Mapped[Optional[str]] = mapped_column(sa.Text)
    revoked_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))

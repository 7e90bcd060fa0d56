"""Single-use, expiring links for invitations and password resets; only hashes are stored."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import AccountToken, TokenPurpose, User
from roadmap.db import utcnow


def digest(token: str) -> str:
    """SHA-256 of a token as hex; what the database keeps."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue(session: Session, user: User, purpose: TokenPurpose, lifetime: dt.timedelta,
          created_by_id: Optional[int] = None) -> str:
    """A new link token for the person; earlier unused ones for the same purpose stop working."""
    now = utcnow()
    session.execute(sa.update(AccountToken).where(
        AccountToken.user_id == user.id, AccountToken.purpose == purpose.value,
        AccountToken.used_at.is_(None)).values(used_at=now))
    token = secrets.token_urlsafe(32)
    session.add(AccountToken(token_hash=digest(token), user_id=user.id, purpose=purpose.value,
                             expires_at=now + lifetime, created_by_id=created_by_id))
    session.flush()
    return token


@dataclass
class TokenCheck:
    """A token looked up: the record when usable, otherwise why not, in plain words."""

    record: Optional[AccountToken]
    problem: Optional[str] = None


def check(session: Session, token: str, purpose: TokenPurpose) -> TokenCheck:
    """Look a token up without using it."""
    record = session.scalar(sa.select(AccountToken).where(
        AccountToken.token_hash == digest(token), AccountToken.purpose == purpose.value))
    if record is None:
        return TokenCheck(None, "This link is not valid. Check you copied all of it from the email.")
    if record.used_at is not None:
        return TokenCheck(None, "This link has already been used, or a newer one was sent.")
    if record.expires_at <= utcnow():
        return TokenCheck(None, "This link has expired.")
    return TokenCheck(record)


def holder(session: Session, token: str,
           purpose: TokenPurpose) -> tuple[Optional[User], Optional[str]]:
    """The person a usable link is for, without using it: (them, None), or (None, why not)."""
    found = check(session, token, purpose)
    if found.record is None:
        return None, found.problem
    return session.get(User, found.record.user_id), None


def consume(session: Session, record: AccountToken) -> bool:
    """Mark a token used; False when another request used it first (single use, even in a race)."""
    result = session.execute(sa.update(AccountToken).where(
        AccountToken.id == record.id, AccountToken.used_at.is_(None)).values(used_at=utcnow()))
    return result.rowcount == 1


def redeem(session: Session, token: str,
           purpose: TokenPurpose) -> tuple[Optional[User], Optional[str]]:
    """Use a valid link once: (its person, None), or (None, why it cannot be used)."""
    found = check(session, token, purpose)
    if found.record is None:
        return None, found.problem
    if not consume(session, found.record):
        return None, "This link has already been used."
    user = session.get(User, found.record.user_id)
    assert user is not None  # the foreign key guarantees it
    return user, None

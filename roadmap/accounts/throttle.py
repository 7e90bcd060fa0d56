"""Failed sign-ins counted in the database, so the limit holds across every worker process."""
from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import SignInFailure
from roadmap.db import utcnow

WINDOW = dt.timedelta(minutes=15)
PER_ACCOUNT = 5  # failures per email address in the window
PER_ADDRESS = 20  # failures per client address in the window, whichever emails were tried


def _keys(email: str, ip_address: Optional[str]) -> list[tuple[str, int]]:
    # Keyed on the email as typed (normalised), so unknown and known emails behave the same.
    keys = [(f"account:{email.strip().lower()}"[:300], PER_ACCOUNT)]
    if ip_address:
        keys.append((f"address:{ip_address}", PER_ADDRESS))
    return keys


def is_throttled(session: Session, email: str, ip_address: Optional[str]) -> bool:
    """True when this email or this address has failed too often lately."""
    since = utcnow() - WINDOW
    for key, limit in _keys(email, ip_address):
        failures = session.scalar(sa.select(sa.func.count()).select_from(SignInFailure)
                                  .where(SignInFailure.key == key, SignInFailure.at > since))
        if (failures or 0) >= limit:
            return True
    return False


def record_failure(session: Session, email: str, ip_address: Optional[str]) -> None:
    """Count one failed attempt against the email and the address."""
    session.add_all(SignInFailure(key=key) for key, _limit in _keys(email, ip_address))
    # Old rows only matter for the window; clear them as we go so the table stays small.
    session.execute(sa.delete(SignInFailure).where(SignInFailure.at < utcnow() - 2 * WINDOW))


def clear_account(session: Session, email: str) -> None:
    """Forget an account's failures once its owner signs in or resets the password."""
    session.execute(sa.delete(SignInFailure).where(
        SignInFailure.key == f"account:{email.strip().lower()}"[:300]))

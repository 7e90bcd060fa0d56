"""Failed sign-ins counted in the database (so every worker shares the count), shaped so that
an attacker's failures cannot lock the owner out: OWASP's "device cookie" pattern.

A browser holding a device cookie for the account (roadmap/accounts/devices.py) has an
allowance of its own: its failures count against that cookie alone, and only it is held back.
Any other client counts against the account (from anywhere), against the pair of its address
and the account, and against its address across all accounts. The address-wide ceiling is
high because a hospital's staff share one address behind its NAT.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import SignInFailure
from roadmap.db import utcnow

WINDOW = dt.timedelta(minutes=15)
# A person's own browser: room for their typos, far too few for guessing.
PER_DEVICE = 10
# One account from browsers it never signed in on, wherever they are: a distributed guesser
# gets this many tries per window; the owner's known browsers are not held back by it.
PER_ACCOUNT = 10
# One account from one address (without the account's device cookie).
PER_ADDRESS_AND_ACCOUNT = 5
# One address over every account: a NAT with hundreds of staff stays under it at a busy
# shift change; spraying one password over many accounts does not.
PER_ADDRESS = 300


@dataclass(frozen=True)
class Client:
    """Who is trying: their address, and their device cookie for this account ("id:nonce")."""

    address: Optional[str]
    device: Optional[str] = None


def _account(email: str) -> str:
    return email.strip().lower()


def _network(address: str) -> str:
    """The address as counted: IPv4 as it is, IPv6 by its /64 (one household or host has all)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:45]
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _keys(email: str, client: Client) -> list[tuple[str, int]]:
    # Keyed on the email as typed (normalised), so unknown and known emails behave the same.
    if client.device:
        return [(f"device:{client.device}"[:300], PER_DEVICE)]
    keys = [(f"account:{_account(email)}"[:300], PER_ACCOUNT)]
    if client.address:
        network = _network(client.address)
        keys.append((f"pair:{network}|{_account(email)}"[:300], PER_ADDRESS_AND_ACCOUNT))
        keys.append((f"address:{network}", PER_ADDRESS))
    return keys


def is_throttled(session: Session, email: str, client: Client) -> bool:
    """True when any count this attempt falls under has reached its limit."""
    keys = dict(_keys(email, client))
    counts = session.execute(
        sa.select(SignInFailure.key, sa.func.count()).where(
            SignInFailure.key.in_(list(keys)), SignInFailure.at > utcnow() - WINDOW)
        .group_by(SignInFailure.key)).all()
    return any(found >= keys[key] for key, found in counts)


def record_failure(session: Session, email: str, client: Client) -> None:
    """Count one failed attempt under each of its keys."""
    session.add_all(SignInFailure(key=key) for key, _limit in _keys(email, client))
    # Old rows only matter for the window; clear them as we go so the table stays small.
    session.execute(sa.delete(SignInFailure).where(SignInFailure.at < utcnow() - 2 * WINDOW))


def clear_client(session: Session, email: str, client: Client) -> None:
    """After a good password, forget this client's own failures (not the account's others)."""
    own = [key for key, _limit in _keys(email, client)
           if key.startswith(("device:", "pair:"))]
    session.execute(sa.delete(SignInFailure).where(SignInFailure.key.in_(own)))


def clear_account(session: Session, email: str, user_id: int) -> None:
    """Forget every failure against an account once its owner resets or changes the password."""
    account = _account(email)
    session.execute(sa.delete(SignInFailure).where(sa.or_(
        SignInFailure.key == f"account:{account}"[:300],
        SignInFailure.key.startswith(f"device:{user_id}:"),
        sa.and_(SignInFailure.key.startswith("pair:"),
                SignInFailure.key.endswith(f"|{account}", autoescape=True)))))

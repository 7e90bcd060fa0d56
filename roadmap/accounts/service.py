"""Sign-in, server-side sessions and two-factor checks; no HTTP here."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import Role, User, UserRole, UserSession
from roadmap.accounts import throttle
from roadmap.accounts.passwords import hash_password, needs_rehash, verify_password
from roadmap.audit import service as audit
from roadmap.db import utcnow

TOUCH_EVERY = dt.timedelta(minutes=1)


def normalise_email(email: str) -> str:
    """Emails are compared lower-cased and trimmed."""
    return email.strip().lower()


def find_user(session: Session, email: str) -> Optional[User]:
    """The user with this email, if any."""
    return session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def active_user(session: Session, user_id: int) -> Optional[User]:
    """The account with this id, unless it is gone or disabled."""
    user = session.get(User, user_id)
    return user if user is not None and user.is_active else None


def create_user(session: Session, email: str, full_name: str, roles: list[Role],
                password: Optional[str], profile: str, hub_id: Optional[int] = None,
                actor_id: Optional[int] = None, **details: Optional[str]) -> User:
    """Create an account with roles; the password is optional (an invitation sets it later)."""
    user = User(email=normalise_email(email), full_name=full_name.strip(), **details,
                password_hash=hash_password(password, profile) if password else None,
                password_changed_at=utcnow() if password else None)
    user.roles = [UserRole(role=role.value, hub_id=hub_id if role is Role.HUB_LEAD else None)
                  for role in roles]
    session.add(user)
    session.flush()
    audit.record(session, "account.created", actor_id=actor_id, subject_type="user",
                 subject_id=user.id, data={"roles": sorted(r.value for r in roles)})
    return user


@dataclass
class SignInResult:
    """The outcome of checking an email and password."""

    user: Optional[User]
    needs_second_factor: bool = False
    needs_app_setup: bool = False
    throttled: bool = False


def check_password(session: Session, email: str, password: str, profile: str,
                   ip_address: Optional[str],
                   known_accounts: Optional[dict[int, str]] = None) -> SignInResult:
    """Check credentials; unknown email, wrong password and disabled account look the same.

    `known_accounts` are the accounts this browser's device cookie names (id -> nonce): for
    those the browser's own allowance applies, not the account's or the address's.
    """
    user = find_user(session, email)
    nonce = (known_accounts or {}).get(user.id) if user is not None else None
    client = throttle.Client(ip_address, f"{user.id}:{nonce}" if user and nonce else None)
    if throttle.is_throttled(session, email, client):
        audit.record(session, "signin.throttled", data={"ip": ip_address, "device": bool(nonce)})
        return SignInResult(None, throttled=True)
    ok = verify_password(user.password_hash if user else None, password, profile)
    if not ok or user is None or not user.is_active:
        throttle.record_failure(session, email, client)
        audit.record(session, "signin.failed", actor_id=user.id if user else None,
                     subject_type="user", subject_id=user.id if user else None,
                     data={"ip": ip_address, "device": bool(nonce)})
        return SignInResult(None)
    if needs_rehash(user.password_hash or "", profile):
        user.password_hash = hash_password(password, profile)
    throttle.clear_client(session, email, client)
    confirmed = user.totp_confirmed_at is not None
    return SignInResult(user, needs_second_factor=confirmed or user.needs_two_factor,
                        needs_app_setup=user.needs_two_factor and not confirmed)


def set_password(session: Session, user: User, password: str, profile: str,
                 action: str, actor_id: Optional[int] = None) -> None:
    """Store a new password and end every session the person has (they sign in afresh)."""
    user.password_hash = hash_password(password, profile)
    user.password_changed_at = utcnow()
    ended = end_all_sessions(session, user.id)
    throttle.clear_account(session, user.email, user.id)
    audit.record(session, action, actor_id=actor_id or user.id, subject_type="user",
                 subject_id=user.id, data={"sessions_ended": ended})


def set_active(session: Session, user: User, active: bool, actor_id: Optional[int]) -> None:
    """Disable (ending every session at once) or re-enable an account."""
    if user.is_active == active:
        return
    user.is_active = active
    data = {}
    if not active:
        data["sessions_ended"] = end_all_sessions(session, user.id)
    audit.record(session, "account.enabled" if active else "account.disabled",
                 actor_id=actor_id, subject_type="user", subject_id=user.id, data=data)


def set_roles(session: Session, user: User, roles: set[Role], hub_id: Optional[int],
              actor_id: Optional[int]) -> None:
    """Replace a person's roles; a hub lead's role names the hub it covers."""
    before = sorted(f"{g.role}@{g.hub_id}" if g.hub_id else g.role for g in user.roles)
    wanted = {(r.value, hub_id if r is Role.HUB_LEAD else None) for r in roles}
    # Grants that stay are kept as they are: a new row for one would be inserted before the
    # old one is deleted, and break the one-grant-per-role rule (saving the same roles again).
    kept = [g for g in user.roles if (g.role, g.hub_id) in wanted]
    held = {(g.role, g.hub_id) for g in kept}
    user.roles = kept + [UserRole(role=role, hub_id=hub) for role, hub in sorted(wanted - held,
                                                                                  key=lambda w: w[0])]
    session.flush()
    after = sorted(f"{g.role}@{g.hub_id}" if g.hub_id else g.role for g in user.roles)
    if before != after:
        audit.record(session, "account.roles_changed", actor_id=actor_id, subject_type="user",
                     subject_id=user.id, data={"before": before, "after": after})


def grant_role(session: Session, user: User, role: Role, actor_id: Optional[int]) -> None:
    """Add a role that names no hub beside the person's others; nothing when they hold it."""
    if role is Role.HUB_LEAD or user.has_role(role):
        return
    before = sorted(f"{g.role}@{g.hub_id}" if g.hub_id else g.role for g in user.roles)
    user.roles.append(UserRole(role=role.value))
    session.flush()
    audit.record(session, "account.roles_changed", actor_id=actor_id, subject_type="user",
                 subject_id=user.id, data={"before": before, "after": sorted(before + [role.value])})


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: User, ip_address: Optional[str],
                  user_agent: Optional[str]) -> str:
    """Record a new signed-in session and return its secret token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=_token_hash(token), user_id=user.id,
                            ip_address=ip_address, user_agent=(user_agent or "")[:300]))
    audit.record(session, "signin", actor_id=user.id, subject_type="user", subject_id=user.id,
                 data={"ip": ip_address})
    return token


def resume_session(session: Session, token: str, idle: dt.timedelta,
                   absolute: dt.timedelta) -> Optional[UserSession]:
    """The live session for a token, touched; None when revoked, idle too long, or too old."""
    record = session.scalar(sa.select(UserSession).where(UserSession.token_hash == _token_hash(token)))
    if record is None or record.revoked_at is not None:
        return None
    now = utcnow()
    if now - record.last_seen_at > idle or now - record.created_at > absolute:
        record.revoked_at = now
        return None
    user = session.get(User, record.user_id)
    if user is None or not user.is_active:
        return None
    return record  # the caller touches it when due, apart from the request's own work


def touch_due(record: UserSession) -> bool:
    """True when the session was last marked as used over a minute ago.

    At most once a minute, so reading pages does not write on every request.
    """
    return utcnow() - record.last_seen_at > TOUCH_EVERY


def touch_session(session: Session, session_id: int) -> None:
    """Mark a session as used now (it counts from here towards the idle limit)."""
    now = utcnow()
    session.execute(sa.update(UserSession).where(
        UserSession.id == session_id, UserSession.last_seen_at < now - TOUCH_EVERY)
        .values(last_seen_at=now))


def end_session(session: Session, token: str) -> None:
    """Revoke one session (sign-out)."""
    record = session.scalar(sa.select(UserSession).where(UserSession.token_hash == _token_hash(token)))
    if record is not None and record.revoked_at is None:
        record.revoked_at = utcnow()
        audit.record(session, "signout", actor_id=record.user_id, subject_type="user",
                     subject_id=record.user_id)


def end_all_sessions(session: Session, user_id: int) -> int:
    """Revoke every live session of a person; returns how many were ended."""
    result = session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount or 0


def mark_reauthenticated(session: Session, token: str) -> None:
    """Record that the person just proved who they are again (before signing something)."""
    record = session.scalar(sa.select(UserSession).where(UserSession.token_hash == _token_hash(token)))
    if record is not None:
        record.reauthenticated_at = utcnow()


def recently_authenticated(session: Session, token: Optional[str], within: dt.timedelta) -> bool:
    """True when the session's password or code was entered within the given time."""
    if not token:
        return False
    record = session.scalar(sa.select(UserSession).where(UserSession.token_hash == _token_hash(token)))
    return record is not None and utcnow() - record.reauthenticated_at <= within

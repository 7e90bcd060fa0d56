"""Authenticator-app codes (TOTP) and one-time recovery codes."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Optional

import pyotp
import segno
import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import RecoveryCode, User
from roadmap.audit import service as audit
from roadmap.db import utcnow

ISSUER = "Roadmap to Practice"
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def new_secret() -> str:
    """A fresh base32 secret for an authenticator app."""
    return pyotp.random_base32()


def setup_uri(user: User, secret: str) -> str:
    """The otpauth:// link an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The link as an inline SVG QR code, with a text alternative for screen readers."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, title="QR code to add Roadmap to your authenticator app", dark="#212b32")


def matching_step(secret: str | None, code: str) -> Optional[int]:
    """The 30-second time step a 6-digit code belongs to (now, or one either side), or None."""
    digits = "".join(ch for ch in code if ch.isdigit())
    if not secret or len(digits) != 6 or len(code.strip()) > 8:
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(time.time())
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def use_app_code(session: Session, user: User, code: str) -> bool:
    """Accept a code from the app once: its time step must be later than the last one used.

    One conditional UPDATE decides, so two sessions racing with the same code cannot both win.
    """
    step = matching_step(user.totp_secret, code)
    if step is None:
        return False
    result = session.execute(
        sa.update(User).where(User.id == user.id, User.totp_secret == user.totp_secret,
                              sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False))
    session.expire(user, ["totp_last_step"])
    return result.rowcount == 1


def _hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").replace(" ", "").lower().encode()).hexdigest()


def confirm_app(session: Session, user: User, secret: str, code: str) -> list[str] | None:
    """Turn on two-factor sign-in once the person proves their app works; new recovery codes."""
    step = matching_step(secret, code)
    if step is None:
        return None
    # The step only has to be new for this secret: a code of the old app says nothing about it.
    # A second request with the same code and secret finds the step used and is refused.
    result = session.execute(
        sa.update(User).where(User.id == user.id, sa.or_(
            User.totp_secret.is_(None), User.totp_secret != secret,
            User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_secret=secret, totp_last_step=step, totp_confirmed_at=utcnow())
        .execution_options(synchronize_session=False))
    session.expire(user, ["totp_secret", "totp_last_step", "totp_confirmed_at"])
    if result.rowcount != 1:
        return None
    audit.record(session, "two_factor.enabled", actor_id=user.id, subject_type="user",
                 subject_id=user.id)
    return new_recovery_codes(session, user)


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace the person's recovery codes; the plain codes are shown once and never stored."""
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))
             for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    session.flush()
    return codes


def use_recovery_code(session: Session, user: User, code: str) -> bool:
    """Accept an unused recovery code once."""
    result = session.execute(sa.update(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code),
        RecoveryCode.used_at.is_(None)).values(used_at=utcnow()))
    if result.rowcount != 1:
        return False
    audit.record(session, "two_factor.recovery_code_used", actor_id=user.id,
                 subject_type="user", subject_id=user.id)
    return True


def remaining_recovery_codes(session: Session, user: User) -> int:
    """How many recovery codes the person has left."""
    return session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def second_factor_ok(session: Session, user: User, code: str) -> bool:
    """A code from the app not used before, or failing that an unused recovery code."""
    if use_app_code(session, user, code):
        return True
    cleaned = code.strip()
    return len(cleaned.replace("-", "").replace(" ", "")) == 12 and \
        use_recovery_code(session, user, cleaned)

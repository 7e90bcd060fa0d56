"""Wrong security codes counted per account: growing waits, then a lock the owner lifts by email.

Only someone who knows the password reaches a code, so each wrong one counts against the
account, whichever browser sent it. Wrong codes are counted in a row, not in a time window: a
window would let a patient guesser try for ever, a few codes at a time.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import mail
from roadmap.accounts import tokens, twofactor
from roadmap.accounts.models import AccountToken, TokenPurpose, User
from roadmap.accounts.onboarding import LinkFor
from roadmap.accounts.passwords import verify_password
from roadmap.audit import service as audit
from roadmap.db import utcnow

FREE_TRIES = 5  # wrong codes in a row before each further try has to wait
LOCK_AFTER = 10  # wrong codes in a row that lock the second factor until the owner unlocks it
UNLOCK_LINK_LIFETIME = dt.timedelta(hours=1)
# Set on the request's session once a try is known wrong: its count is committed even when the
# page then answers with an error status (accounts/views/__init__.py), or a guesser could try for free.
KEEP_COUNT = "roadmap.keep_counted_tries"


@dataclass
class CodeCheck:
    """The outcome of one try: accepted, or why not (a wait or the lock) in plain words."""

    ok: bool
    problem: Optional[str] = None  # None with ok False: simply wrong; the view words it
    wait_seconds: int = 0
    locked: bool = False


LOCKED = ("There have been too many wrong security codes, so signing in with a code is locked. "
          "We have emailed you a link to unlock it")


def wait_after(wrong: int) -> dt.timedelta:
    """How long after the last wrong code the next try must wait: 2, 4, 8, 16 then 32 seconds."""
    if wrong < FREE_TRIES:
        return dt.timedelta(0)
    return dt.timedelta(seconds=2 ** (wrong - FREE_TRIES + 1))


def _fresh(session: Session, user: User) -> tuple[int, Optional[dt.datetime], Optional[dt.datetime]]:
    session.refresh(user, ["wrong_codes", "last_wrong_code_at", "two_factor_locked_at"])
    return user.wrong_codes, user.last_wrong_code_at, user.two_factor_locked_at


def _claim_try(session: Session, user: User) -> CodeCheck | None:
    """Count the try as wrong before checking it; None when it may go ahead, else why not.

    The count moves by a conditional UPDATE, so tries sent in parallel cannot slip past a wait.
    """
    wrong, last, locked = _fresh(session, user)
    if locked is not None:
        return CodeCheck(False, LOCKED, locked=True)
    now = utcnow()
    ready_at = (last or now) + wait_after(wrong)
    if ready_at > now:
        seconds = math.ceil((ready_at - now).total_seconds())
        return CodeCheck(False, _wait_message(seconds), wait_seconds=seconds)
    claimed = session.execute(
        sa.update(User).where(User.id == user.id, User.wrong_codes == wrong,
                              User.two_factor_locked_at.is_(None))
        .values(wrong_codes=wrong + 1, last_wrong_code_at=now)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # another try for this account got there first
        return CodeCheck(False, _wait_message(2), wait_seconds=2)
    return None


def _wait_message(seconds: int) -> str:
    return (f"Too many wrong codes. Wait {seconds} second{'s' if seconds != 1 else ''}, "
            "then try again")


def _settle(session: Session, user: User, ok: bool, where: str, link_for: LinkFor) -> CodeCheck:
    """Clear the count after a good code; after a wrong one, audit it and lock at the limit."""
    if ok:
        session.execute(sa.update(User).where(User.id == user.id).values(wrong_codes=0)
                        .execution_options(synchronize_session=False))
        session.expire(user, ["wrong_codes"])
        return CodeCheck(True)
    session.info[KEEP_COUNT] = True
    wrong, _last, _locked = _fresh(session, user)
    audit.record(session, "two_factor.failed", actor_id=user.id, subject_type="user",
                 subject_id=user.id, data={"where": where, "wrong_in_a_row": wrong})
    if wrong < LOCK_AFTER:
        return CodeCheck(False)
    user.two_factor_locked_at = utcnow()
    audit.record(session, "two_factor.locked", actor_id=user.id, subject_type="user",
                 subject_id=user.id, data={"wrong_in_a_row": wrong})
    send_unlock_link(session, user, link_for)
    return CodeCheck(False, LOCKED, locked=True)


def check_code(session: Session, user: User, code: str, link_for: LinkFor) -> CodeCheck:
    """The sign-in step: a code from the app (once) or an unused recovery code."""
    refused = _claim_try(session, user)
    if refused is not None:
        return refused
    return _settle(session, user, twofactor.second_factor_ok(session, user, code), "sign_in",
                   link_for)


def check_identity(session: Session, user: User, typed: str, profile: str,
                   link_for: LinkFor) -> CodeCheck:
    """A re-check before signing: the password, or a code from the app not used before."""
    refused = _claim_try(session, user)
    if refused is not None:
        return refused
    ok = twofactor.use_app_code(session, user, typed) or \
        verify_password(user.password_hash, typed, profile)
    return _settle(session, user, ok, "reauthentication", link_for)


def send_unlock_link(session: Session, user: User, link_for: LinkFor) -> None:
    """Email the owner a single-use link that lifts the lock."""
    token = tokens.issue(session, user, TokenPurpose.TWO_FACTOR_UNLOCK, UNLOCK_LINK_LIFETIME)
    minutes = int(UNLOCK_LINK_LIFETIME.total_seconds() // 60)
    mail.queue(session, user.email, "Signing in to Roadmap is locked", (
        f"Dear {user.full_name},\n\nSomeone entered your Roadmap password correctly and then "
        f"{LOCK_AFTER} wrong security codes in a row, so signing in with a code is locked.\n\n"
        f"If that was you, unlock it here (the link works once and expires in {minutes} "
        f"minutes):\n\n{link_for('account.unlock_two_factor', token)}\n\n"
        "If it was not you, someone knows your password: unlock, then change your password at "
        "once, and tell your training hub.\n"))


def resend_if_locked(session: Session, user: User, link_for: LinkFor) -> None:
    """After the password step of a locked account, send a new link once the last one expired."""
    if user.two_factor_locked_at is None:
        return
    live = session.scalar(sa.select(sa.func.count()).select_from(AccountToken).where(
        AccountToken.user_id == user.id,
        AccountToken.purpose == TokenPurpose.TWO_FACTOR_UNLOCK.value,
        AccountToken.used_at.is_(None), AccountToken.expires_at > utcnow()))
    if not live:
        send_unlock_link(session, user, link_for)


def unlock(session: Session, token: str) -> tuple[Optional[User], Optional[str]]:
    """Lift the lock through a valid emailed link; (user, None) or (None, problem)."""
    user, problem = tokens.redeem(session, token, TokenPurpose.TWO_FACTOR_UNLOCK)
    if user is None:
        return None, problem
    user.two_factor_locked_at, user.wrong_codes, user.last_wrong_code_at = None, 0, None
    audit.record(session, "two_factor.unlocked", actor_id=user.id, subject_type="user",
                 subject_id=user.id)
    return user, None

"""Invitations and password resets: emailed single-use links and what happens when used."""
from __future__ import annotations

import datetime as dt
from typing import Callable, Optional

from sqlalchemy.orm import Session

from roadmap import mail
from roadmap.accounts import service, tokens
from roadmap.accounts.models import Role, TokenPurpose, User
from roadmap.audit import service as audit

LinkFor = Callable[[str, str], str]  # (endpoint, token) -> absolute URL


class InvitationError(ValueError):
    """The invitation cannot be sent; the message says why, for the field it concerns."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def invite(session: Session, *, email: str, full_name: str, roles: list[Role],
           hub_id: Optional[int], invited_by: Optional[User], lifetime: dt.timedelta,
           link_for: LinkFor, **details: Optional[str]) -> User:
    """Create an account without a password and email its owner a link to set one."""
    existing = service.find_user(session, email)
    if existing is not None and existing.password_hash:
        raise InvitationError("email", "This person already has an account")
    user = existing or service.create_user(
        session, email, full_name, roles, None, "fast", hub_id=hub_id,
        actor_id=invited_by.id if invited_by else None, **details)
    token = tokens.issue(session, user, TokenPurpose.INVITATION, lifetime,
                         invited_by.id if invited_by else None)
    audit.record(session, "invitation.sent", actor_id=invited_by.id if invited_by else None,
                 subject_type="user", subject_id=user.id,
                 data={"roles": sorted(r.value for r in roles)})
    inviter = invited_by.full_name if invited_by else "Your training hub"
    days = max(1, round(lifetime.total_seconds() / 86400))
    mail.queue(session, user.email, "You have been invited to Roadmap", (
        f"Dear {user.full_name},\n\n{inviter} has invited you to Roadmap, the portfolio for the "
        f"Roadmap to Practice.\n\nSet your password and sign in here (the link works once and "
        f"expires in {days} day{'s' if days != 1 else ''}):\n\n"
        f"{link_for('account.accept_invitation', token)}\n\n"
        "If you were not expecting this email, you can ignore it.\n"))
    return user


def accept_invitation(session: Session, record_token: str, password: str,
                      profile: str) -> tuple[Optional[User], Optional[str]]:
    """Set the invited person's password through a valid link; (user, None) or (None, problem)."""
    user, problem = tokens.redeem(session, record_token, TokenPurpose.INVITATION)
    if user is None:
        return None, problem
    service.set_password(session, user, password, profile, "invitation.accepted")
    return user, None


def request_reset(session: Session, email: str, lifetime: dt.timedelta, link_for: LinkFor) -> None:
    """Email a reset link when an active account has this email; say nothing either way."""
    user = service.find_user(session, email)
    if user is None or not user.is_active or not user.password_hash:
        return
    token = tokens.issue(session, user, TokenPurpose.PASSWORD_RESET, lifetime)
    audit.record(session, "password.reset_requested", actor_id=user.id, subject_type="user",
                 subject_id=user.id)
    minutes = int(lifetime.total_seconds() // 60)
    mail.queue(session, user.email, "Reset your Roadmap password", (
        f"Dear {user.full_name},\n\nSomeone asked to reset the password of your Roadmap "
        f"account. Choose a new password here (the link works once and expires in "
        f"{minutes} minutes):\n\n{link_for('account.reset_password', token)}\n\n"
        "If it was not you, ignore this email: your password has not changed.\n"))


def reset_password(session: Session, record_token: str, password: str,
                   profile: str) -> tuple[Optional[User], Optional[str]]:
    """Set a new password through a valid reset link; every session of the person ends."""
    user, problem = tokens.redeem(session, record_token, TokenPurpose.PASSWORD_RESET)
    if user is None:
        return None, problem
    if not user.is_active:
        return None, "This account has been disabled. Contact your training hub."
    service.set_password(session, user, password, profile, "password.reset")
    mail.queue(session, user.email, "Your Roadmap password was changed", (
        f"Dear {user.full_name},\n\nThe password of your Roadmap account was just changed and "
        "every device was signed out. If this was not you, contact your training hub now.\n"))
    return user, None

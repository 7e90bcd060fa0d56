"""Link tokens for people without an account: unguessable, stored hashed, and rate limited."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.db import after_request_apart, utcnow
from roadmap.feedback.models import FeedbackLinkHit

LINK_LIFETIME = dt.timedelta(days=30)
WINDOW = dt.timedelta(hours=1)
# Failed look-ups from one address in an hour: with 256-bit tokens guessing is hopeless, but
# a flood of attempts is still refused early.
BAD_LINKS_PER_ADDRESS = 30
# PSQ answers through one round's poster link from one address in an hour: a clinic's shared
# tablet or a receptionist keying in paper forms stays well under it; a script does not.
PSQ_PER_ADDRESS = 40
PSQ_PER_ROUND = 200  # in an hour from anywhere
UNUSABLE = {
    "unknown": "This link does not work. It may have been mistyped, or replaced by a newer "
               "link in a later email: use the link in the most recent email you were sent.",
    "used": "This link has already been used. Each link can be used once, so your answers "
            "cannot be changed or sent again. Thank you for taking part.",
    "expired": "This link has expired. Links work for 30 days. If you still want to answer, "
               "ask the person who asked you for a new link.",
    "closed": "This questionnaire has closed and is no longer taking answers. Thank you.",
    "busy": "Too many answers have come from here in a short time. Wait an hour and try again.",
    "withdrawn": "This link can no longer be used: the assessment was withdrawn before it was "
                 "confirmed. Nothing was signed.",
    "refused": "This link can no longer be used: the address it was sent to may not assess "
               "this person's work. Nothing was signed. The person who asked you can ask again "
               "at another work address.",
}
# An on-device assessment's confirmation link: the assessor has nothing to answer, only their
# signature to confirm, and the link lasts days, not the questionnaires' 30.
ON_DEVICE_UNUSABLE = {
    "expired": "This link has expired: a link to confirm an assessment signed on the "
               "candidate's device works for 7 days. Your signature was not confirmed, so it "
               "does not count. If you still want to confirm it, ask the candidate to send you "
               "a new link.",
    "closed": "This assessment is no longer waiting for your confirmation: the item has been "
              "signed or changed since. Nothing more is needed from you.",
}


def new_token() -> str:
    """A fresh token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """SHA-256 of a token as hex: all the database keeps of a link."""
    return hashlib.sha256(token.encode()).hexdigest()


def derived_token(secret_key: str, nonce: str) -> str:
    """The PSQ poster token: rebuilt from the stored nonce and the app's secret key."""
    mac = hmac.new(secret_key.encode(), f"psq-link:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def expiry() -> dt.datetime:
    """When a link issued now stops working."""
    return utcnow() + LINK_LIFETIME


def hits(session: Session, key: str) -> int:
    """How many times a key was counted in the last hour."""
    return session.scalar(sa.select(sa.func.count()).select_from(FeedbackLinkHit).where(
        FeedbackLinkHit.key == key, FeedbackLinkHit.at > utcnow() - WINDOW)) or 0


def count(session: Session, *keys: str) -> None:
    """Count one use against each key, clearing rows too old to matter."""
    session.add_all(FeedbackLinkHit(key=key[:300]) for key in keys)
    session.execute(sa.delete(FeedbackLinkHit).where(FeedbackLinkHit.at < utcnow() - 2 * WINDOW))


def count_bad(address: Optional[str]) -> None:
    """Count a link that does not work against the address that tried it, whatever follows.

    The page then answers with an error status, which rolls the request's transaction back,
    so the count is written in a transaction of its own once the request has ended.
    """
    key = address_key("bad-link", address)
    after_request_apart(lambda session: count(session, key))


def address_key(kind: str, address: Optional[str]) -> str:
    """The key counting one kind of use from one client address."""
    return f"{kind}:{address or 'unknown'}"


def too_many_bad(session: Session, address: Optional[str]) -> bool:
    """True when this address has tried too many links that do not work."""
    return hits(session, address_key("bad-link", address)) >= BAD_LINKS_PER_ADDRESS

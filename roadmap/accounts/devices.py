"""Device cookies (OWASP): a browser that signed in as a person before is known to be theirs.

After a full sign-in the browser gets a cookie, signed with the secret key, naming the account
and a random nonce. Failed sign-ins from that browser count against its nonce alone, so an
attacker's failures elsewhere never lock the owner out of a browser they have used before.
"""
from __future__ import annotations

import secrets
from typing import Any

from flask import current_app, request
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.wrappers import Response

LIFETIME_DAYS = 365
ACCOUNTS_PER_BROWSER = 5  # a shared clinic computer remembers this many people
_SALT = "roadmap-device-cookie"


def cookie_name() -> str:
    """The __Host- prefix pins the cookie to our host over HTTPS, as for the session."""
    return "__Host-roadmap-device" if current_app.config["ENV"] == "production" else "roadmap-device"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def known_accounts() -> dict[int, str]:
    """The accounts this browser has signed in as, each with its nonce; empty if none or forged."""
    raw = request.cookies.get(cookie_name())
    if not raw or len(raw) > 2000:
        return {}
    try:
        entries: Any = _serializer().loads(raw, max_age=LIFETIME_DAYS * 86400)
    except BadData:
        return {}
    if not isinstance(entries, list):
        return {}
    return {entry[0]: entry[1] for entry in entries if isinstance(entry, list)
            and len(entry) == 2 and isinstance(entry[0], int) and isinstance(entry[1], str)}


def remember(response: Response, user_id: int) -> Response:
    """Give the browser a new nonce for this account (most recent first), keeping a few others."""
    others = [[uid, nonce] for uid, nonce in known_accounts().items() if uid != user_id]
    entries = [[user_id, secrets.token_urlsafe(16)], *others][:ACCOUNTS_PER_BROWSER]
    production = current_app.config["ENV"] == "production"
    response.set_cookie(cookie_name(), _serializer().dumps(entries),
                        max_age=LIFETIME_DAYS * 86400, path="/", secure=production,
                        httponly=True, samesite="Lax")
    return response

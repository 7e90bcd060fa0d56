"""Rate limits per client address (Flask-Limiter), kept in Redis so every worker shares them.

They are a backstop against guessing and flooding on pages anyone can reach: the public
/verify page, sign-in and the second-factor step, and the pages opened from emailed links. The
precise rules (five wrong passwords per account, one answer per feedback link) stay in the
database where they are today; these limits only stop one address from hammering a page.

Without ROADMAP_REDIS_URL the counts are kept in each process's memory: with several gunicorn
workers or servers an address gets that many times the allowance, so production warns.
"""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

log = logging.getLogger(__name__)

# Endpoint -> (limit, scope shared by the endpoints that count together, methods or None: all).
LIMITS: dict[str, tuple[str, str, list[str] | None]] = {
    "exports.verify": ("30 per minute;300 per hour", "verify", None),
    "exports.verify_form": ("30 per minute;300 per hour", "verify", None),
    "credentials.verify_credential": ("30 per minute;300 per hour", "verify", None),
    "accounts.sign_in": ("30 per minute", "sign-in", ["POST"]),
    "accounts.two_factor": ("30 per minute", "sign-in", ["POST"]),
    "account.set_up_app": ("30 per minute", "sign-in", ["POST"]),
    "account.accept_invitation": ("60 per minute", "links", None),
    "account.reset_password": ("60 per minute", "links", None),
    "account.forgot_password": ("60 per minute", "links", None),
    "feedback.rater_form": ("60 per minute", "links", None),
    # One PSQ poster link serves a whole waiting room (a tablet, or reception keying in paper
    # forms) from one address; its own per-address rule is in the database. Only floods here.
    "feedback.patient_form": ("300 per minute", "poster", None),
    "feedback.assess_form": ("60 per minute", "links", None),
}
REDIS_TIMEOUT_SECONDS = 1


def storage_uri(app: Flask) -> str:
    """Redis when configured; otherwise this process's memory (with a warning in production)."""
    url = app.config.get("REDIS_URL")
    if url:
        return str(url)
    if app.config["ENV"] == "production":
        log.warning("rate limits are kept per process because ROADMAP_REDIS_URL is not set: "
                    "with several workers or servers each allows the full count")
    return "memory://"


def init_app(app: Flask) -> Limiter:
    """Attach a limiter of this app's own and apply LIMITS to the registered endpoints."""
    uri = storage_uri(app)
    options: dict[str, Any] = {}
    if uri.startswith(("redis://", "rediss://", "unix://")):
        options = {"socket_timeout": REDIS_TIMEOUT_SECONDS,
                   "socket_connect_timeout": REDIS_TIMEOUT_SECONDS}
    limiter = Limiter(
        get_remote_address,  # the client's address, after ProxyFix when PROXY_HOPS is set
        storage_uri=uri,
        storage_options=options,
        key_prefix=app.config["RATE_LIMIT_PREFIX"],
        strategy="fixed-window",
        headers_enabled=True,  # Retry-After (and X-RateLimit-*) on limited pages
        # When Redis is down, count in memory rather than refuse every public page.
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
    limiter.init_app(app)
    shared: dict[str, Any] = {}
    for endpoint, (limit, scope, methods) in LIMITS.items():
        view = app.view_functions.get(endpoint)
        if view is None:
            raise RuntimeError(f"rate limit for unknown endpoint {endpoint}")
        key = (limit, scope, tuple(methods or ()))
        if key not in shared:
            shared[key] = limiter.shared_limit(limit, scope=scope, methods=methods)
        app.view_functions[endpoint] = shared[key](view)
    app.extensions["roadmap.limiter"] = limiter
    return limiter

"""One log line per request, with a request id echoed to the client, and nothing secret.

The line holds what an operator needs to follow a request (method, route, status, time taken,
the user's number, the client address) and leaves out what must never reach a log: query
strings, form bodies, headers, email addresses, and tokens or codes carried in the path (those
are replaced by the name of the route's argument, so `/colleague/abc...` is logged as
`/colleague/<token>`).
"""
from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any, Optional

import sqlalchemy as sa
from flask import Flask, g, request
from flask_login import AnonymousUserMixin
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from roadmap.logs import REQUEST_LOGGER

log = logging.getLogger(REQUEST_LOGGER)

# An id from a load balancer or proxy is kept only when it cannot smuggle anything into a log.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")
_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
# In a path that matched no route, a long run of token characters may be someone's link token.
_TOKEN_LIKE = re.compile(r"[A-Za-z0-9_-]{20,}")


def request_id() -> str:
    """The caller's X-Request-ID when it is safe to repeat, else a new random one."""
    given = request.headers.get("X-Request-ID", "")
    return given if SAFE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def loggable_path() -> str:
    """The path without its query string, with every non-number route argument masked."""
    rule, arguments = request.url_rule, request.view_args or {}
    if rule is None:
        return _TOKEN_LIKE.sub("<redacted>", request.path)[:200]

    def fill(match: re.Match[str]) -> str:
        value = arguments.get(match.group(1))
        return str(value) if isinstance(value, int) else match.group(0)

    return _ARGUMENT.sub(fill, rule.rule)


def signed_in_user_id() -> Optional[int]:
    """The number of the user this request already loaded; never loads one (no extra query)."""
    user = g.get("_login_user")
    if user is None or isinstance(user, AnonymousUserMixin):
        return None
    # Read the key from the identity map entry: the session may be closed and the row expired.
    identity = sa.inspect(user, raiseerr=False)
    if identity is not None and identity.identity:  # works after the session closed
        return int(identity.identity[0])
    return None


def init_app(app: Flask) -> None:
    """Time each request, give it an id, and log one line when the response is ready.

    Registered before every other hook, so its after_request runs last and sees the final
    status. With PROXY_HOPS set, client address and scheme come from that many proxies'
    X-Forwarded-* headers (and from nowhere else).
    """
    hops = int(app.config["PROXY_HOPS"])
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    @app.before_request
    def _start() -> None:
        g.request_started = time.perf_counter()
        g.request_id = request_id()

    @app.after_request
    def _log(response: Response) -> Response:
        started = g.get("request_started")
        rid = g.get("request_id") or request_id()
        response.headers["X-Request-ID"] = rid
        fields: dict[str, Any] = {
            "request_id": rid,
            "method": request.method,
            "path": loggable_path(),
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "user_id": signed_in_user_id(),
            "remote_addr": request.remote_addr,
        }
        log.info("%s %s %s", fields["method"], fields["path"], fields["status"], extra=fields)
        return response

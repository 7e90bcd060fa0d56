"""Absolute links for emails and PDFs: from BASE_URL, never from a host a client named."""
from __future__ import annotations

import ipaddress
from typing import Any, Optional
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request

from roadmap.config import ConfigError

DEFAULT_BASE = "http://127.0.0.1:5000"  # what scripts/run serves


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1 (with or without a port)."""
    try:
        name = urlsplit("//" + host).hostname or ""
    except ValueError:
        return False
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _base() -> str:
    """BASE_URL; outside production, a loopback request's own origin or the local default."""
    base = current_app.config["BASE_URL"]
    if base:
        return str(base).rstrip("/")
    if current_app.config["ENV"] == "production":  # the settings check refuses this at start
        raise ConfigError("ROADMAP_BASE_URL is not set: no link can be built for an email")
    # On a developer's machine the browser's own address is the useful one; any other host
    # could have been typed by an attacker, so it gets the local default instead.
    if has_request_context() and is_loopback(request.host):
        return request.root_url.rstrip("/")
    return DEFAULT_BASE


def absolute_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for an endpoint, fit to put in an email or a PDF."""
    # Built without the request, so a mounted prefix comes from BASE_URL alone.
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return _base() + path


def external_link(endpoint: str, token: str) -> str:
    """An absolute URL for an endpoint that takes a token (invitations, resets, tickets)."""
    return absolute_url(endpoint, token=token)


def safe_next(target: Optional[str]) -> Optional[str]:
    """Accept only a path on this site: no scheme, no host, no backslash tricks."""
    if not target or "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or target.startswith("//"):
        return None
    return target


def back_here() -> Optional[str]:
    """Where the person was, as a path to return to after signing in again; None for the
    sign-in pages themselves.

    The page a form was sent from (the Referer, from our own host only), else the request's
    own path: a form is usually posted to the page that shows it.
    """
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path:
        target = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    else:
        target = request.full_path.rstrip("?") if request.method == "GET" else request.path
    return None if target.startswith("/sign-in") else safe_next(target)

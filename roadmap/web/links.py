"""Absolute links for emails: from BASE_URL when set, else from the request being served."""
from __future__ import annotations

from flask import current_app, has_request_context, url_for

DEFAULT_BASE = "http://127.0.0.1:5000"  # what scripts/run serves


def _path(endpoint: str, token: str) -> str:
    """The path of an endpoint, with or without a request being served (the CLI has none)."""
    if has_request_context():
        return url_for(endpoint, token=token)
    return current_app.url_map.bind("localhost").build(endpoint, {"token": token})


def external_link(endpoint: str, token: str) -> str:
    """An absolute URL for an endpoint that takes a token, fit to put in an email."""
    base = current_app.config["BASE_URL"]
    if base:
        return base.rstrip("/") + _path(endpoint, token)
    if has_request_context():
        return url_for(endpoint, token=token, _external=True)
    return DEFAULT_BASE + _path(endpoint, token)

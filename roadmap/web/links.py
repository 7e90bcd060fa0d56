"""Absolute links for emails: from BASE_URL when set, else from the request being served."""
from __future__ import annotations

from flask import current_app, has_request_context, url_for


def external_link(endpoint: str, token: str) -> str:
    """An absolute URL for an endpoint that takes a token, fit to put in an email."""
    base = current_app.config["BASE_URL"]
    if base:
        return base.rstrip("/") + url_for(endpoint, token=token)
    if has_request_context():
        return url_for(endpoint, token=token, _external=True)
    return "http://127.0.0.1:5000" + url_for(endpoint, token=token)

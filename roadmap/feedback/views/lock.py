"""Assessor mode as a lock held in the signed-in session, not only as a page without a header.

The assessor holds the candidate's phone, signed in as the candidate: browser Back, an old tab
or a typed address must not lead them into the portfolio. Opening the assess page takes the
lock (the item's id); while it is held, every other signed-in page sends them to the hand-back
page. Only the candidate's password or code (the confirm-identity page, which drops the lock on
success) leads out of it. After signing, the lock also remembers that the item was signed here,
so the assess page, reached again with Back, shows the hand-back page instead of a second form.
"""
from __future__ import annotations

from typing import Any, Optional

from flask import Flask, redirect, request, session as cookie, url_for
from flask_login import current_user

from roadmap.accounts.blueprint import ASSESSOR_LOCK

# What the assessor may reach while the lock is held: their own pages, the files every page
# needs, the worker and manifest (nobody's data), signing out, and the way out (a password).
OPEN = {"static", "favicon", "offline.manifest", "offline.service_worker", "offline.icon",
        "accounts.sign_out", "account.confirm_identity", "feedback.hand_back"}
ASSESS = {"feedback.assess_on_device", "feedback.sync_on_device"}


def held() -> Optional[dict[str, Any]]:
    """The lock, if this session holds one: {"item": id, "signed": bool}."""
    lock = cookie.get(ASSESSOR_LOCK)
    return lock if isinstance(lock, dict) and isinstance(lock.get("item"), int) else None


def take(evidence_id: int) -> None:
    """Enter assessor mode for this item (a lock already held for it is kept as it is)."""
    if held() is None:
        cookie[ASSESSOR_LOCK] = {"item": evidence_id, "signed": False}


def signed(evidence_id: int) -> None:
    """The assessor signed here: the assess page now shows the hand-back page."""
    cookie[ASSESSOR_LOCK] = {"item": evidence_id, "signed": True}


def init_app(app: Flask) -> None:
    """Send a locked session's requests for any other page to the hand-back page."""

    @app.before_request
    def _assessor_mode() -> Any:
        lock = held()
        if lock is None or not current_user.is_authenticated or request.endpoint in OPEN:
            return None
        if request.endpoint is None:
            return None  # not found: nothing to show
        view_args = request.view_args or {}
        if request.endpoint in ASSESS and view_args.get("evidence_id") == lock["item"]:
            return None
        return redirect(url_for("feedback.hand_back", evidence_id=lock["item"]))

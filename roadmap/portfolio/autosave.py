"""Nothing is lost: form answers kept on the server, per person and page, until saved.

Two ways in: the page's script posts the form every 30 seconds, and a form posted after the
session ended is kept for the person whose session it was, then offered back once they sign in.
"""
from __future__ import annotations

import hashlib
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from roadmap.accounts.models import UserSession
from roadmap.db import utcnow
from roadmap.portfolio.models import DraftAutosave

# Secrets and one-time values are never kept: a restored form gets fresh ones. A password or
# code typed to confirm who someone is ("identity") is a secret too.
SKIPPED = {"csrf_token", "form_token", "action", "path", "identity"}
MAX_VALUE = 100_000
CHECKING = "check"  # the reason of answers kept while the person checks them before acting


def _clean(form: MultiDict, most: int = MAX_VALUE) -> dict[str, list[str]]:
    return {key: [value[:most] for value in form.getlist(key)]
            for key in form.keys() if key.rsplit("-", 1)[-1] not in SKIPPED}  # prefixed too


def keep(session: Session, user_id: int, path: str, form: MultiDict,
         reason: str = "autosave", most: int = MAX_VALUE) -> DraftAutosave:
    """Keep the form's answers for the person and page, replacing what was kept before.

    `most` is the longest value kept (a checked cohort file may be longer than a form's text).
    """
    row = session.scalar(sa.select(DraftAutosave).where(DraftAutosave.user_id == user_id,
                                                        DraftAutosave.path == path[:300]))
    if row is None:
        row = DraftAutosave(user_id=user_id, path=path[:300], data={})
        session.add(row)
    row.data, row.reason, row.saved_at = _clean(form, most), reason, utcnow()
    session.flush()
    return row


def checking(session: Session, user_id: int, path: str) -> Optional[DraftAutosave]:
    """The answers of a form kept while the person checks them before acting, if any."""
    row = kept(session, user_id, path)
    return row if row is not None and row.reason == CHECKING else None


def take(session: Session, row: DraftAutosave) -> bool:
    """Use checked answers once: True for the request that removed them, False for a twin
    request (a double click) that finds them gone, so only one of them acts."""
    result = session.execute(sa.delete(DraftAutosave).where(DraftAutosave.id == row.id)
                             .execution_options(synchronize_session=False))
    session.expunge(row)  # gone: a row put back later is a new one, whatever its id
    return result.rowcount == 1


def put_back(session: Session, user_id: int, path: str, data: dict[str, list[str]]) -> None:
    """Keep taken answers again when acting on them failed: nothing typed is lost."""
    session.add(DraftAutosave(user_id=user_id, path=path[:300], data=dict(data),
                              reason=CHECKING, saved_at=utcnow()))
    session.flush()


def keep_for_expired_session(session: Session, token: str, path: str, form: MultiDict) -> bool:
    """Keep a form posted with an ended session for that session's person; True if kept."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    user_id = session.scalar(sa.select(UserSession.user_id).where(UserSession.token_hash == digest))
    if user_id is None:
        return False
    keep(session, user_id, path, form, reason="session_ended")
    return True


def kept(session: Session, user_id: int, path: str) -> Optional[DraftAutosave]:
    """What is kept for the person and page, if anything."""
    return session.scalar(sa.select(DraftAutosave).where(DraftAutosave.user_id == user_id,
                                                         DraftAutosave.path == path[:300]))


def as_form(row: DraftAutosave, current: dict[str, Any]) -> MultiDict:
    """The kept answers as form data, with fresh values for what is never kept."""
    data = MultiDict()
    for key, values in row.data.items():
        for value in values:
            data.add(key, value)
    for key, value in current.items():
        data[key] = value
    return data


def discard(session: Session, user_id: int, path: str) -> None:
    """Forget what was kept for the page, once the answers are saved."""
    session.execute(sa.delete(DraftAutosave).where(DraftAutosave.user_id == user_id,
                                                   DraftAutosave.path == path[:300]))

"""Asking for an export: who may have which kind, recorded as an opening, then queued."""
from __future__ import annotations

from typing import Optional

from flask import Flask
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.cohorts.models import Enrolment
from roadmap.exports import jobs
from roadmap.readers import service as readers
from roadmap.readers.models import Opened


def candidate_of(session: Session, enrolment: Enrolment) -> Optional[User]:
    """The person whose portfolio the enrolment holds."""
    return session.get(User, enrolment.candidate_id)


def request_export(app: Flask, session: Session, user: User, enrolment: Enrolment, kind: str,
                   *, owner: bool, content: bool) -> Optional[str]:
    """Queue an export and record the opening; the job's id, or None for a kind not theirs.

    Only the candidate gets the ZIP, and drafts are in an export only for them.
    """
    if kind not in jobs.KINDS or (kind == "zip" and not owner):
        return None
    readers.record(session, user, enrolment, Opened.EXPORT, former=False, label="Portfolio PDF")
    candidate = candidate_of(session, enrolment)
    return jobs.create(app, user.id, enrolment.id, kind, content, drafts=owner,
                       name=candidate.full_name if candidate else "")

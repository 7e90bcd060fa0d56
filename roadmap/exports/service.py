"""Asking for an export: who may have which kind, recorded as an opening, then queued (or the
stored PDF, when it is current)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from flask import Flask
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.cohorts.models import Enrolment
from roadmap.exports import fresh, jobs, liveness, stored
from roadmap.exports.portfolio import setup
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
                       position=stored.latest(session, enrolment.id)[0],
                       name=candidate.full_name if candidate else "")


def exports_running(app: Flask) -> bool:
    """Whether an export asked for now will be made: jobs run inline (tests), or an export
    worker has shown it is alive within EXPORT_HEARTBEAT_SECONDS (liveness.py)."""
    if getattr(jobs.queue(app), "immediate", False):
        return True
    return liveness.worker_alive(setup(app).export_dir, liveness.timeout(app))


def prepare_pdf(app: Flask, session: Session, user: User, enrolment: Enrolment, *,
                owner: bool, content: bool) -> Optional[str]:
    """Start the reader's quick PDF export as their export page opens, when their stored PDF
    is not current (the caller has checked that and their reach), so the button finds it made
    or nearly: the button's ask reuses it while the portfolio is unchanged (repeats.py). No
    opening is recorded here: only the button's download is one. The caller has checked
    that exports are running (a job would only fail). The job's id, or None when
    EXPORT_PREPARE is off."""
    if not app.config.get("EXPORT_PREPARE"):
        return None
    candidate = candidate_of(session, enrolment)
    return jobs.create(app, user.id, enrolment.id, "pdf", content, drafts=owner,
                       position=stored.latest(session, enrolment.id)[0],
                       name=candidate.full_name if candidate else "")


def current_pdf(app: Flask, session: Session, user: User, enrolment: Enrolment, *,
                owner: bool) -> Optional[Path]:
    """The reader's stored PDF if it holds every change, with the opening recorded; else None.

    The caller has checked the reader's reach: this runs on every download, never cached.
    """
    if not app.config.get("EXPORT_KEEP_FRESH"):
        return None
    form = stored.variant(owner)
    if not stored.freshness(app, session, enrolment.id, form).current:
        return None
    readers.record(session, user, enrolment, Opened.EXPORT, former=False, label="Portfolio PDF")
    return stored.pdf_path(app, enrolment.id, form)


def stored_state(app: Flask, session: Session, enrolment: Enrolment, *,
                 owner: bool) -> Optional[stored.Freshness]:
    """How current the reader's stored PDF is, for the export page (None: none are kept).

    A candidate looking keeps their own form current for a while; a stored PDF that is not
    current with no refresh queued (never made, made on an earlier day) gets one queued.
    """
    if not app.config.get("EXPORT_KEEP_FRESH"):
        return None
    if owner:
        stored.want_own(app, enrolment.id)
    state = stored.freshness(app, session, enrolment.id, stored.variant(owner))
    if not state.current and not fresh.pending(app, enrolment.id):
        fresh.schedule(app, enrolment.id)
    return state

"""Asking for an export: who may have which kind, recorded as an opening, then queued (or the
stored PDF, when it is current)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from flask import Flask
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.cohorts.models import Enrolment
from roadmap.exports import fresh, jobs, quick, stored
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
    return jobs.running(app)


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

    The archival copy when it is current; else the quick copy (exports.quick) holding every
    change, waiting up to EXPORT_WAIT_SECONDS for one being made. The caller has checked the
    reader's reach (the form follows it: drafts only in the candidate's own): this runs on
    every download, never cached.
    """
    if not app.config.get("EXPORT_KEEP_FRESH"):
        return None
    form = stored.variant(owner)
    if stored.freshness(app, session, enrolment.id, form).current:
        path: Optional[Path] = stored.pdf_path(app, enrolment.id, form)
    elif quick.enabled(app):
        path = quick.wait(app, session, enrolment.id, form,
                          float(app.config.get("EXPORT_WAIT_SECONDS") or 0)
                          if exports_running(app) else 0)
    else:
        path = None
    if path is None:
        return None
    readers.record(session, user, enrolment, Opened.EXPORT, former=False, label="Portfolio PDF")
    return path


def quick_state(app: Flask, session: Session, enrolment: Enrolment, *,
                owner: bool) -> Optional[str]:
    """The reader's quick copy, for the export page: "ready" (it holds every change), "coming"
    (queued or being made) or None (the page then starts their quick export, prepare_pdf)."""
    if not (app.config.get("EXPORT_KEEP_FRESH") and quick.enabled(app)):
        return None
    form = stored.variant(owner)
    position, _at = stored.latest(session, enrolment.id)
    if quick.holds(app, enrolment.id, form, position) is not None:
        return "ready"
    return "coming" if quick.coming(app, enrolment.id, form) else None


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
        quick.remember_candidate(app, enrolment.id, enrolment.candidate_id)
    state = stored.freshness(app, session, enrolment.id, stored.variant(owner))
    if not state.current and not fresh.pending(app, enrolment.id):
        fresh.schedule(app, enrolment.id)
    return state

"""Export pages: ask for a PDF or ZIP, watch its progress, download it; the public /verify page."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any, Optional

from flask import (Flask, abort, current_app, jsonify, make_response, redirect, render_template,
                   request, send_file, url_for)
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from roadmap.accounts.models import Role
from roadmap.db import get_session
from roadmap.exports import fresh, jobs, service, verification
from roadmap.exports.blueprint import EXPORTERS, STATEMENT_READERS, bp
from roadmap.web.access import public, roles_required, signed_in
from roadmap.links import absolute_url
from roadmap.web.reach import Reach, load_enrolment, load_signoff
from roadmap.clock import day_of, in_words, time_of_day, today, LONDON
from roadmap.web import downloads


def init_app(app: Flask) -> None:
    """Register the export pages and the public verification page; keep stored PDFs fresh."""
    app.register_blueprint(bp)
    fresh.init_app(app)


@bp.get("/exports/enrolment/<int:enrolment_id>")
@roles_required(Role.CANDIDATE, Role.SUPERVISOR)
def start(enrolment_id: int) -> str:
    """What can be downloaded: the PDF (candidate and supervisors), the ZIP (the candidate).
    A reader whose stored PDF is not current gets their quick export started as they look."""
    session = get_session()
    enrolment, level = load_enrolment(session, current_user, enrolment_id, EXPORTERS, today())
    owner = level is Reach.OWNER
    app = current_app._get_current_object()
    state = service.stored_state(app, session, enrolment, owner=owner)
    running, prepared, made = service.exports_running(app), None, None
    if running and (state is None or not state.current):  # ready before the click
        made = service.quick_state(app, session, enrolment, owner=owner)
        if made is None:  # no quick copy made or coming since the change: the reader's own
            prepared = service.prepare_pdf(app, session, current_user, enrolment, owner=owner,
                                           content=level.sees_content)
    return render_template("exports/start.html", enrolment=enrolment, owner=owner,
                           prepared=prepared is not None or made == "coming",
                           quick_ready=made == "ready", stopped=not running,
                           person=service.candidate_of(session, enrolment), state=state,
                           changed=_when(state.last_change) if state else None)


def _when(at: Optional[dt.datetime]) -> Optional[str]:
    """A change's moment as the page says it: the time today, the date and time before."""
    if at is None:
        return None
    local = at.astimezone(LONDON)
    return time_of_day(local.time()) if local.date() == today() else in_words(at)


@bp.post("/exports/enrolment/<int:enrolment_id>/<kind>")
@roles_required(Role.CANDIDATE, Role.SUPERVISOR)
def request_export(enrolment_id: int, kind: str) -> Response:
    """Queue an export and go to its progress page; the work happens outside the request."""
    session = get_session()
    enrolment, level = load_enrolment(session, current_user, enrolment_id, EXPORTERS, today())
    waited = 0.0  # for a quick copy being made: the wait for a job then is the rest
    if kind == "pdf":  # the stored PDF, if it holds every change: no job, no wait
        started = time.monotonic()
        path = service.current_pdf(current_app._get_current_object(), session, current_user,
                                   enrolment, owner=level is Reach.OWNER)
        waited = time.monotonic() - started
        if path is not None:
            person = service.candidate_of(session, enrolment)
            return _send(path, person.full_name if person else "", "portfolio.pdf")
    job_id = service.request_export(current_app._get_current_object(), session, current_user,
                                    enrolment, kind, owner=level is Reach.OWNER,
                                    content=level.sees_content)
    if job_id is None:
        abort(404)
    state = _quick(session, job_id, waited)
    if state is not None and state["state"] == "done":  # quick: the download, no progress page
        return _send(jobs.output(current_app._get_current_object(), job_id),
                     state.get("name") or "", jobs.KINDS[kind][0], jobs.made_on(state))
    return redirect(url_for("exports.job", job_id=job_id))


def _quick(session: Session, job_id: str, waited: float = 0.0) -> Optional[dict[str, Any]]:
    """The job's state after waiting up to EXPORT_WAIT_SECONDS (less what the click `waited`
    already, for a quick copy being made) for it to finish; None: no wait.

    The opening is committed first, so the wait holds no database lock (SQLite's write lock)."""
    seconds = float(current_app.config.get("EXPORT_WAIT_SECONDS") or 0) - waited
    if seconds <= 0:
        return None
    session.commit()
    return jobs.wait(current_app._get_current_object(), job_id, current_user.id, seconds)


@bp.get("/exports/<job_id>")
@signed_in
def job(job_id: str) -> Response:
    """The progress of an export. It never reloads itself (WCAG 2.2.1): its script (job.js)
    reads job_status and updates the page in place; without the script, the person refreshes."""
    state = _mine(job_id)
    response = make_response(render_template("exports/job.html", job_id=job_id, state=state))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/exports/<job_id>.json")
@signed_in
def job_status(job_id: str) -> Response:
    """The job's progress for the page's script, to its owner only: state, percent, message."""
    state = _mine(job_id)
    response = jsonify(state=state["state"], percent=int(state.get("percent") or 0),
                       message=state.get("message") or "")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/exports/<job_id>/download")
@signed_in
def download(job_id: str) -> Response:
    """The finished file, to its owner only."""
    app = current_app._get_current_object()
    state = _mine(job_id)
    if state["state"] != "done":
        abort(404)
    return _send(jobs.output(app, job_id), state.get("name") or "", jobs.KINDS[state["kind"]][0],
                 jobs.made_on(state))


def _mine(job_id: str) -> dict[str, Any]:
    """The state of a job this person asked for, while they may still export its portfolio
    (a supervisor whose assignment has ended since gets 404, as on the export page); else 404."""
    state = jobs.read(current_app._get_current_object(), job_id, current_user.id)
    if state is None:
        abort(404)
    load_enrolment(get_session(), current_user, int(state["enrolment_id"]), EXPORTERS, today())
    return state


def _send(path: Path, name: str, filename: str, made: Optional[dt.date] = None) -> Response:
    """A portfolio file as a download named after its candidate and day; never cached."""
    media_type = "application/pdf" if filename.endswith(".pdf") else "application/zip"
    response = send_file(path, mimetype=media_type, as_attachment=True, download_name=filename,
                         max_age=0)
    response.headers["Content-Disposition"] = downloads.attachment(
        [name, "portfolio"], made or today(), filename.rpartition(".")[2])
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/stages/signoff/<int:signoff_id>/statement.pdf")
@roles_required(Role.CANDIDATE, Role.SUPERVISOR)
def statement(signoff_id: int) -> Response:
    """The one-page verification statement of a completed stage."""
    session = get_session()
    record, _level = load_signoff(session, current_user, signoff_id, STATEMENT_READERS, today())
    if record.status != "complete":
        abort(404)
    link = absolute_url("exports.verify", code=record.verification_code)
    pdf, found = verification.statement_pdf(session, record, link)
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = downloads.attachment(
        [found.candidate.full_name, found.stage, "verification statement"],
        day_of(found.completed_at), "pdf")
    return response


CODE_AS_PRINTED = "Enter the code as it is printed, like RM-ABCDE-FGHJK-LMNPQ"


@bp.route("/verify", methods=["GET", "POST"])
@public
def verify_form() -> Response | tuple[str, int] | str:
    """Type a verification code; it leads to the code's page. Or upload a portfolio PDF (POST).

    A code that is blank, or has no letter or digit ("---"), is told so beside the box: it
    would otherwise lead to /verify/ and a page-not-found that says nothing about the code.
    """
    if request.method == "POST":
        return _check_pdf()
    code = request.args.get("code")
    if code is None:
        return render_template("exports/verify_form.html")
    printed = verification.normalise(code)[:40]
    if printed:
        return redirect(url_for("exports.verify", code=printed))
    error = (CODE_AS_PRINTED if code.strip() else "Enter the verification code")
    return render_template("exports/verify_form.html", error=error, typed=code[:40]), 400


@bp.get("/verify/<code>")
@public
def verify(code: str) -> Response | tuple[str, int] | str:
    """Genuine or not, who signed and when, changed since or not: never any portfolio content.

    A code typed another way (spaces, no hyphens, lower case) goes to its printed form first.
    """
    printed = verification.normalise(code)[:40]
    if printed != code and verification.CODE.match(printed):
        return redirect(url_for("exports.verify", code=printed))
    found = verification.lookup(get_session(), code)
    if found is None:
        return render_template("exports/verify.html", found=None,
                               code=verification.normalise(code)[:40]), 404
    return render_template("exports/verify.html", found=found, code=found.code)


PDF_LARGEST = 20 * 1024 * 1024  # the largest portfolio PDF is a few MB; the app refuses 25 MB


def _pdf_refused(message: str, status: int = 400) -> tuple[str, int]:
    """The /verify page again, the problem beside the file box."""
    return render_template("exports/verify_form.html", pdf_error=message), status


def _too_large() -> str:
    return (f"The file is larger than {PDF_LARGEST // (1024 * 1024)} MB: no portfolio PDF is "
            "that large")


@bp.errorhandler(RequestEntityTooLarge)
def _upload_too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    """Beyond MAX_CONTENT_LENGTH, werkzeug refuses the body wherever it is first parsed: with
    CSRF on that is the CSRF check, before the view, so the view's own catch never sees it.
    On /verify the refusal goes beside the file box; elsewhere, the general page."""
    if request.endpoint == "exports.verify_form":
        return _pdf_refused(_too_large(), 413)
    from roadmap.web.errors import MESSAGES

    title, message = MESSAGES[413]
    return render_template("errors/error.html", title=title, message=message), 413


def _check_pdf() -> tuple[str, int] | str:
    """Check an uploaded archival portfolio PDF, as `roadmap export check` does, against this
    service's keys and records. The upload is read into memory, checked and dropped: never
    stored. Only what the file claims about itself is shown back, to whoever holds the file."""
    from roadmap.exports import check, pdffile, server_check

    largest, too_large = PDF_LARGEST, _too_large()
    try:
        upload = request.files.get("pdf")
    except RequestEntityTooLarge:  # beyond the app's MAX_CONTENT_LENGTH: werkzeug stops reading
        return _pdf_refused(too_large, 413)
    if upload is None or not upload.filename:
        return _pdf_refused("Choose the portfolio PDF to check")
    content = upload.read(largest + 1)
    if len(content) > largest:
        return _pdf_refused(too_large)
    if not content:
        return _pdf_refused("The file is empty: choose the portfolio PDF as it was downloaded")
    session = get_session()
    try:
        report = check.check(content, check.published_keys(session, current_app.config))
    except pdffile.NotReadable as problem:
        return _pdf_refused(str(problem))
    server_check.compare(session, report)
    return render_template("exports/verify_portfolio.html", report=report)

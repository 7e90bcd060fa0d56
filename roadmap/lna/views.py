"""The analysis's pages: the candidate's form and files; the confirmers' list and confirmation."""
from __future__ import annotations

from flask import Flask, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from roadmap.accounts.models import Role
from roadmap.clock import today
from roadmap.db import get_session, writes_when_read
from roadmap.lna import confirming, forms, queries, service
from roadmap.lna.blueprint import bp, candidate_page
from roadmap.portfolio import attachments, autosave
from roadmap.portfolio.blueprint import enrolment_or_404, form_key, keeps_work, lock_version
from roadmap.portfolio.forms import answers_of, load_answers
from roadmap.portfolio.uploads import kept_name
from roadmap.web.access import roles_required
from roadmap.web.reach import load_analysis, load_analysis_file

CONFIRMERS = (Role.SUPERVISOR, Role.PROVIDER_REVIEWER)


def init_app(app: Flask) -> None:
    """Register the pages."""
    app.register_blueprint(bp)


@bp.route("/portfolio/learning-needs-analysis", methods=["GET", "POST"])
@writes_when_read
@keeps_work
@roles_required(Role.CANDIDATE)
def analysis() -> Response | tuple[str, int]:
    """The candidate's analysis: begun on first opening, saved as a draft, sent to be confirmed."""
    session, user = get_session(), current_user._get_current_object()
    try:
        page = queries.candidate_page(session, enrolment_or_404(), user, form_key(),
                                      request.method == "GET")
    except LookupError:
        abort(404)
    if request.method == "POST":
        form = forms.analysis_form(page.definition, page.scales)
        form.submitting = request.form.get("action") == "send"
    elif page.restored is not None:
        form = forms.analysis_form(page.definition, page.scales,
                                   formdata=autosave.as_form(page.restored, {}))
    else:
        form = forms.analysis_form(page.definition, page.scales)
        load_answers(form, page.analysis.answers or {})
        form.lock_version.data = str(page.analysis.lock_version)
    if request.method != "POST":
        return candidate_page(page, form)
    problem = None
    if form.validate():
        try:
            repeat = service.save(session, page.analysis, page.enrolment, user, answers_of(form),
                                  lock_version(form.lock_version.data), form.submitting,
                                  bool(form.confirm_pid.data), form_key())
        except service.StaleForm as error:
            problem = str(error)
            form.lock_version.data = str(page.analysis.lock_version)
        except service.LnaError as error:
            problem = None if error.problems else str(error)
            for code, message in error.problems.items():
                name = code if code == "confirm_pid" else forms.PREFIX + code
                if name in form:
                    form[name].errors = list(form[name].errors) + [message]
        else:
            flash("Your analysis was already sent." if repeat else
                  "Your analysis is sent. You will get an email when it is confirmed."
                  if form.submitting else "Your draft is saved.", "info" if repeat else "success")
            return redirect(url_for("lna.analysis"))
    return candidate_page(page, form, problem=problem, code=400)


@bp.post("/portfolio/learning-needs-analysis/files")
@roles_required(Role.CANDIDATE)
def add_file() -> Response | tuple[str, int]:
    """Keep a certificate or transcript with the draft analysis; a refusal shows beside it."""
    session, user = get_session(), current_user._get_current_object()
    try:
        page = queries.candidate_page(session, enrolment_or_404(), user, form_key(), False)
    except LookupError:
        abort(404)
    marked, excerpts = None, None
    try:
        added = service.add_file(session, page.analysis, page.enrolment, user,
                                 request.files.get("file"),
                                 pid_confirmed=request.form.get("confirm_pid") == "y")
    except (service.LnaError, attachments.AttachmentRefused) as refused:
        error = str(refused)
        if isinstance(refused, attachments.NameMayIdentify):
            marked = refused.marked
            excerpts = refused.excerpts if refused.marked is None else None
    else:
        flash(f"{added.filename} is uploaded.", "success")
        return redirect(url_for("lna.analysis") + "#files")
    form = forms.analysis_form(page.definition, page.scales)
    load_answers(form, page.analysis.answers or {})
    form.lock_version.data = str(page.analysis.lock_version)
    return candidate_page(page, form, file_error=error, code=400, file_marked=marked,
                          file_excerpts=excerpts)


@bp.get("/learning-needs-analyses")
@roles_required(*CONFIRMERS)
def waiting() -> str:
    """The sent analyses waiting for this person to confirm them, oldest first."""
    return render_template("lna/waiting.html", waiting=queries.waiting(
        get_session(), current_user._get_current_object(), today()))


@bp.route("/learning-needs-analyses/<int:analysis_id>", methods=["GET", "POST"])
@roles_required(*CONFIRMERS)
def confirm(analysis_id: int) -> Response | tuple[str, int]:
    """A sent analysis: its answers and files; its confirmer sets the route and the credits."""
    session, user = get_session(), current_user._get_current_object()
    analysis, enrolment, capacity = load_analysis(session, user, analysis_id, today())
    page = queries.confirm_page(session, analysis, enrolment)
    form = forms.confirm_form(page.requirements, page.choices)
    if request.method == "GET":
        form.lock_version.data = str(analysis.lock_version)
    elif page.outcome is not None:
        flash("This analysis was already confirmed.", "info")
        return redirect(url_for("lna.confirm", analysis_id=analysis.id))
    elif form.validate():
        credits = [confirming.Credit(req.code, form[evidence].data or "", form[note].data or "")
                   for req, credit, evidence, note in form.names if form[credit].data]
        try:
            repeat = confirming.confirm(session, analysis, enrolment, user, capacity,
                                        form.route.data, credits,
                                        lock_version(form.lock_version.data),
                                        pid_confirmed=bool(form.confirm_pid.data))
        except service.LnaError as error:
            _show_problems(form, error)
        else:
            flash("This analysis was already confirmed." if repeat else
                  "The analysis is confirmed. The candidate has been sent an email.",
                  "info" if repeat else "success")
            return redirect(url_for("lna.confirm", analysis_id=analysis.id))
    code = 400 if request.method == "POST" else 200
    return render_template("lna/confirm.html", page=page, form=form, capacity=capacity), code


def _show_problems(form: forms.ConfirmForm, error: service.LnaError) -> None:
    """The service's messages beside the fields they are about."""
    fields = {f"{part}:{req.code}": name for req, _credit, evidence, note in form.names
              for part, name in (("evidence", evidence), ("note", note))}
    fields["route"] = "route"
    for key, message in (error.problems or {"route": str(error)}).items():
        target = form[fields.get(key, "route")]
        target.errors = list(target.errors) + [message]


@bp.get("/learning-needs-analyses/<int:analysis_id>/files/<int:attachment_id>")
@writes_when_read
@roles_required(*CONFIRMERS)
def download(analysis_id: int, attachment_id: int) -> Response:
    """A file of the analysis, as a download, for its confirmer; the opening is recorded."""
    session, user = get_session(), current_user._get_current_object()
    attachment, evidence, _enrolment = load_analysis_file(session, user, analysis_id,
                                                          attachment_id, today())
    body = attachments.open_for(session, user, attachment, evidence, former=False)
    if body is None:
        abort(404)
    response = send_file(body, mimetype=attachment.media_type, as_attachment=True,
                         download_name=kept_name(attachment.filename, attachment.media_type),
                         max_age=0, conditional=False)
    response.content_length = attachment.size_bytes
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response

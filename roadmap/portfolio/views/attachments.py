"""An item's files: attach one, download one, and remove one (asked first, only by its candidate)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from roadmap.accounts.models import Role
from roadmap.clock import today
from roadmap.db import get_session, writes_when_read
from roadmap.portfolio import attachments
from roadmap.portfolio.blueprint import OWNER, bp, evidence_page
from roadmap.portfolio.uploads import clean_filename, kept_name
from roadmap.web.access import roles_required
from roadmap.web.reach import CONTENT, Reach, load_attachment, load_evidence


@bp.post("/evidence/<int:evidence_id>/attachments")
@roles_required(Role.CANDIDATE)
def add_attachment(evidence_id: int) -> Response | tuple[str, int]:
    """Attach a PDF, PNG, JPEG or Word file, checked by its content; a refusal shows beside it."""
    session, user = get_session(), current_user._get_current_object()
    evidence, _ = load_evidence(session, user, evidence_id, OWNER, today())
    try:
        added = attachments.attach(session, evidence, user, request.files.get("file"),
                                   pid_confirmed=request.form.get("confirm_pid") == "y")
    except attachments.NameMayIdentify as refused:
        return evidence_page(evidence.id, upload_error=str(refused), marked=refused.marked,
                             excerpts=refused.excerpts if refused.marked is None else None), 400
    except attachments.AttachmentRefused as refused:
        return evidence_page(evidence.id, upload_error=str(refused)), 400
    flash(f"{added.filename} is attached.", "success")
    return redirect(url_for("portfolio.show_evidence", evidence_id=evidence.id) + "#attachments")


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    """A file past the request limit is refused before it is read (werkzeug stops reading):
    say the limit, and lead back to the item rather than leaving the person on a bare page."""
    evidence_id = (request.view_args or {}).get("evidence_id")
    back = (url_for("portfolio.show_evidence", evidence_id=evidence_id) + "#attachments"
            if isinstance(evidence_id, int) else url_for("portfolio.evidence_list"))
    limit = attachments.MAX_BYTES // (1024 * 1024)
    return render_template(
        "errors/error.html", title="The file is too large",
        message=f"Files you attach can be up to {limit} MB each. Nothing was attached. Save a "
                f"smaller copy (for example, a PDF of only the pages you need) and attach that.",
        back=back, back_text="Go back to the item" if isinstance(evidence_id, int)
        else "Go back to your evidence"), 413


@bp.get("/attachments/<int:attachment_id>")
@writes_when_read
@roles_required(Role.CANDIDATE, Role.SUPERVISOR)
def download_attachment(attachment_id: int) -> Response:
    """A file, as a download, to those who may read the item it belongs to."""
    session, user = get_session(), current_user._get_current_object()
    attachment, evidence, level = load_attachment(session, user, attachment_id, CONTENT, today())
    body = attachments.open_for(session, user, attachment, evidence,
                                former=level is Reach.SUPERVISOR_READONLY)
    if body is None:
        abort(404)
    # Names stored before uploads were cleaned may hold CR, LF or NUL, which no header may.
    response = send_file(body, mimetype=attachment.media_type, as_attachment=True,
                         download_name=kept_name(attachment.filename, attachment.media_type), max_age=0,
                         conditional=False)
    response.content_length = attachment.size_bytes
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/attachments/<int:attachment_id>/remove", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def remove_attachment(attachment_id: int) -> Response | str | tuple[str, int]:
    """Ask, then take the file off the item; a file a signature covers stays."""
    session, user = get_session(), current_user._get_current_object()
    attachment, evidence, _ = load_attachment(session, user, attachment_id, OWNER, today())
    name = clean_filename(attachment.filename)
    if request.method == "POST":
        try:
            attachments.remove(session, attachment, evidence, user)
        except attachments.AttachmentRefused as refused:
            return render_template("portfolio/remove_attachment.html", evidence=evidence,
                                   attachment=attachment, name=name, refusal=str(refused)), 409
        flash(f"{name} was removed.", "success")
        return redirect(url_for("portfolio.show_evidence", evidence_id=evidence.id)
                        + "#attachments")
    return render_template("portfolio/remove_attachment.html", evidence=evidence,
                           attachment=attachment, name=name,
                           refusal=attachments.why_kept(session, attachment))

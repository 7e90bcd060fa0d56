"""Removing a file from an item: a confirmation page, then a POST; only for its candidate."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from roadmap.accounts.models import Role
from roadmap.db import get_session
from roadmap.portfolio import attachments
from roadmap.portfolio.models import Attachment
from roadmap.portfolio.uploads import clean_filename
from roadmap.clock import today
from roadmap.portfolio.web import bp
from roadmap.web.access import roles_required
from roadmap.web.reach import Reach, load_evidence


@bp.route("/attachments/<int:attachment_id>/remove", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def remove_attachment(attachment_id: int) -> Response | str | tuple[str, int]:
    """Ask, then take the file off the item; a file a signature covers stays."""
    session, user = get_session(), current_user._get_current_object()
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    evidence, _ = load_evidence(session, user, attachment.evidence_id, {Reach.OWNER}, today())
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

"""The round's poster, the supervisor's release and the results as CSV."""
from __future__ import annotations

from flask import Response as FlaskResponse, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from roadmap.accounts.models import Role
from roadmap.clock import today
from roadmap.db import get_session
from roadmap.feedback import overview, poster, rounds
from roadmap.feedback.blueprint import READERS, bp, round_item
from roadmap.feedback.errors import FeedbackError
from roadmap.feedback.forms import ActionForm
from roadmap.web import downloads
from roadmap.web.access import roles_required
from roadmap.web.reach import Reach


@bp.get("/rounds/<int:evidence_id>/poster")
@roles_required(Role.CANDIDATE, Role.SUPERVISOR)
def poster_page(evidence_id: int) -> str:
    """A printable poster with the PSQ link and its QR code, for the clinic."""
    evidence, _level, _etype, _rule = round_item(evidence_id, READERS)
    link = overview.poster_link(rounds.round_of(get_session(), evidence.id))
    if link is None:
        abort(404)
    return render_template("feedback/poster.html", link=link, qr=poster.qr_svg(link),
                           evidence=evidence)


@bp.post("/rounds/<int:evidence_id>/release")
@roles_required(Role.SUPERVISOR)
def release(evidence_id: int) -> Response:
    """The supervisor has reviewed the responses and lets the candidate see the aggregate."""
    evidence, _level, _etype, rule = round_item(evidence_id, {Reach.SUPERVISOR})
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        rounds.release(get_session(), evidence, current_user._get_current_object(), rule)
        flash("Results released to the candidate.", "success")
    except FeedbackError as error:
        flash(str(error), "warning")
    return redirect(url_for("feedback.round_page", evidence_id=evidence_id))


@bp.get("/rounds/<int:evidence_id>/results.csv")
@roles_required(Role.CANDIDATE, Role.SUPERVISOR)
def results_csv(evidence_id: int) -> FlaskResponse:
    """The aggregate as CSV; only when the page would show it."""
    evidence, level, etype, rule = round_item(evidence_id, READERS)
    found = overview.results_csv(get_session(), evidence, etype, rule,
                                 supervisor=level is not Reach.OWNER)
    if found is None:
        abort(404)
    body, words = found
    return FlaskResponse(body, mimetype="text/csv", headers={
        "Content-Disposition": downloads.attachment(words, today(), "csv")})

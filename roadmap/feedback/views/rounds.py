"""The candidate's and supervisor's round pages: the round, opening it, and its raters."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from roadmap.accounts.models import Role
from roadmap.db import get_session, utcnow, writes_when_read
from roadmap.feedback import overview, rounds
from roadmap.feedback.blueprint import READERS, bp, round_item
from roadmap.feedback.errors import FeedbackError
from roadmap.feedback.forms import ActionForm, EmailForm, OpenRoundForm, RaterForm
from roadmap.feedback.models import FeedbackRater
from roadmap.pid import PATIENT_DETAILS
from roadmap.readers import service as readers
from roadmap.readers.models import Opened
from roadmap.web.access import roles_required
from roadmap.web.reach import Reach


def _page(evidence_id: int, rater_form: Any = None, opening: bool = False,
          open_form: Any = None, flagged: Any = None) -> str:
    """The round's page; `opening` notes that someone other than the candidate read it."""
    session = get_session()
    evidence, level, etype, rule = round_item(evidence_id, READERS)
    shown = overview.round_page(session, evidence, etype, rule,
                                supervisor=level is not Reach.OWNER,
                                current=level is Reach.SUPERVISOR)
    if opening:  # someone other than the candidate reads the self-assessment and results
        readers.record(session, current_user, shown.enrolment, Opened.ITEM,
                       former=level is Reach.SUPERVISOR_READONLY, evidence_id=evidence.id,
                       label=evidence.title)
    return render_template(
        "feedback/round.html", evidence=evidence, etype=etype, rule=rule, record=shown.record,
        counts=shown.counts, level=level, owner=level is Reach.OWNER, candidate=shown.candidate,
        self_answers=shown.self_answers, raters=shown.raters, now=utcnow(),
        rater_form=rater_form or RaterForm(), action=ActionForm(), results=shown.results,
        can_release=shown.can_release, poster_link=shown.poster_link,
        open_form=open_form or OpenRoundForm(formdata=None), flagged=flagged or {})


@bp.get("/rounds/<int:evidence_id>")
@writes_when_read
@roles_required(Role.CANDIDATE, Role.SUPERVISOR)
def round_page(evidence_id: int) -> str:
    """The round: self-assessment, who was asked, how many answered, and the results."""
    return _page(evidence_id, opening=True)


@bp.post("/rounds/<int:evidence_id>/open")
@roles_required(Role.CANDIDATE)
def open_round(evidence_id: int) -> Response | tuple[str, int]:
    """Start collecting feedback, once the self-assessment is done."""
    evidence, _level, _etype, _rule = round_item(evidence_id, {Reach.OWNER})
    form = OpenRoundForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        rounds.open_round(get_session(), evidence, current_user._get_current_object(),
                          pid_confirmed=bool(form.confirm_pid.data))
    except FeedbackError as error:
        if str(error) == PATIENT_DETAILS:  # shown beside the self-assessment, with the box
            return _page(evidence_id, open_form=form, flagged=error.problems), 400
        flash(str(error), "warning")
        return redirect(url_for("feedback.round_page", evidence_id=evidence_id))
    flash("The round is open.", "success")
    return redirect(url_for("feedback.round_page", evidence_id=evidence_id))


@bp.post("/rounds/<int:evidence_id>/raters")
@roles_required(Role.CANDIDATE)
def add_rater(evidence_id: int) -> Response | tuple[str, int]:
    """Ask one more colleague: they get their own link by email."""
    evidence, _level, _etype, _rule = round_item(evidence_id, {Reach.OWNER})
    form = RaterForm()
    if form.validate_on_submit():
        try:
            rater = rounds.add_rater(get_session(), evidence, current_user._get_current_object(),
                                     form.name.data, form.email.data, form.role.data,
                                     form.group.data)
        except FeedbackError as error:
            for name, message in error.problems.items():
                form[name].errors = list(form[name].errors) + [message]
            if not error.problems:
                flash(str(error), "warning")
        else:
            flash(f"We emailed {rater.name} their link.", "success")
            return redirect(url_for("feedback.round_page", evidence_id=evidence_id))
    return _page(evidence_id, rater_form=form), 400


def _rater_item(rater_id: int) -> FeedbackRater:
    """A rater on one of the candidate's own rounds; 404 for any other."""
    rater = rounds.rater_of(get_session(), rater_id)
    if rater is None:
        abort(404)
    round_item(rater.evidence_id, {Reach.OWNER})
    return rater


@bp.post("/raters/<int:rater_id>/resend")
@roles_required(Role.CANDIDATE)
def resend(rater_id: int) -> Response:
    """Send a rater a new link; the one before stops working."""
    rater = _rater_item(rater_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        rounds.resend(get_session(), rater.id, current_user._get_current_object())
        flash(f"We sent {rater.name} a new link. The earlier one no longer works.", "success")
    except FeedbackError as error:
        flash(str(error), "warning")
    return redirect(url_for("feedback.round_page", evidence_id=rater.evidence_id))


@bp.route("/raters/<int:rater_id>/email", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def correct_email(rater_id: int) -> Response | str | tuple[str, int]:
    """Correct a mistyped address: nothing is lost, the old link stops working."""
    rater = _rater_item(rater_id)
    form = EmailForm()
    if form.validate_on_submit():
        try:
            rounds.correct_email(get_session(), rater.id, current_user._get_current_object(),
                                 form.email.data)
        except FeedbackError as error:
            form.email.errors = list(form.email.errors) + [error.problems.get("email", str(error))]
            return render_template("feedback/correct_email.html", form=form, rater=rater), 400
        flash(f"We sent {rater.name} a link at the corrected address. "
              "The link sent to the old address no longer works.", "success")
        return redirect(url_for("feedback.round_page", evidence_id=rater.evidence_id))
    return render_template("feedback/correct_email.html", form=form, rater=rater)

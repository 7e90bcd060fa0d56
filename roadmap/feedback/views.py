"""The candidate's and supervisor's pages of a feedback round: raters, poster, results."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Flask, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from roadmap.accounts.models import Role, User
from roadmap.cohorts.models import Enrolment
from roadmap.clock import today
from roadmap.db import get_session, utcnow, writes_when_read
from roadmap.feedback import results, rounds
from roadmap.feedback.errors import FeedbackError
from roadmap.feedback.forms import ActionForm, EmailForm, RaterForm
from roadmap.feedback.models import FeedbackRater
from roadmap.feedback.rules import Rule, groups, round_type
from roadmap.framework import definitions
from roadmap.framework.models import FrameworkVersion
from roadmap.portfolio.models import Evidence
from roadmap.readers import service as readers
from roadmap.readers.models import Opened
from roadmap.web.access import roles_required
from roadmap.links import external_link
from roadmap.web.reach import Reach, load_evidence

bp = Blueprint("feedback", __name__, url_prefix="/feedback")
READERS = {Reach.OWNER, Reach.SUPERVISOR, Reach.SUPERVISOR_READONLY}


def init_app(app: Flask) -> None:
    """Register the blueprint with its public pages (links without an account)."""
    from roadmap.feedback import (public_views, result_views,  # noqa: F401  (add routes to bp)
                                  ticket_views)

    app.register_blueprint(bp)



def round_item(evidence_id: int, allowed: set[Reach]) -> tuple[Evidence, Reach, Any, Rule]:
    """The item, the person's reach, its type and round rule; 404 unless it is a round."""
    evidence, level = load_evidence(get_session(), current_user, evidence_id, allowed, today())
    etype, rule = round_type(get_session(), evidence)
    if rule is None:
        abort(404)
    return evidence, level, etype, rule


def visible(level: Reach, record: Any, rule: Rule, counts: Any) -> bool:
    """Who sees results: the supervisor once the minimum is in, the candidate once released."""
    if record is None or not rule.met(counts):
        return False
    return record.released_at is not None or level in (Reach.SUPERVISOR, Reach.SUPERVISOR_READONLY)


def _page(evidence_id: int, rater_form: Any = None, opening: bool = False) -> str:
    session = get_session()
    evidence, level, etype, rule = round_item(evidence_id, READERS)
    if opening:  # someone other than the candidate reads the self-assessment and results
        readers.record(session, current_user, session.get(Enrolment, evidence.enrolment_id),
                       Opened.ITEM, former=level is Reach.SUPERVISOR_READONLY,
                       evidence_id=evidence.id, label=evidence.title)
    record = rounds.round_of(session, evidence.id)
    counts = groups(session, evidence.id)
    version = session.get(FrameworkVersion, etype.framework_version_id)
    scales = definitions.scales(version)
    own = record.self_assessment if record else (evidence.fields or {})
    self_specs = rounds.self_fields(etype.definition)
    raters = session.scalars(sa.select(FeedbackRater).where(
        FeedbackRater.evidence_id == evidence.id).order_by(FeedbackRater.name)).all()
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    candidate = session.get(User, enrolment.candidate_id)
    shown = visible(level, record, rule, counts)
    return render_template(
        "feedback/round.html", evidence=evidence, etype=etype, rule=rule, record=record,
        counts=counts, level=level, owner=level is Reach.OWNER, candidate=candidate,
        self_answers=[(spec, definitions.display_answer(spec, own, scales)) for spec in self_specs],
        raters=raters, now=utcnow(), rater_form=rater_form or RaterForm(), action=ActionForm(),
        results=results.compute(session, evidence.id, etype, scales, own) if shown else None,
        can_release=(level is Reach.SUPERVISOR and record is not None
                     and record.released_at is None and rule.met(counts)),
        poster_link=external_link("feedback.patient_form", rounds.psq_token(record))
        if record is not None and record.kind == "psq" else None)


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
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        rounds.open_round(get_session(), evidence, current_user._get_current_object())
    except FeedbackError as error:
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
    rater = get_session().get(FeedbackRater, rater_id)
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

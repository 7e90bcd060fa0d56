"""A supervised candidate's pages: headings and ratings, and the timeline."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from roadmap.accounts.models import Role
from roadmap.pid import PATIENT_DETAILS, check as pid_check
from roadmap.clock import today
from roadmap.db import get_session, writes_when_read
from roadmap.supervision import candidates, ratings, timeline
from roadmap.supervision.blueprint import bp
from roadmap.supervision.errors import Incomplete, SupervisionError
from roadmap.supervision.forms import LinkForm, RatingForm
from roadmap.web.access import roles_required
from roadmap.web.params import page_number
from roadmap.web.reach import Reach, load_enrolment

# A former supervisor sees none of these pages: only the items and stages they signed. The
# educational supervisor reads them all and acts on none (each action checks for SUPERVISOR).
SUPERVISING = {Reach.SUPERVISOR, Reach.EDUCATIONAL}


@bp.get("/supervision/candidates/<int:enrolment_id>")
@roles_required(Role.SUPERVISOR)
def candidate(enrolment_id: int) -> str:
    """One candidate: each heading's evidence and both ratings, stages, recent items."""
    session = get_session()
    enrolment, level = load_enrolment(session, current_user, enrolment_id, SUPERVISING, today())
    shown = candidates.overview(session, enrolment, today())
    return render_template("supervision/candidate.html", enrolment=enrolment, level=level,
                           person=shown.person, capabilities=shown.capabilities,
                           given=shown.given, counts=shown.counts,
                           waits=shown.waits, items=shown.items, labels=shown.labels,
                           team=shown.team, names=shown.names, member=shown.member,
                           target=shown.target)


@bp.route("/supervision/candidates/<int:enrolment_id>/headings/<int:capability_id>",
          methods=["GET", "POST"])
@writes_when_read
@roles_required(Role.SUPERVISOR)
def rate(enrolment_id: int, capability_id: int) -> Response | str:
    """See the candidate's self-rating and evidence for a heading; give my rating; link more."""
    session = get_session()
    enrolment, level = load_enrolment(session, current_user, enrolment_id, SUPERVISING, today())
    shown = candidates.heading(session, enrolment, capability_id)
    if shown is None:
        abort(404)
    capability = shown.capability
    form, link = RatingForm(prefix="rate"), LinkForm(prefix="link")
    form.rating.choices = [SelectChoice(lv["code"], lv["label"]) for lv in shown.levels]
    link.evidence_id.choices = [SelectChoice(0, "Choose an item")] + [
        SelectChoice(e.id, e.title) for e in shown.others]
    if request.method == "POST" and level is not Reach.SUPERVISOR:
        abort(404)
    marked = {}
    try:
        if request.form.get("rate-rating") is not None and form.validate_on_submit():
            ratings.rate(session, enrolment, capability.id, current_user, form.rating.data,
                         form.justification.data, today(),
                         pid_confirmed=bool(form.confirm_pid.data))
            flash(f"Your rating of {capability.code}. {capability.title} is saved.", "success")
            return redirect(url_for("supervision.candidate", enrolment_id=enrolment.id))
        if request.form.get("link-evidence_id") and link.validate_on_submit():
            ratings.link_evidence(session, enrolment, capability.id, link.evidence_id.data,
                                  current_user, today())
            flash("The item is now linked to this heading.", "success")
            return redirect(request.path)
    except Incomplete as problem:
        for name, message in problem.problems.items():
            form[name].errors = list(form[name].errors) + [message]
        if str(problem) == PATIENT_DETAILS:
            texts = {"justification": form.justification.data or ""}
            marked = pid_check.marked(texts, pid_check.flagged(texts))
    except SupervisionError as problem:
        flash(str(problem), "error")
    if request.method == "GET" and shown.mine is not None \
            and shown.mine.rated_by_id == current_user.id:  # another's rating is not "yours"
        form.rating.data, form.justification.data = shown.mine.rating, shown.mine.justification
    if request.method == "GET":
        candidates.opened_heading(session, current_user, enrolment, shown)
    return render_template("supervision/rate.html", enrolment=enrolment, capability=capability,
                           form=form, link=link, linked=shown.linked, mine=shown.mine,
                           own=shown.own, level=level, labels=shown.labels, person=shown.person,
                           rater=shown.rater, marked=marked)


@bp.get("/timeline/<int:enrolment_id>")
@roles_required(Role.CANDIDATE, Role.SUPERVISOR)
def enrolment_timeline(enrolment_id: int) -> str:
    """What happened in the portfolio, newest first, in words."""
    session = get_session()
    enrolment, level = load_enrolment(session, current_user, enrolment_id,
                                      {Reach.OWNER, *SUPERVISING}, today())
    page = page_number()
    shown = timeline.page_of(session, enrolment, page, drafts=level is Reach.OWNER)
    return render_template("supervision/timeline.html", enrolment=enrolment, entries=shown.entries,
                           page=page, more=shown.more, person=shown.person)

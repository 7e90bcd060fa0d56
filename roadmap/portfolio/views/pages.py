"""The portfolio pages: where I stand, the evidence list, the case mix, self-ratings, autosave."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, RadioField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired
from roadmap.form_limits import MaxLength

from roadmap.accounts.models import Role
from roadmap.clock import today
from roadmap.db import get_session
from roadmap.fields import id_number
from roadmap.framework import definitions
from roadmap.pid import check as pid_check
from roadmap.portfolio import autosave, casemix, items, progress, ratings
from roadmap.portfolio.blueprint import bp, enrolment_or_404, enrolment_or_none, keeps_work
from roadmap.portfolio.service import PortfolioError
from roadmap.web.access import roles_required


@bp.get("/")
@roles_required(Role.CANDIDATE)
def home() -> str:
    """Where I stand: the matrix, WPBAs this month, the target date, what waits on a supervisor."""
    enrolment = enrolment_or_none()
    if enrolment is None:
        return render_template("portfolio/home.html", standing=None)
    return render_template("portfolio/home.html",
                           standing=progress.standing(get_session(), enrolment, today()),
                           short_name=definitions.short_name)


@bp.get("/evidence")
@roles_required(Role.CANDIDATE)
def evidence_list() -> str:
    """Every item of the candidate's portfolio, newest first."""
    enrolment = enrolment_or_404()
    return render_template("portfolio/evidence_list.html",
                           items=items.evidence_list(get_session(), enrolment.id))


@bp.get("/case-mix")
@roles_required(Role.CANDIDATE)
def case_mix() -> str:
    """Logged cases by body region, consultation type and outcome, with the gaps."""
    enrolment = enrolment_or_404()
    summary = casemix.summary(get_session(), enrolment.id, enrolment.framework_version_id)
    return render_template("portfolio/case_mix.html", summary=summary)


class SelfRatingForm(FlaskForm):
    """The candidate's rating of one heading, why, and more evidence to link."""

    rating = RadioField("Your rating", validators=[InputRequired("Select your rating")],
                        validate_choice=True)
    justification = TextAreaField("Why you chose this rating", validators=[
        DataRequired("Explain your rating, with reference to your evidence"),
        MaxLength(5000)])
    link = SelectMultipleField("Link more evidence to this heading", coerce=id_number,
                               validate_choice=False)
    confirm_pid = BooleanField("I have checked the highlighted text and none of it identifies "
                               "a patient")


@bp.route("/headings/<int:capability_id>", methods=["GET", "POST"])
@keeps_work
@roles_required(Role.CANDIDATE)
def rate_capability(capability_id: int) -> Response | str:
    """Self-rate one capability heading with a justification and linked evidence (rule D4)."""
    session, enrolment = get_session(), enrolment_or_404()
    page = ratings.rating_page(session, enrolment, current_user, capability_id, request.path,
                               opening=request.method == "GET")
    if page is None:
        abort(404)
    if page.kept is not None:
        form = SelfRatingForm(formdata=autosave.as_form(page.kept, {}))
    else:
        form = SelfRatingForm()
        if page.current is not None:
            form.rating.data, form.justification.data = page.current.rating, page.current.justification
    form.rating.choices = [SelectChoice(code, label) for code, label in page.levels]
    form.link.choices = [SelectChoice(e.id, e.title) for e in page.linkable]
    marked = {}
    if form.validate_on_submit():
        try:
            ratings.rate(session, enrolment, current_user, page.capability, form.rating.data,
                         form.justification.data, form.link.data or [], kept_under=request.path,
                         pid_confirmed=bool(form.confirm_pid.data))
        except ratings.PatientDetails as error:
            form.justification.errors = list(form.justification.errors) + [str(error)]
            marked = pid_check.marked({"justification": form.justification.data}, error.found)
        except PortfolioError as error:
            form.rating.errors = list(form.rating.errors) + [str(error)]
        else:
            flash(f"Your rating of \u201c{page.capability.title}\u201d is saved.", "success")
            return redirect(url_for("portfolio.home") + "#ratings")
    return render_template("portfolio/rate.html", form=form, capability=page.capability,
                           linked=page.linked, linkable=page.linkable, restored=page.kept,
                           marked=marked)


@bp.post("/autosave")
@roles_required(Role.CANDIDATE)
def autosave_form() -> tuple[Response, int] | Response:
    """Keep a form's answers for its page; the page's script calls this every 30 seconds."""
    path = request.form.get("path", "")
    if not path.startswith("/portfolio/") or len(path) > 300:
        return jsonify({"saved": False}), 400
    row = autosave.keep(get_session(), current_user.id, path, request.form)
    return jsonify({"saved": True, "saved_at": row.saved_at.isoformat()})

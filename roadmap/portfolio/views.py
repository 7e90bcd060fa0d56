"""The portfolio pages: where I stand, the evidence list, the case mix, self-ratings, autosave."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import RadioField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from roadmap.accounts.models import Role
from roadmap.db import get_session
from roadmap.fields import id_number
from roadmap.framework import definitions, markdown
from roadmap.framework.models import Capability, FrameworkVersion
from roadmap.portfolio import autosave, casemix, progress, ratings
from roadmap.portfolio.models import Evidence
from roadmap.portfolio.service import PortfolioError
from roadmap.clock import today
from roadmap.portfolio.web import STATUS_TAGS, bp, enrolment_or_404, enrolment_or_none, keeps_work
from roadmap.web.access import roles_required


def init_app(app: Flask) -> None:
    """Register the blueprint and its navigation links."""
    from roadmap.portfolio import attachment_views, evidence_views  # noqa: F401  (add routes to bp)
    from roadmap.web import templating

    app.register_blueprint(bp)
    app.jinja_env.globals["evidence_status_tags"] = STATUS_TAGS
    app.jinja_env.filters["portfolio_markdown"] = markdown.render
    app.jinja_env.filters["supervisor_label"] = lambda a: f"{a.supervisor.full_name} ({a.kind})"
    templating.register_navigation(app, Role.CANDIDATE.value, "portfolio.home", "Portfolio")
    templating.register_navigation(app, Role.CANDIDATE.value, "portfolio.evidence_list", "Evidence")


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
    items = get_session().scalars(
        sa.select(Evidence).where(Evidence.enrolment_id == enrolment.id)
        .options(sa.orm.selectinload(Evidence.evidence_type))
        .order_by(Evidence.occurred_on.desc().nulls_last(), Evidence.id.desc())).all()
    return render_template("portfolio/evidence_list.html", items=items)


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
        DataRequired("Explain your rating, with reference to your evidence"), Length(max=5000)])
    link = SelectMultipleField("Link more evidence to this heading", coerce=id_number,
                               validate_choice=False)


@bp.route("/headings/<int:capability_id>", methods=["GET", "POST"])
@keeps_work
@roles_required(Role.CANDIDATE)
def rate_capability(capability_id: int) -> Response | str:
    """Self-rate one capability heading with a justification and linked evidence (rule D4)."""
    session, enrolment = get_session(), enrolment_or_404()
    capability = session.get(Capability, capability_id)
    if capability is None or capability.framework_version_id != enrolment.framework_version_id:
        abort(404)
    version = session.get(FrameworkVersion, enrolment.framework_version_id)
    linked, linkable = ratings.linkable_evidence(session, enrolment, capability)
    form = SelfRatingForm()
    _choices(form, version, linkable)
    kept = autosave.kept(session, current_user.id, request.path) if request.method == "GET" else None
    if kept is not None:
        form = SelfRatingForm(formdata=autosave.as_form(kept, {}))
        _choices(form, version, linkable)
    elif request.method == "GET":
        current = _self_rating(session, enrolment.id, capability.id)
        if current is not None:
            form.rating.data, form.justification.data = current.rating, current.justification
    if form.validate_on_submit():
        try:
            ratings.rate(session, enrolment, current_user, capability, form.rating.data,
                         form.justification.data, form.link.data or [])
        except PortfolioError as error:
            form.rating.errors = list(form.rating.errors) + [str(error)]
        else:
            autosave.discard(session, current_user.id, request.path)
            flash(f"Your rating of \u201c{capability.title}\u201d is saved.", "success")
            return redirect(url_for("portfolio.home") + "#ratings")
    return render_template("portfolio/rate.html", form=form, capability=capability,
                           linked=linked, restored=kept)


def _choices(form: SelfRatingForm, version: FrameworkVersion, linkable: list[Evidence]) -> None:
    form.rating.choices = [SelectChoice(lv["code"], lv["label"])
                           for lv in definitions.capability_levels(version.document)]
    form.link.choices = [SelectChoice(e.id, e.title) for e in linkable]


def _self_rating(session: sa.orm.Session, enrolment_id: int, capability_id: int):  # type: ignore[no-untyped-def]
    from roadmap.supervision.models import CapabilityRating

    return session.scalar(sa.select(CapabilityRating).where(
        CapabilityRating.enrolment_id == enrolment_id,
        CapabilityRating.capability_id == capability_id, CapabilityRating.rater_kind == "self"))


@bp.post("/autosave")
@roles_required(Role.CANDIDATE)
def autosave_form() -> tuple[Response, int] | Response:
    """Keep a form's answers for its page; the page's script calls this every 30 seconds."""
    path = request.form.get("path", "")
    if not path.startswith("/portfolio/") or len(path) > 300:
        return jsonify({"saved": False}), 400
    row = autosave.keep(get_session(), current_user.id, path, request.form)
    return jsonify({"saved": True, "saved_at": row.saved_at.isoformat()})

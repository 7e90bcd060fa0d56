"""Progress reviews: the educational supervisor records one; the candidate reads it and responds."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from roadmap.accounts.models import Role
from roadmap.clock import today
from roadmap.db import get_session
from roadmap.links import absolute_url
from roadmap.supervision import progress_reviews as reviews
from roadmap.supervision.blueprint import bp
from roadmap.supervision.errors import Incomplete, SupervisionError
from roadmap.supervision.progress_forms import ResponseForm, progress_review_form
from roadmap.web.access import roles_required
from roadmap.web.reach import Reach, load_enrolment, load_progress_review

# The candidate, their primary and backup, and their educational supervisor read reviews; only
# the educational supervisor records one, and only the candidate responds.
READERS = {Reach.OWNER, Reach.SUPERVISOR, Reach.EDUCATIONAL}


def _attach(form: Any, problems: dict[str, str]) -> None:
    """Put the service's messages beside the fields they concern."""
    for key, message in problems.items():
        field = form.field_for(key)
        if field is not None:
            field.errors = list(field.errors) + [message]


@bp.route("/supervision/candidates/<int:enrolment_id>/progress-reviews/new",
          methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def record_progress_review(enrolment_id: int) -> Response | tuple[str, int]:
    """The educational supervisor's review: progress on each heading, concerns, agreed actions."""
    session, user = get_session(), current_user._get_current_object()
    enrolment, _level = load_enrolment(session, user, enrolment_id, {Reach.EDUCATIONAL}, today())
    shown = reviews.reviews_of(session, enrolment)
    caps = reviews.headings(session, enrolment)
    form = progress_review_form(caps)
    warned = False
    if request.method == "GET":
        form.reviewed_on.data = today()
    elif not form.validate():
        _attach(form, {key: message for key, message in reviews.problems_with(
            enrolment, caps, form.reviewed_on.data,
            form.progress(), (form.concerns.data or "").strip(),
            (form.agreed_actions.data or "").strip(), today()).items()
            if (field := form.field_for(key)) is not None and not field.errors})
    else:
        try:
            review = reviews.record(
                session, enrolment, user, form.reviewed_on.data, form.progress(),
                form.concerns.data, form.agreed_actions.data, today(),
                pid_confirmed=form.confirm_pid.data,
                link=absolute_url("supervision.progress_reviews", enrolment_id=enrolment.id))
        except Incomplete as problem:
            _attach(form, problem.problems)
            warned = str(problem) == reviews.PATIENT_DETAILS
        except SupervisionError as problem:
            flash(str(problem), "error")
            return redirect(url_for("supervision.candidate", enrolment_id=enrolment.id))
        else:
            flash(f"Your progress review is recorded. {shown.candidate.full_name} has been "
                  "emailed and can respond.", "success")
            return redirect(url_for("supervision.progress_review", review_id=review.id))
    body = render_template("supervision/progress_review_form.html", form=form,
                           enrolment=enrolment, person=shown.candidate, warned=warned)
    return body, 200 if request.method == "GET" else 400


@bp.get("/progress-reviews/<int:enrolment_id>")
@roles_required(Role.CANDIDATE, Role.SUPERVISOR)
def progress_reviews(enrolment_id: int) -> str:
    """Every progress review of a candidate, newest first."""
    session = get_session()
    enrolment, level = load_enrolment(session, current_user, enrolment_id, READERS, today())
    shown = reviews.reviews_of(session, enrolment)
    return render_template("supervision/progress_reviews.html", enrolment=enrolment, level=level,
                           person=shown.candidate, rows=shown.rows, levels=reviews.LEVELS)


def _review_page(review_id: int, form: ResponseForm, warned: bool = False) -> str:
    """One review, with the candidate's response or the form to give one."""
    session = get_session()
    review, level = load_progress_review(session, current_user, review_id, READERS, today())
    shown = reviews.review_page(session, review)
    return render_template("supervision/progress_review.html", review=review, level=level,
                           reviewer=shown.reviewer, person=shown.candidate, lines=shown.lines,
                           form=form, warned=warned)


@bp.get("/progress-reviews/review/<int:review_id>")
@roles_required(Role.CANDIDATE, Role.SUPERVISOR)
def progress_review(review_id: int) -> str:
    """A progress review: each heading, concerns, agreed actions, and the candidate's response."""
    return _review_page(review_id, ResponseForm(formdata=None))


@bp.post("/progress-reviews/review/<int:review_id>/response")
@roles_required(Role.CANDIDATE)
def respond_to_review(review_id: int) -> Response | tuple[str, int]:
    """The candidate's response: once only; a second one is refused with a message."""
    session, user = get_session(), current_user._get_current_object()
    review, _level = load_progress_review(session, user, review_id, {Reach.OWNER}, today())
    form, warned = ResponseForm(), False
    if form.validate():
        try:
            reviews.respond(
                session, review, user, form.response.data, pid_confirmed=form.confirm_pid.data,
                link=absolute_url("supervision.progress_review", review_id=review.id))
        except Incomplete as problem:
            _attach(form, problem.problems)
            warned = str(problem) == reviews.PATIENT_DETAILS
        except SupervisionError as problem:
            flash(str(problem), "error")
            return redirect(url_for("supervision.progress_review", review_id=review.id))
        else:
            flash("Your response is saved. Your educational supervisor has been emailed.",
                  "success")
            return redirect(url_for("supervision.progress_review", review_id=review.id))
    return _review_page(review.id, form, warned), 400

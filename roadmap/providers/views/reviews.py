"""A reviewer's pages: the queue, the frozen snapshot of a round, approve or refer back."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from roadmap.accounts.models import Role
from roadmap.clock import today
from roadmap.db import get_session
from roadmap.portfolio.pid import PATIENT_DETAILS
from roadmap.providers import decisions, forms, queue as queues
from roadmap.providers.blueprint import (identity_confirmed, identity_recent, me,
                                         reviews_bp as bp, sample_percent)
from roadmap.supervision.errors import Incomplete, SupervisionError
from roadmap.web.access import roles_required
from roadmap.web.reach import load_review_round


@bp.get("")
@roles_required(Role.PROVIDER_REVIEWER)
def queue() -> str:
    """Portfolios waiting for my provider's approval, oldest first, with their age."""
    return render_template("providers/queue.html",
                           waiting=queues.queue(get_session(), me(), today()))


def _render(round_id: int, approve: forms.ApproveForm | None = None,
            refer: forms.ReferForm | None = None, heading_errors: dict[str, str] | None = None,
            status: int = 200, warned: bool = False) -> Any:
    """The review page with its two forms (empty, or as posted)."""
    session = get_session()
    page = queues.review_page(session, *load_review_round(session, me(), round_id))
    body = render_template(
        "providers/review.html", page=page,
        approve=approve or forms.ApproveForm(formdata=None, prefix="approve"),
        refer=refer or forms.ReferForm(formdata=None, prefix="refer"),
        heading_errors=heading_errors or {},
        given={h.code: request.form.get(f"heading-{h.code}", "") for h in page.headings},
        identity_needed=not identity_recent(), warned=warned)
    return (body, status) if status != 200 else body


@bp.get("/rounds/<int:round_id>")
@roles_required(Role.PROVIDER_REVIEWER)
def review(round_id: int) -> Any:
    """What the supervisor signed off in this round, frozen; approve it or refer it back."""
    return _render(round_id)


def _reach(round_id: int) -> Response | None:
    """Load the round a decision is posted on; None when the person reaches it.

    A reviewer whose sampled approval took the round out of their reach (a double click, say)
    is told it already has their decision, rather than shown a page that is not there.
    """
    session = get_session()
    try:
        load_review_round(session, me(), round_id)
    except NotFound:
        if not decisions.decided_by(session, round_id, me().id):
            raise
        flash("This round already has your decision.", "warning")
        return redirect(url_for("reviews.queue"))
    return None


def _decide(round_id: int, outcome: str, form: Any, reason: str | None,
            by_heading: dict[str, str], pid_confirmed: bool = False) -> Response | None:
    """Make the decision once the person is confirmed; None when the page must show errors."""
    if not (form.validate() and identity_confirmed(form)):
        return None
    decisions.decide(get_session(), round_id, me(), outcome, reason, by_heading,
                     sample_percent(), today(), pid_confirmed=pid_confirmed)
    return redirect(url_for("reviews.queue"))


@bp.post("/rounds/<int:round_id>/approve")
@roles_required(Role.PROVIDER_REVIEWER)
def approve(round_id: int) -> Any:
    """Approve the round for the provider; a sampled approval waits for a second reviewer."""
    told = _reach(round_id)
    if told is not None:
        return told
    form = forms.ApproveForm(prefix="approve")
    try:
        done = _decide(round_id, "approved", form, None, {})
    except SupervisionError as problem:
        flash(str(problem), "error")
        return redirect(url_for("reviews.queue"))
    if done is None:
        return _render(round_id, approve=form, status=400)
    flash("You approved the portfolio.", "success")
    return done


@bp.post("/rounds/<int:round_id>/refer")
@roles_required(Role.PROVIDER_REVIEWER)
def refer(round_id: int) -> Any:
    """Refer the round back with a reason, and a reason per heading where chosen."""
    told = _reach(round_id)
    if told is not None:
        return told
    form = forms.ReferForm(prefix="refer")
    by_heading = {name[len("heading-"):]: value for name, value in request.form.items()
                  if name.startswith("heading-")}
    headings: dict[str, str] = {}
    warned = False
    try:
        done = _decide(round_id, "referred", form, form.reason.data, by_heading,
                       form.confirm_pid.data)
    except Incomplete as problem:
        done, warned = None, str(problem) == PATIENT_DETAILS
        for name, message in problem.problems.items():
            if name == "reason":
                form.reason.errors = list(form.reason.errors) + [message]
            else:
                headings[name.removeprefix("heading-")] = message
    except SupervisionError as problem:
        flash(str(problem), "error")
        return redirect(url_for("reviews.queue"))
    if done is None:
        return _render(round_id, refer=form, heading_errors=headings, status=400, warned=warned)
    flash("You referred the portfolio back. The candidate and their supervisors have been told "
          "why.", "success")
    return done

"""A reviewer's pages: the queue, the frozen snapshot of a round, approve or refer back, each
read back on a check-your-answers page where the reviewer confirms who they are."""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import flash, redirect, render_template, request, session as cookie, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from roadmap.accounts.models import Role
from roadmap.clock import today
from roadmap.db import get_session
from roadmap.pid import check as pid_check
from roadmap.portfolio import autosave
from roadmap.portfolio.pid import PATIENT_DETAILS
from roadmap.providers import decisions, forms, queue as queues
from roadmap.providers.blueprint import (identity_confirmed, identity_recent, me,
                                         reviews_bp as bp, sample_percent)
from roadmap.providers.models import DecisionOutcome
from roadmap.supervision.errors import Incomplete, SupervisionError
from roadmap.supervision.forms import IdentityForm
from roadmap.web.access import roles_required
from roadmap.web.reach import load_review_round

APPROVED, REFERRED = DecisionOutcome.APPROVED.value, DecisionOutcome.REFERRED.value


@bp.get("")
@roles_required(Role.PROVIDER_REVIEWER)
def queue() -> str:
    """Portfolios waiting for my provider's approval, oldest first, with their age."""
    return render_template("providers/queue.html",
                           waiting=queues.queue(get_session(), me(), today()))


def _render(round_id: int, refer: forms.ReferForm | None = None,
            heading_errors: dict[str, str] | None = None, status: int = 200,
            warned: bool = False) -> Any:
    """The review page with its two forms (empty, kept for checking, or as posted)."""
    session, user = get_session(), me()
    page = queues.review_page(session, *load_review_round(session, user, round_id))
    kept = autosave.kept(session, user.id, _back(round_id)) if request.method == "GET" else None
    data = autosave.as_form(kept, {}) if kept is not None else request.form
    if refer is None and kept is not None and data.get("decision") == REFERRED:  # any reason
        refer = forms.ReferForm(formdata=data, prefix="refer")
    body = render_template(
        "providers/review.html", page=page,
        approve=forms.ApproveForm(formdata=None, prefix="approve"),
        refer=refer or forms.ReferForm(formdata=None, prefix="refer"),
        heading_errors=heading_errors or {},
        given={h.code: data.get(f"heading-{h.code}", "") for h in page.headings},
        warned=warned, restored=kept)
    return (body, status) if status != 200 else body


def _back(round_id: int) -> str:
    """The review page, where the answers being checked are kept."""
    return url_for("reviews.review", round_id=round_id)


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


def _headings(data: Any) -> dict[str, str]:
    """The reasons given for particular headings, by heading code."""
    return {name[len("heading-"):]: value for name, value in data.items()
            if name.startswith("heading-")}


def _confirmed(form: forms.ReferForm, by_heading: dict[str, str]) -> tuple[bool, str]:
    """(whether the box was ticked with the findings of the reasons shown, their digest): a
    tick kept through "Change" on the check page covers no identifier added since."""
    texts = {"reason": form.reason.data or "",
             **{f"heading-{code}": text for code, text in by_heading.items()}}
    return pid_check.as_shown(form.confirm_pid.data, form.pid_shown.data, texts)


def _to_check(round_id: int, outcome: str) -> Response:
    """Keep what was posted, with the decision, and read it back on the check page."""
    data = MultiDict(request.form)
    data["decision"] = outcome
    autosave.keep(get_session(), me().id, _back(round_id), data, autosave.CHECKING)
    return redirect(url_for("reviews.check_decision", round_id=round_id))


def _keeps_decision(outcome: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Outside the access check: a decision posted after the session ended is kept for the
    person whose session it was, and offered back on the review page once they sign in again
    (which returns them to the address posted to: its GET leads to the review page)."""
    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(round_id: int) -> Any:
            token = cookie.get("sid")  # read before current_user, which drops an ended session
            if request.method == "POST" and token and not current_user.is_authenticated:
                data = MultiDict(request.form)
                data["decision"] = outcome
                autosave.keep_for_expired_session(get_session(), token, _back(round_id), data)
            return view(round_id)

        wrapper.allowed_roles = view.allowed_roles  # type: ignore[attr-defined]
        return wrapper
    return decorate


@bp.route("/rounds/<int:round_id>/approve", methods=["GET", "POST"])
@_keeps_decision(APPROVED)
@roles_required(Role.PROVIDER_REVIEWER)
def approve(round_id: int) -> Any:
    """Approve the round for the provider: first checked, then confirmed (check_decision)."""
    told = _reach(round_id)
    if told is not None:
        return told
    if request.method == "GET":  # back from signing in again: the review page has it all
        return redirect(_back(round_id))
    form = forms.ApproveForm(prefix="approve")
    if not form.validate():
        return _render(round_id, status=400)
    try:
        decisions.check(get_session(), round_id, me(), APPROVED, None, {})
    except SupervisionError as problem:
        flash(str(problem), "error")
        return redirect(url_for("reviews.queue"))
    return _to_check(round_id, APPROVED)


@bp.route("/rounds/<int:round_id>/refer", methods=["GET", "POST"])
@_keeps_decision(REFERRED)
@roles_required(Role.PROVIDER_REVIEWER)
def refer(round_id: int) -> Any:
    """Refer the round back with a reason, and a reason per heading where chosen; checked,
    then confirmed (check_decision)."""
    told = _reach(round_id)
    if told is not None:
        return told
    if request.method == "GET":  # back from signing in again: the review page has it all
        return redirect(_back(round_id))
    form = forms.ReferForm(prefix="refer")
    valid = form.validate()
    headings: dict[str, str] = {}
    warned = False
    confirmed, shown = _confirmed(form, _headings(request.form))
    try:
        decisions.check(get_session(), round_id, me(), REFERRED, form.reason.data,
                        _headings(request.form), pid_confirmed=confirmed)
    except Incomplete as problem:
        valid, warned = False, str(problem) == PATIENT_DETAILS
        if warned:  # shown again (or for the first time): the box unticked, their digest kept
            form.pid_shown.data, form.confirm_pid.data = shown, False
        for name, message in problem.problems.items():
            if name == "reason":
                form.reason.errors = list(form.reason.errors) + [message]
            else:
                headings[name.removeprefix("heading-")] = message
    except SupervisionError as problem:
        flash(str(problem), "error")
        return redirect(url_for("reviews.queue"))
    if not valid:
        return _render(round_id, refer=form, heading_errors=headings, status=400, warned=warned)
    return _to_check(round_id, REFERRED)


@bp.route("/rounds/<int:round_id>/check", methods=["GET", "POST"])
@roles_required(Role.PROVIDER_REVIEWER)
def check_decision(round_id: int) -> Any:
    """Read back the decision, its reasons and who makes it; confirm who you are and decide.

    The decision is made once: a second click finds the kept answers taken and is told the
    round has the reviewer's decision.
    """
    told = _reach(round_id)
    if told is not None:
        return told
    session, user, back = get_session(), me(), _back(round_id)
    kept = autosave.checking(session, user.id, back)
    if kept is None:
        if decisions.decided_by(session, round_id, user.id):
            flash("This round already has your decision.", "warning")
            return redirect(url_for("reviews.queue"))
        flash("Choose approve or refer back, then check your decision.", "warning")
        return redirect(back)
    data = autosave.as_form(kept, {})
    outcome = data.get("decision") or ""
    form = forms.ReferForm(formdata=data, prefix="refer")
    reason = form.reason.data if outcome == REFERRED else None
    by_heading = _headings(data) if outcome == REFERRED else {}
    pid_confirmed = _confirmed(form, by_heading)[0] if outcome == REFERRED else False
    try:
        checked = decisions.check(session, round_id, user, outcome, reason, by_heading,
                                  pid_confirmed=pid_confirmed)
    except SupervisionError as problem:
        flash(str(problem), "error")
        return redirect(back)
    identity, status = IdentityForm(), 200
    if request.method == "POST":
        if identity_confirmed(identity):
            saved = dict(kept.data)
            if not autosave.take(session, kept):
                return redirect(request.path)  # the twin request decided; the page says so
            try:
                decisions.decide(session, round_id, user, outcome, reason, by_heading,
                                 sample_percent(), today(), pid_confirmed=pid_confirmed)
            except SupervisionError as problem:
                if not decisions.decided_by(session, round_id, user.id):
                    autosave.put_back(session, user.id, back, saved)
                flash(str(problem), "error")
                return redirect(url_for("reviews.queue"))
            flash("You approved the portfolio." if outcome == APPROVED else
                  "You referred the portfolio back. The candidate and their supervisors have "
                  "been told why.", "success")
            return redirect(url_for("reviews.queue"))
        status = 400
    page = queues.review_page(session, checked.kept, checked.record, checked.enrolment)
    body = render_template("providers/check_decision.html", page=page, checked=checked,
                           outcome=outcome, identity=identity, back=back,
                           identity_needed=not identity_recent())
    return (body, status) if status != 200 else body

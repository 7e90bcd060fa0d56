"""Pages for people without an account: a colleague's MSF link and the patients' PSQ link."""
from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from roadmap.db import get_session
from roadmap.feedback import responses
from roadmap.feedback.blueprint import bp, private, unusable
from roadmap.feedback.errors import FeedbackError
from roadmap.feedback.forms import PidConfirmForm
from roadmap.feedback.subject import subject_of
from roadmap.pid import check as pid_check
from roadmap.portfolio.forms import PREFIX, answers_of, questions_form
from roadmap.web.access import public


def _questionnaire(opened: responses.Opened) -> tuple[Any, str, Any]:
    """The respondent's part of the item's form, and the practitioner's name."""
    subject = subject_of(get_session(), opened.evidence)
    form = questions_form(subject.etype, None, subject.scales, ["respondent"])
    return form, subject.candidate_name, subject.sections(["respondent"])


@bp.route("/colleague/<token>", methods=["GET", "POST"])
@public
def rater_form(token: str) -> Any:
    """A colleague answers the MSF questionnaire, once."""
    session = get_session()
    opened = responses.open_rater_link(session, token, request.remote_addr)
    if opened.problem:
        return unusable(opened.problem)
    form, name, sections = _questionnaire(opened)
    group_field = PREFIX + "respondent_group"
    if request.method == "GET" and group_field in form:
        form[group_field].data = opened.rater.rater_group
    pid, marked = PidConfirmForm(), {}
    if form.validate_on_submit():
        try:
            if not responses.submit_rater(session, opened, answers_of(form),
                                          pid_confirmed=bool(pid.confirm_pid.data)):
                return unusable("used")
        except FeedbackError as error:
            marked = _flagged(session, opened, form, error)
        else:
            return redirect(url_for("feedback.thanks"))
    status = 400 if request.method == "POST" else 200
    return private(render_template("feedback/respond.html", form=form, name=name,
                                   sections=sections, kind="msf", pid=pid, marked=marked), status)


@bp.route("/patient/<token>", methods=["GET", "POST"])
@public
def patient_form(token: str) -> Any:
    """A patient (or a receptionist keying in a paper form) answers the PSQ."""
    session = get_session()
    opened = responses.open_poster_link(session, token, request.remote_addr)
    if opened.problem:
        return unusable(opened.problem)
    form, name, sections = _questionnaire(opened)
    pid, marked = PidConfirmForm(), {}
    if form.validate_on_submit():
        try:
            responses.submit_patient(session, opened, answers_of(form), request.remote_addr,
                                     pid_confirmed=bool(pid.confirm_pid.data))
        except FeedbackError as error:
            marked = _flagged(session, opened, form, error)
        else:
            return redirect(url_for("feedback.thanks", another=token))
    status = 400 if request.method == "POST" else 200
    return private(render_template("feedback/respond.html", form=form, name=name,
                                   sections=sections, kind="psq", pid=pid, marked=marked), status)


def _flagged(session: Any, opened: responses.Opened, form: Any,
             error: FeedbackError) -> dict[str, Any]:
    """Each flagged answer's message beside it, and the answers highlighted, to show there."""
    for code, message in error.problems.items():
        form[PREFIX + code].errors = list(form[PREFIX + code].errors) + [message]
    texts = responses.free_texts(session, opened, answers_of(form))
    return pid_check.marked(texts, pid_check.flagged(texts))


@bp.get("/thank-you")
@public
def thanks() -> Response:
    """Thanks; on a shared device, a way to start the next form."""
    another = request.args.get("another")
    if another and responses.open_poster_link(get_session(), another,
                                              request.remote_addr).round is None:
        another = None
    return private(render_template("feedback/thanks.html", another=another))

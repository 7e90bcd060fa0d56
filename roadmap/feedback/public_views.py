"""Pages for people without an account: a colleague's MSF link and the patients' PSQ link."""
from __future__ import annotations

from typing import Any

from flask import make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from roadmap.accounts.models import User
from roadmap.cohorts.models import Enrolment
from roadmap.db import get_session
from roadmap.feedback import links, responses
from roadmap.feedback.views import bp
from roadmap.framework import definitions
from roadmap.framework.models import EvidenceType, FrameworkVersion
from roadmap.portfolio.forms import PREFIX, answers_of, questions_form
from roadmap.web.access import public

STATUS = {"unknown": 404, "used": 410, "expired": 410, "closed": 410, "busy": 429,
          "refused": 410}


def unusable(problem: str) -> tuple[Any, int]:
    """Say plainly why a link cannot be used, and nothing about whose it was."""
    # Failed look-ups are counted for the limit, and must be kept although the page is an error.
    get_session().commit()
    response = make_response(render_template("feedback/link_problem.html",
                                             message=links.UNUSABLE[problem]), STATUS[problem])
    response.headers["Cache-Control"] = "no-store"
    return response, STATUS[problem]


def private(body: str, status: int = 200) -> Response:
    """A page reached through a secret link: never cached, never sent on as a referrer."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _questionnaire(opened: responses.Opened) -> tuple[Any, str, Any]:
    """The respondent's part of the item's form, and the practitioner's name."""
    session = get_session()
    etype = session.get(EvidenceType, opened.evidence.evidence_type_id)
    scales = definitions.scales(session.get(FrameworkVersion, etype.framework_version_id))
    enrolment = session.get(Enrolment, opened.evidence.enrolment_id)
    candidate = session.get(User, enrolment.candidate_id)
    form = questions_form(etype, None, scales, ["respondent"])
    sections = definitions.sections(etype.definition, None, ["respondent"])
    return form, candidate.full_name, sections


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
    if form.validate_on_submit():
        if not responses.submit_rater(session, opened, answers_of(form)):
            return unusable("used")
        return redirect(url_for("feedback.thanks"))
    status = 400 if request.method == "POST" else 200
    return private(render_template("feedback/respond.html", form=form, name=name,
                                   sections=sections, kind="msf"), status)


@bp.route("/patient/<token>", methods=["GET", "POST"])
@public
def patient_form(token: str) -> Any:
    """A patient (or a receptionist keying in a paper form) answers the PSQ."""
    session = get_session()
    opened = responses.open_poster_link(session, token, request.remote_addr)
    if opened.problem:
        return unusable(opened.problem)
    form, name, sections = _questionnaire(opened)
    if form.validate_on_submit():
        responses.submit_patient(session, opened, answers_of(form), request.remote_addr)
        return redirect(url_for("feedback.thanks", another=token))
    status = 400 if request.method == "POST" else 200
    return private(render_template("feedback/respond.html", form=form, name=name,
                                   sections=sections, kind="psq"), status)


@bp.get("/thank-you")
@public
def thanks() -> Response:
    """Thanks; on a shared device, a way to start the next form."""
    another = request.args.get("another")
    if another and responses.open_poster_link(get_session(), another,
                                              request.remote_addr).round is None:
        another = None
    return private(render_template("feedback/thanks.html", another=another))

"""Assessment by ticket: the candidate asks a colleague; the colleague assesses and signs."""
from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from roadmap.accounts.models import Role
from roadmap.clock import today
from roadmap.db import get_session
from roadmap.feedback import assessors, tickets
from roadmap.feedback.blueprint import bp, private, unusable
from roadmap.feedback.errors import FeedbackError
from roadmap.feedback.forms import AssessorForm, IdentityForm
from roadmap.feedback.subject import subject_of
from roadmap.portfolio.forms import PREFIX, answers_of, load_answers, questions_form
from roadmap.portfolio.models import Evidence
from roadmap.web.access import public, roles_required
from roadmap.web.reach import Reach, load_evidence

IDENTITY = ("name", "role", "registration_body", "registration_other", "registration_number",
            "email", "declaration")


@bp.route("/items/<int:evidence_id>/assessor", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def ask_assessor(evidence_id: int) -> Response | str | tuple[str, int]:
    """Ask a colleague without an account to assess this WPBA through an emailed link."""
    session = get_session()
    evidence, _level = load_evidence(session, current_user, evidence_id, {Reach.OWNER}, today())
    etype = tickets.wpba_type(session, evidence)
    if etype is None:
        abort(404)
    form = AssessorForm()
    if form.validate_on_submit():
        try:
            ticket = tickets.ask(session, evidence, current_user._get_current_object(),
                                 form.name.data, form.email.data,
                                 current_app.config["ASSESSOR_EMAIL_DOMAINS"])
        except FeedbackError as error:
            for name, message in error.problems.items():
                form[name].errors = list(form[name].errors) + [message]
            if not error.problems:
                flash(str(error), "warning")
            return render_template("feedback/ask_assessor.html", form=form, evidence=evidence,
                                   etype=etype, domains=_domains_words()), 400
        flash(f"We emailed {ticket.invited_name} a link to assess “{evidence.title}”.", "success")
        return redirect(url_for("portfolio.show_evidence", evidence_id=evidence.id))
    return render_template("feedback/ask_assessor.html", form=form, evidence=evidence, etype=etype,
                           domains=_domains_words())


def _domains_words() -> str:
    """The work email domains an assessor may use, as a person reads them."""
    return assessors.domains_words(current_app.config["ASSESSOR_EMAIL_DOMAINS"])


def _context(evidence: Evidence) -> dict[str, Any]:
    """What the assessor reads: the item, its type and scales, the candidate's part."""
    subject = subject_of(get_session(), evidence)
    return dict(evidence=evidence, etype=subject.etype, scales=subject.scales,
                candidate_name=subject.candidate_name,
                sections=subject.sections(["candidate"], evidence.template_code),
                answer=subject.answer)


@bp.route("/assess/<token>", methods=["GET", "POST"])
@public
def assess_form(token: str) -> Any:
    """The colleague reads the candidate's part, completes theirs, says who they are and signs."""
    session = get_session()
    domains = current_app.config["ASSESSOR_EMAIL_DOMAINS"]
    ticket, problem = tickets.open_ticket(session, token, request.remote_addr, domains)
    if problem:
        return unusable(problem)
    evidence = tickets.ticket_item(session, ticket)
    page = _context(evidence)
    questions = questions_form(page["etype"], evidence.template_code, page["scales"], ["assessor"])
    identity = IdentityForm()
    if request.method == "GET":
        load_answers(questions, evidence.fields or {})
        identity.name.data, identity.email.data = ticket.invited_name, ticket.invited_email
        identity.lock_version.data = str(evidence.lock_version)
    status = 200
    if request.method == "POST":
        valid = questions.validate() & identity.validate_on_submit()
        if valid:
            try:
                tickets.sign(session, ticket, {name: identity[name].data for name in IDENTITY},
                             answers_of(questions), int(identity.lock_version.data or 0), domains)
            except FeedbackError as error:
                for name, message in error.problems.items():
                    target = identity[name] if name in identity else questions[PREFIX + name]
                    target.errors = list(target.errors) + [message]
                if not error.problems:
                    return private(render_template("feedback/link_problem.html",
                                                   message=str(error)), 409)
            else:
                return private(render_template("feedback/assessed.html", **page))
        status = 400
    return private(render_template("feedback/assess.html", questions=questions, identity=identity,
                                   declaration=tickets.declaration(page["candidate_name"]),
                                   **page), status)

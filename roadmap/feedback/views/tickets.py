"""Assessment by ticket: the candidate asks a colleague; the colleague assesses and signs."""
from __future__ import annotations

from typing import Any, Optional

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import escape
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from roadmap.accounts.models import Role
from roadmap.clock import today
from roadmap.db import get_session
from roadmap.feedback import assessors, tickets
from roadmap.feedback.blueprint import bp, private, unusable
from roadmap.feedback.errors import FeedbackError
from roadmap.feedback.forms import REGULATORS, AssessorForm, DeclarationForm, IdentityForm
from roadmap.feedback.subject import subject_of
from roadmap.framework import definitions
from roadmap.pid import PATIENT_DETAILS, check as pid_check
from roadmap.portfolio.forms import PREFIX, answers_of, load_answers, questions_form
from roadmap.portfolio.models import Evidence
from roadmap.web.access import public, roles_required
from roadmap.web.reach import Reach, load_evidence

IDENTITY = ("name", "role", "registration_body", "registration_other", "registration_number",
            "email", "declaration", "confirm_pid")


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
                assessor_sections=subject.sections(["assessor"], evidence.template_code),
                headings=subject.headings, answer=subject.answer)


def _forms(page: dict[str, Any], evidence: Evidence, formdata: Any = None) -> tuple[Any, Any]:
    """The assessor's questions and who they are: posted, kept on the ticket, or empty."""
    # Kept answers are read as posted data; their form's token was checked when they were posted.
    options = {"formdata": formdata, "meta": {"csrf": False}} if formdata is not None else {}
    questions = questions_form(page["etype"], evidence.template_code, page["scales"],
                               ["assessor"], page["headings"], **options)
    return questions, IdentityForm(**options)


def _identity(identity: IdentityForm, texts: Optional[dict[str, str]] = None) -> dict[str, Any]:
    """Who the assessor says they are, as the ticket service reads it; given `texts`, their
    tick confirms the findings in them only if it was ticked with those very findings shown
    (a tick kept through "Change" covers no identifier added since)."""
    if texts is None:  # the on-the-spot pages, which keep no tick across steps
        return {name: identity[name].data for name in IDENTITY}
    confirmed, _digest = pid_check.as_shown(identity.confirm_pid.data, identity.pid_shown.data,
                                            texts)
    return {**{name: identity[name].data for name in IDENTITY}, "confirm_pid": confirmed}


def _attach(error: FeedbackError, questions: Any, identity: IdentityForm) -> None:
    """Put each problem beside its field, whichever form holds it."""
    for name, message in error.problems.items():
        target = identity[name] if name in identity else questions[PREFIX + name]
        target.errors = list(target.errors) + [message]


@bp.route("/assess/<token>", methods=["GET", "POST"])
@public
def assess_form(token: str) -> Any:
    """The colleague reads the candidate's part, completes theirs and says who they are; then
    reads it all back (check_ticket) and signs there. Answers kept there come back here."""
    session = get_session()
    domains = current_app.config["ASSESSOR_EMAIL_DOMAINS"]
    ticket, problem = tickets.open_ticket(session, token, request.remote_addr, domains)
    if problem:
        return unusable(problem)
    evidence = tickets.ticket_item(session, ticket)
    page = _context(evidence)
    kept = MultiDict(_pairs(ticket.draft)) if ticket.draft and request.method == "GET" else None
    questions, identity = _forms(page, evidence, kept)
    if request.method == "GET" and kept is None:
        load_answers(questions, evidence.fields or {})
        identity.name.data, identity.email.data = ticket.invited_name, ticket.invited_email
        identity.lock_version.data = str(evidence.lock_version)
    status, marked = 200, {}
    if request.method == "POST":
        if questions.validate() & identity.validate_on_submit():
            texts = tickets.assessor_texts(session, evidence, answers_of(questions))
            try:
                tickets.check_answers(session, ticket, _identity(identity, texts),
                                      answers_of(questions), domains, _kept(request.form))
            except FeedbackError as error:
                _attach(error, questions, identity)
                if str(error) == PATIENT_DETAILS:
                    marked = pid_check.marked(texts, pid_check.flagged(texts))
                    identity.pid_shown.data = pid_check.as_shown(False, "", texts)[1]
                    identity.confirm_pid.data = False
                if not error.problems:
                    return private(render_template("feedback/link_problem.html",
                                                   message=str(error)), 409)
            else:
                return redirect(url_for("feedback.check_ticket", token=token))
        status = 400
    return private(render_template("feedback/assess.html", questions=questions, identity=identity,
                                   restored=kept is not None, marked=marked, **page), status)


@bp.route("/assess/<token>/check", methods=["GET", "POST"])
@public
def check_ticket(token: str) -> Any:
    """Read back the assessment and who signs it; declare and sign, once.

    A second click finds the link used by its own signature and is told the assessment is
    signed; the link's other refusals read as on the assessment page.
    """
    session = get_session()
    domains = current_app.config["ASSESSOR_EMAIL_DOMAINS"]
    ticket, problem = tickets.open_ticket(session, token, request.remote_addr, domains)
    if problem == "used" and (done := tickets.signed_ticket(session, token)) is not None:
        return private(render_template("feedback/assessed.html",
                                       **_context(tickets.ticket_item(session, done))))
    if problem:
        return unusable(problem)
    if not ticket.draft:
        return redirect(url_for("feedback.assess_form", token=token))
    evidence = tickets.ticket_item(session, ticket)
    page = _context(evidence)
    questions, identity = _forms(page, evidence, MultiDict(_pairs(ticket.draft)))
    questions.validate()
    identity.validate()
    texts = tickets.assessor_texts(session, evidence, answers_of(questions))
    try:
        tickets.check_answers(session, ticket, _identity(identity, texts), answers_of(questions),
                              domains)
    except FeedbackError:
        return redirect(url_for("feedback.assess_form", token=token))
    declared, status = DeclarationForm(), 200
    if request.method == "POST":
        if declared.validate_on_submit() and declared.declaration.data:
            try:
                tickets.sign(session, ticket, {**_identity(identity, texts), "declaration": True},
                             answers_of(questions), int(identity.lock_version.data or 0), domains)
            except FeedbackError as error:
                return private(render_template("feedback/link_problem.html",
                                               message=str(error)), 409)
            return private(render_template("feedback/assessed.html", **page))
        declared.declaration.errors = ["Confirm that you observed this and that you are not "
                                       "the candidate"]
        status = 400
    answers = answers_of(questions)
    return private(render_template(
        "feedback/check_assessment.html", identity=identity, declared=declared,
        declaration=tickets.declaration(page["candidate_name"]), token=token,
        shown=lambda spec: _shown(spec, answers, page["scales"]),
        names={spec["code"]: questions[name].id for spec, name in questions.questions},
        regulator={c.value: c.label for c in REGULATORS}.get(identity.registration_body.data or ""),
        **page), status)


def _shown(spec: dict[str, Any], answers: dict[str, Any], scales: Any) -> Any:
    """An answer as the check page reads it back (Markdown is Markup already)."""
    value = definitions.display_answer(spec, answers, scales)
    return None if value is None else escape(value)


def _kept(form: Any) -> dict[str, list[str]]:
    """The posted form as kept on the ticket: every field but the one-time token."""
    return {key: form.getlist(key) for key in form.keys() if key != "csrf_token"}


def _pairs(draft: dict[str, list[str]]) -> list[tuple[str, str]]:
    """A kept form as (field, value) pairs, to be read as posted data."""
    return [(key, value) for key, values in draft.items() for value in values]

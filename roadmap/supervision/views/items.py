"""The supervisor's item pages: the inbox, assessing an item (checked and signed on
views/checks.py), returning it, external signatures, recording an observed WPBA."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from roadmap.accounts.models import Role
from roadmap.clock import today
from roadmap.db import get_session, writes_when_read
from roadmap.portfolio import autosave
from roadmap.portfolio.blueprint import form_key, keeps_work
from roadmap.pid import PATIENT_DETAILS, check as pid_check
from roadmap.portfolio.forms import answers_of, load_answers, questions_form
from roadmap.readers import service as readers
from roadmap.readers.models import Opened
from roadmap.supervision import assessment, external, inbox as inboxes, review
from roadmap.supervision.blueprint import assessor_form, bp, item_page
from roadmap.supervision.errors import Incomplete, SupervisionError
from roadmap.supervision.forms import (AcceptForm, DisputeForm, ObservedForm, PidConfirmForm,
                                       ReturnForm)
from roadmap.web.access import roles_required
from roadmap.web.reach import Reach, load_enrolment, load_evidence

SUPERVISING = {Reach.SUPERVISOR, Reach.SUPERVISOR_READONLY}


@bp.get("/supervision")
@roles_required(Role.SUPERVISOR)
def inbox() -> str:
    """Items waiting on me (oldest first), my candidates, what I signed lately."""
    user = current_user._get_current_object()
    return render_template("supervision/inbox.html", inbox=inboxes.gather(get_session(), user, today()))


def _render(page: assessment.ItemPage, form: Any, back: ReturnForm, status: int = 200,
            dispute: DisputeForm | None = None, restored: Any = None,
            pid: PidConfirmForm | None = None, marked: dict[str, Any] | None = None,
            back_marked: Any = None) -> Any:
    """The assessment page with its forms (the ones given, or empty ones); `marked` holds the
    answers that may identify a patient, highlighted, to show beside their fields."""
    body = render_template("supervision/assess.html", form=form, back=back, level=Reach.SUPERVISOR,
                           accept_form=AcceptForm(formdata=None),
                           dispute_form=dispute or DisputeForm(formdata=None), restored=restored,
                           pid=pid or PidConfirmForm(formdata=None), marked=marked or {},
                           back_marked=back_marked,
                           **page.context())
    return (body, status) if status != 200 else body


@bp.route("/supervision/items/<int:evidence_id>", methods=["GET", "POST"])
@keeps_work
@writes_when_read
@roles_required(Role.SUPERVISOR)
def assess(evidence_id: int) -> Response | str | tuple[str, int]:
    """Read the item; rate each criterion (and each heading, where the form says), give
    feedback, then check it all before signing; or return it.

    Answers kept for checking (or from a session that ended) are put back, so "Change" on
    the check page, or signing in again, loses nothing.
    """
    session, user = get_session(), current_user._get_current_object()
    _evidence, level = load_evidence(session, user, evidence_id, SUPERVISING, today())
    if level is Reach.SUPERVISOR_READONLY:  # no longer supervising: the item as they signed it
        return redirect(url_for("portfolio.show_evidence", evidence_id=evidence_id))
    page = item_page(evidence_id)
    back = ReturnForm(formdata=None, lock_version=page.evidence.lock_version)
    if request.method == "POST":
        form, pid, marked = assessor_form(page), PidConfirmForm(), {}
        if form.validate():
            texts = review.assessor_texts(session, evidence_id, answers_of(form))
            confirmed, shown = pid_check.as_shown(pid.confirm_pid.data, pid.pid_shown.data, texts)
            try:
                review.check_assessment(session, evidence_id, user, answers_of(form), today(),
                                        pid_confirmed=confirmed)
            except Incomplete as problem:
                _attach(form, problem.problems)
                if str(problem) == PATIENT_DETAILS:
                    marked = pid_check.marked(texts, review.pid_found(session, evidence_id,
                                                                      answers_of(form)))
                    pid.pid_shown.data, pid.confirm_pid.data = shown, False
            except SupervisionError as problem:
                flash(str(problem), "error")
                return redirect(url_for("supervision.assess", evidence_id=evidence_id))
            else:
                autosave.keep(session, user.id, form_key(), request.form, autosave.CHECKING)
                return redirect(url_for("supervision.check_item", evidence_id=evidence_id))
        return _render(page, form, back, 400, pid=pid, marked=marked)
    readers.record(session, user, page.enrolment, Opened.ITEM, former=False,
                   evidence_id=evidence_id, label=page.evidence.title)
    restored = autosave.kept(session, user.id, form_key())
    if restored is not None and not page.can_act:  # signed or returned meanwhile
        autosave.discard(session, user.id, form_key())
        restored = None
    current = {"lock_version": str(page.evidence.lock_version)}
    pid = None
    if restored is not None:
        form = assessor_form(page, formdata=autosave.as_form(restored, current))
        pid = PidConfirmForm(formdata=autosave.as_form(restored, {}))
    else:
        form = assessor_form(page, lock_version=page.evidence.lock_version)
        load_answers(form, page.evidence.fields or {})
    return _render(page, form, back, restored=restored, pid=pid)


@bp.post("/supervision/items/<int:evidence_id>/return")
@roles_required(Role.SUPERVISOR)
def return_item(evidence_id: int) -> Response | tuple[str, int]:
    """Send the item back to the candidate with what to change."""
    page = item_page(evidence_id)
    back, back_marked = ReturnForm(), None
    if back.validate():
        try:
            review.return_evidence(get_session(), evidence_id, current_user, back.comment.data,
                                   int(back.lock_version.data or 0), today(),
                                   pid_confirmed=bool(back.confirm_pid.data))
        except Incomplete as problem:
            back.comment.errors = list(back.comment.errors) + list(problem.problems.values())
            if str(problem) == PATIENT_DETAILS:
                texts = {"comment": back.comment.data or ""}
                back_marked = pid_check.marked(texts, pid_check.flagged(texts))["comment"]
            return _render(page, assessor_form(page, lock_version=page.evidence.lock_version),
                           back, 400, back_marked=back_marked)
        except SupervisionError as problem:
            flash(str(problem), "error")
            return redirect(url_for("supervision.assess", evidence_id=evidence_id))
        autosave.discard(get_session(), current_user.id,
                         url_for("supervision.assess", evidence_id=evidence_id))
        flash(f"You returned “{page.evidence.title}” to {page.candidate.full_name}.", "success")
        return redirect(url_for("supervision.inbox"))
    return _render(page, assessor_form(page, lock_version=page.evidence.lock_version), back, 400)


def _signature_id(raw: Any) -> int:
    """The signature named by a hidden field; anything else names none (0)."""
    text = str(raw or "")
    return int(text) if text.isdigit() and len(text) <= 18 else 0


@bp.post("/supervision/items/<int:evidence_id>/external/accept")
@roles_required(Role.SUPERVISOR)
def accept_external(evidence_id: int) -> Response:
    """Let an external assessor's signature stand, having read it."""
    load_evidence(get_session(), current_user, evidence_id, {Reach.SUPERVISOR}, today())
    form = AcceptForm()
    try:
        external.accept(get_session(), evidence_id, _signature_id(form.signature_id.data),
                        current_user._get_current_object(), today())
    except SupervisionError as problem:
        flash(str(problem), "error")
    else:
        flash("You accepted the external assessor's signature.", "success")
    return redirect(url_for("supervision.assess", evidence_id=evidence_id))


@bp.post("/supervision/items/<int:evidence_id>/external/dispute")
@roles_required(Role.SUPERVISOR)
def dispute_external(evidence_id: int) -> Response | tuple[str, int]:
    """Dispute an external assessor's signature: it stops counting; the candidate is told why."""
    page = item_page(evidence_id)
    form = DisputeForm()
    if form.validate():
        try:
            external.dispute(get_session(), evidence_id, _signature_id(form.signature_id.data),
                             current_user._get_current_object(), form.reason.data, today(),
                             pid_confirmed=bool(form.confirm_pid.data))
        except Incomplete as problem:
            form.reason.errors = list(form.reason.errors) + list(problem.problems.values())
            if str(problem) == PATIENT_DETAILS:
                texts = {"reason": form.reason.data or ""}
                form.marked = pid_check.marked(texts, pid_check.flagged(texts))["reason"]
        except SupervisionError as problem:
            flash(str(problem), "error")
            return redirect(url_for("supervision.assess", evidence_id=evidence_id))
        else:
            flash(f"You disputed the signature. “{page.evidence.title}” is back with "
                  f"{page.candidate.full_name}, with your reason.", "success")
            return redirect(url_for("supervision.assess", evidence_id=evidence_id))
    return _render(page, assessor_form(page, lock_version=page.evidence.lock_version),
                   ReturnForm(formdata=None, lock_version=page.evidence.lock_version), 400,
                   dispute=form)


def _attach(form: Any, problems: dict[str, str]) -> None:
    """Put the service's messages beside the fields they concern."""
    for spec, name in form.questions:
        if spec["code"] in problems:
            form[name].errors = list(form[name].errors) + [problems[spec["code"]]]


@bp.route("/supervision/candidates/<int:enrolment_id>/observed", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def observed(enrolment_id: int) -> Response | str:
    """Record a WPBA I observed; the candidate then adds their part and submits it."""
    session = get_session()
    enrolment, _ = load_enrolment(session, current_user, enrolment_id, {Reach.SUPERVISOR}, today())
    offer = assessment.observable(session, enrolment)
    chosen = offer.chosen(request.values.get("type_code"))
    form = ObservedForm()
    form.type_code.choices = [SelectChoice("", "Choose one")] + [SelectChoice(k.code, k.name)
                                                                 for k in offer.kinds]
    questions = (questions_form(chosen, None, offer.scales, ["assessor"], prefix="q")
                 if chosen is not None else None)
    marked: dict[str, Any] = {}
    if request.method == "POST" and chosen is not None and request.form.get("record"):
        if form.validate() & questions.validate():
            try:
                item = review.start_observed(session, enrolment.id, current_user, chosen.code,
                                             form.title.data, form.occurred_on.data,
                                             answers_of(questions), today(),
                                             pid_confirmed=bool(form.confirm_pid.data))
            except Incomplete as problem:
                _attach(questions, problem.problems)
                if "title" in problem.problems:
                    form.title.errors = list(form.title.errors) + [problem.problems["title"]]
                if str(problem) == PATIENT_DETAILS:
                    texts = {"title": form.title.data or "", **answers_of(questions)}
                    marked = pid_check.marked(texts, pid_check.flagged(
                        {key: texts[key] for key in problem.problems}))
            else:
                flash(f"Recorded “{item.title}”. The candidate has been asked to add their part.",
                      "success")
                return redirect(url_for("supervision.candidate", enrolment_id=enrolment.id))
    return render_template("supervision/observed.html", form=form, questions=questions,
                           chosen=chosen, candidate=offer.candidate, enrolment=enrolment,
                           marked=marked)

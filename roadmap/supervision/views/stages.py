"""A stage's page: the checklist, and the candidate's then a supervisor's declarations, read
back on a check-your-answers page where they confirm who they are and sign."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from roadmap.accounts.models import Role
from roadmap.clock import in_words, today
from roadmap.db import get_session
from roadmap.pid import check as pid_check
from roadmap.portfolio import autosave
from roadmap.portfolio.blueprint import form_key, keeps_work
from roadmap.portfolio.pid import PATIENT_DETAILS
from roadmap.supervision import signoff, stage_check, stages
from roadmap.supervision.blueprint import bp, identity_confirmed, identity_recent
from roadmap.supervision.capacity import capacity_words
from roadmap.supervision.errors import Incomplete, SupervisionError
from roadmap.supervision.forms import IdentityForm, StageSignForm
from roadmap.web.access import roles_required
from roadmap.web.reach import Reach, load_stage

# The educational supervisor reads a stage's checklist too (from the candidate's page); like
# the hub, they sign nothing on it: a POST from them is refused, as nobody's party.
STAGE_REACH = {Reach.OWNER, Reach.SUPERVISOR, Reach.SUPERVISOR_READONLY, Reach.HUB,
               Reach.EDUCATIONAL}


def _page(enrolment_id: int, stage_code: str, reach: set[Reach]) -> tuple[Any, Reach, Any]:
    """The enrolment, how the person reaches it, and the stage as they see it (404 if none)."""
    session = get_session()
    enrolment, level = load_stage(session, current_user, enrolment_id, stage_code, reach, today())
    try:
        return enrolment, level, stages.stage_page(session, enrolment, stage_code, current_user,
                                                   today())
    except LookupError:
        abort(404)


def _form(page: stages.StagePage, formdata: Any = None) -> StageSignForm:
    """The declarations form (posted, kept, or empty), its choices from the framework."""
    form = StageSignForm(formdata=formdata) if formdata is not None else StageSignForm()
    form.declarations.choices = [SelectChoice(d["code"], d["text"]) for d in page.declarations]
    return form


def _confirmed(page: stages.StagePage, form: StageSignForm, reasons: dict[str, str]) -> bool:
    """Whether the box was ticked with the findings of the texts shown beside it (the reasons
    for unmet guidance, the acting reason) shown, so a tick kept through "Change" covers no
    identifier added since; `form.pid_shown` is set to those findings' digest to show again."""
    texts = {check.code: reasons.get(check.code, "") for check in page.checklist.unmet_guidance}
    texts["acting_reason"] = form.acting_reason.data or ""
    confirmed, form.shown_now = pid_check.as_shown(form.confirm_pid.data, form.pid_shown.data,
                                                   texts)
    return confirmed


def _check(page: stages.StagePage, enrolment: Any, stage_code: str, form: StageSignForm,
           reasons: dict[str, str]) -> stage_check.Signing:
    """What signing would record, checked (Incomplete names each problem by its field)."""
    return stage_check.check(get_session(), enrolment, stage_code, current_user,
                             form.declarations.data or [], form.acting_reason.data, today(),
                             reasons if page.asks_reasons else None,
                             pid_confirmed=_confirmed(page, form, reasons))


@bp.route("/stages/<int:enrolment_id>/<stage_code>", methods=["GET", "POST"])
@keeps_work
@roles_required(Role.CANDIDATE, Role.SUPERVISOR, Role.HUB_LEAD)
def stage(enrolment_id: int, stage_code: str) -> Response | str | tuple[str, int]:
    """The checklist of a stage; the candidate, then a supervisor, declare, check and sign."""
    session, user = get_session(), current_user._get_current_object()
    enrolment, level, page = _page(enrolment_id, stage_code, STAGE_REACH)
    kept = autosave.kept(session, user.id, form_key()) if page.party else None
    formdata = (autosave.as_form(kept, {}) if kept is not None and request.method == "GET"
                else None)
    form = _form(page, formdata)
    reasons = stages.reasons_given(page, formdata if formdata is not None else request.form)
    code, reason_errors, warned = 200, {}, False
    if request.method == "POST":
        if page.party is None:
            abort(404)
        valid = form.validate()
        try:
            _check(page, enrolment, stage_code, form, reasons)
        except Incomplete as problem:
            valid, warned = False, str(problem) == PATIENT_DETAILS
            reason_errors = _attach(page, form, problem.problems)
            if warned:  # shown again (or for the first time): the box unticked, their digest kept
                form.pid_shown.data, form.confirm_pid.data = form.shown_now, False
        except SupervisionError as problem:
            flash(str(problem), "error")
            return redirect(request.path)
        if valid:
            autosave.keep(session, user.id, form_key(), request.form, autosave.CHECKING)
            return redirect(url_for("supervision.check_stage", enrolment_id=enrolment.id,
                                    stage_code=stage_code))
        code = 400
    return render_template("supervision/stage.html", enrolment=enrolment, level=level, form=form,
                           checklist=page.checklist, record=page.record, status=page.status,
                           party=page.party, signatures=page.signatures, is_backup=page.is_backup,
                           person=page.person, page=page, reasons=reasons,
                           reason_errors=reason_errors, reason_field=stages.reason_field,
                           warned=warned, restored=kept), code


def _attach(page: stages.StagePage, form: StageSignForm,
            problems: dict[str, str]) -> dict[str, str]:
    """Put each problem beside its field; the reasons' problems are returned by check code."""
    unmet = {check.code for check in page.checklist.unmet_guidance}
    for key, message in problems.items():
        if key == stage_check.ACTING_REASON:
            form.acting_reason.errors = list(form.acting_reason.errors) + [message]
        elif key not in unmet:
            form.declarations.errors = list(form.declarations.errors) + [message]
    return {key: message for key, message in problems.items() if key in unmet}


@bp.route("/stages/<int:enrolment_id>/<stage_code>/check", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE, Role.SUPERVISOR)
def check_stage(enrolment_id: int, stage_code: str) -> Response | str | tuple[str, int]:
    """Read back the declarations, reasons and who signs; confirm who you are and sign."""
    session, user = get_session(), current_user._get_current_object()
    enrolment, _level, page = _page(enrolment_id, stage_code, {Reach.OWNER, Reach.SUPERVISOR})
    back = url_for("supervision.stage", enrolment_id=enrolment.id, stage_code=stage_code)
    kept = autosave.checking(session, user.id, back)
    if kept is None or page.party is None:
        if page.party is None:
            autosave.discard(session, user.id, back)  # nothing left to sign with them
        mine = [s.signed_at for s in page.signatures if s.signer_id == user.id]
        if page.party is None and mine:
            flash(f"You signed this stage on {in_words(max(mine))}.", "success")
        else:
            flash("Make your declarations, then check them before you sign.", "warning")
        return redirect(back)
    formdata = autosave.as_form(kept, {})
    form = _form(page, formdata)
    form.validate()
    reasons = stages.reasons_given(page, formdata)
    try:
        signing = _check(page, enrolment, stage_code, form, reasons)
    except SupervisionError as problem:
        flash(str(problem), "error")
        return redirect(back)
    identity, status = IdentityForm(), 200
    if request.method == "POST":
        if identity_confirmed(identity):
            return _sign(page, enrolment, stage_code, form, reasons, kept, back)
        status = 400
    body = render_template("supervision/check_stage.html", enrolment=enrolment, page=page,
                           signing=signing, capacity=capacity_words(signing.capacity),
                           identity=identity, identity_needed=not identity_recent(), back=back,
                           reason_field=stages.reason_field)
    return (body, status) if status != 200 else body


def _sign(page: stages.StagePage, enrolment: Any, stage_code: str, form: StageSignForm,
          reasons: dict[str, str], kept: Any, back: str) -> Response:
    """Sign once with the kept answers; if signing refuses, they are kept for another try."""
    session, user = get_session(), current_user._get_current_object()
    data = dict(kept.data)
    if not autosave.take(session, kept):
        return redirect(request.path)  # the twin request signed; the page says so
    try:
        party = signoff.sign(session, enrolment, stage_code, user, form.declarations.data or [],
                             form.acting_reason.data, today(),
                             reasons if page.asks_reasons else None,
                             pid_confirmed=_confirmed(page, form, reasons))
    except SupervisionError as problem:
        autosave.put_back(session, user.id, back, data)
        flash(str(problem), "error")
        return redirect(back)
    flash(stages.signed_words(session, enrolment, stage_code, party, today()), "success")
    return redirect(back)

"""A stage's page: the checklist, and the candidate's then a supervisor's declarations and signature."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from roadmap.accounts.models import Role
from roadmap.clock import today
from roadmap.db import get_session
from roadmap.supervision import signoff, stages
from roadmap.supervision.blueprint import bp, identity_confirmed, identity_recent
from roadmap.supervision.errors import Incomplete, SupervisionError
from roadmap.supervision.forms import StageSignForm
from roadmap.web.access import roles_required
from roadmap.web.reach import Reach, load_stage

STAGE_REACH = {Reach.OWNER, Reach.SUPERVISOR, Reach.SUPERVISOR_READONLY, Reach.HUB}


@bp.route("/stages/<int:enrolment_id>/<stage_code>", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE, Role.SUPERVISOR, Role.HUB_LEAD)
def stage(enrolment_id: int, stage_code: str) -> Response | str | tuple[str, int]:
    """The checklist of a stage; the candidate, then a supervisor, declare and sign."""
    session = get_session()
    enrolment, level = load_stage(session, current_user, enrolment_id, stage_code, STAGE_REACH,
                                  today())
    try:
        page = stages.stage_page(session, enrolment, stage_code, current_user, today())
    except LookupError:
        abort(404)
    form = StageSignForm()
    form.declarations.choices = [SelectChoice(d["code"], d["text"]) for d in page.declarations]
    code, reasons, reason_errors = 200, stages.reasons_given(page, request.form), {}
    warned = False
    if request.method == "POST":
        if page.party is None:
            abort(404)
        if form.validate() and identity_confirmed(form):
            try:
                party = signoff.sign(session, enrolment, stage_code, current_user,
                                     form.declarations.data, form.acting_reason.data, today(),
                                     reasons if page.asks_reasons else None,
                                     pid_confirmed=form.confirm_pid.data)
                flash(stages.signed_words(session, enrolment, stage_code, party, today()),
                      "success")
                return redirect(request.path)
            except Incomplete as problem:
                reason_errors, warned = stages.reason_errors(page, reasons, problem,
                                                             form.confirm_pid.data)
                for key, message in problem.problems.items():
                    if key not in reason_errors:
                        form.declarations.errors = list(form.declarations.errors) + [message]
            except SupervisionError as problem:
                flash(str(problem), "error")
                return redirect(request.path)
        code = 400
    return render_template("supervision/stage.html", enrolment=enrolment, level=level, form=form,
                           checklist=page.checklist, record=page.record, status=page.status,
                           party=page.party, signatures=page.signatures, is_backup=page.is_backup,
                           identity_needed=not identity_recent(), person=page.person, page=page,
                           reasons=reasons, reason_errors=reason_errors,
                           reason_field=stages.reason_field, warned=warned), code

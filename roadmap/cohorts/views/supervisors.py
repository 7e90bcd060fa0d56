"""An enrolment's supervisors: assign or replace the primary and backup; move the target date."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from roadmap.clock import today
from roadmap.cohorts import forms, service, staffing
from roadmap.cohorts.blueprint import MANAGERS, bp, me
from roadmap.db import get_session
from roadmap.supervision.assignments import AssignmentError
from roadmap.web.access import roles_required
from roadmap.web.reach import load_managed_enrolment


@bp.route("/enrolments/<int:enrolment_id>/supervisors", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def supervisors(enrolment_id: int) -> Response | str:
    """Assign or replace the primary and backup supervisor, with history and capacity."""
    session, day = get_session(), today()
    enrolment, group = load_managed_enrolment(session, me(), enrolment_id)
    page = staffing.supervisors_page(session, enrolment, day)
    form = forms.AssignForm()
    if request.method == "GET":
        form.starts_on.data = day
        form.kind.data = request.args.get("kind") if request.args.get("kind") in ("primary", "backup") else None
    form.supervisor_id.choices = [SelectChoice(0, "Choose a supervisor")] + [
        SelectChoice(person.id, label) for person, label in page.options]
    warnings: list[str] = []
    if form.validate_on_submit():
        supervisor = page.supervisor(form.supervisor_id.data)
        # The page asks again when over capacity; its hidden field names what was confirmed.
        token = f"{supervisor.id}-{form.kind.data}" if supervisor is not None else None
        try:
            result = staffing.assign_supervisor(
                session, enrolment, supervisor, form.kind.data, form.starts_on.data, me(),
                fte=form.fte.data, handover_note=form.handover_note.data or None,
                confirmed=token is not None and form.confirm_over_capacity.data == token)
        except AssignmentError as error:
            field = getattr(form, error.field, form.supervisor_id)
            field.errors = list(field.errors) + [str(error)]
        else:
            if result.needs_confirmation:
                warnings = result.warnings
                form.confirm_over_capacity.data = token
            else:
                note = f" Warning: {result.warnings[0]}." if result.warnings else ""
                flash(f"{supervisor.full_name} is now the {form.kind.data} supervisor of "
                      f"{page.candidate.full_name}.{note}", "warning" if note else "success")
                return redirect(url_for("cohorts.supervisors", enrolment_id=enrolment.id))
    if not warnings:
        form.confirm_over_capacity.data = ""
    return render_template("cohorts/supervisors.html", cohort=group, enrolment=enrolment,
                           candidate=page.candidate, form=form, warnings=warnings,
                           holders=page.holders, history=page.history,
                           target_form=forms.TargetForm(formdata=None), version=page.version)


@bp.post("/enrolments/<int:enrolment_id>/target")
@roles_required(*MANAGERS)
def change_target(enrolment_id: int) -> Response:
    """Move the Stage 2 target date, as agreed with the employer."""
    session = get_session()
    enrolment, _group = load_managed_enrolment(session, me(), enrolment_id)
    form = forms.TargetForm()
    if form.validate_on_submit():
        try:
            service.set_target(session, enrolment, form.target_on.data, me())
        except service.CohortError as error:
            flash(str(error), "error")
        else:
            flash(f"The target date is now {form.target_on.data.day} "
                  f"{form.target_on.data:%B %Y}.", "success")
    else:
        flash("Enter the new target date as a real date, like 23/11/2026.", "error")
    return redirect(url_for("cohorts.supervisors", enrolment_id=enrolment.id) + "#target")

"""An enrolment's supervisors: assign the primary, backup and educational; move the target
date; name the education provider."""
from __future__ import annotations

from typing import Any, Optional

from flask import Response, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from wtforms.fields.choices import SelectChoice

from roadmap.clock import long_date, today
from roadmap.cohorts import forms, service, staffing
from roadmap.cohorts.blueprint import MANAGERS, bp, chosen, me, provider_choices
from roadmap.db import get_session
from roadmap.providers import service as providers
from roadmap.supervision.assignments import AssignmentError
from roadmap.supervision.educational import assign_educational
from roadmap.web.access import roles_required
from roadmap.web.reach import load_managed_enrolment


def _choices(page: staffing.SupervisorsPage, loads: bool) -> list[SelectChoice]:
    """The supervisors to choose from: with their load for workplace supervision, else by name."""
    return [SelectChoice(0, "Choose a supervisor")] + [
        SelectChoice(person.id, label if loads else person.full_name)
        for person, label in page.options]


def _educational_form(page: staffing.SupervisorsPage, posted: bool) -> forms.EducationalForm:
    """The educational supervisor's form, under its own prefix beside the other one: as posted
    to it, or empty and starting today."""
    form = (forms.EducationalForm(prefix="educational") if posted else
            forms.EducationalForm(formdata=None, prefix="educational", starts_on=today()))
    form.supervisor_id.choices = _choices(page, loads=False)
    return form


def _render(page: staffing.SupervisorsPage, cohort: Any, enrolment: Any, form: forms.AssignForm,
            educational: forms.EducationalForm, warnings: list[str],
            target: Optional[forms.TargetForm] = None) -> str:
    """The supervisors page with its forms as they stand."""
    return render_template("cohorts/supervisors.html", cohort=cohort, enrolment=enrolment,
                           candidate=page.candidate, form=form, warnings=warnings,
                           educational_form=educational, holders=page.holders,
                           history=page.history,
                           target_form=target or forms.TargetForm(formdata=None),
                           version=page.version,
                           provider_form=_provider_form(get_session(), enrolment.provider_id),
                           provider=providers.provider_of(get_session(), enrolment))


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
    form.supervisor_id.choices = _choices(page, loads=True)
    warnings: list[str] = []
    if form.validate_on_submit():
        supervisor = page.supervisor(form.supervisor_id.data)
        # The page asks again when over capacity; its hidden field names what was confirmed.
        token = f"{supervisor.id}-{form.kind.data}" if supervisor is not None else None
        try:
            result = staffing.assign_supervisor(
                session, enrolment, supervisor, form.kind.data, form.starts_on.data, me(),
                fte=form.fte.data, handover_note=form.handover_note.data or None,
                confirmed=token is not None and form.confirm_over_capacity.data == token,
                pid_confirmed=bool(form.confirm_pid.data))
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
    return _render(page, group, enrolment, form, _educational_form(page, posted=False), warnings)


@bp.post("/enrolments/<int:enrolment_id>/educational-supervisor")
@roles_required(*MANAGERS)
def assign_educational_supervisor(enrolment_id: int) -> Response | tuple[str, int]:
    """Assign or replace the educational supervisor, who reads and reviews progress, never signs."""
    session, day = get_session(), today()
    enrolment, group = load_managed_enrolment(session, me(), enrolment_id)
    page = staffing.supervisors_page(session, enrolment, day)
    educational = _educational_form(page, posted=True)
    if educational.validate_on_submit():
        supervisor = page.supervisor(educational.supervisor_id.data)
        try:
            assign_educational(session, enrolment, supervisor, educational.starts_on.data, me(),
                               handover_note=educational.handover_note.data or None,
                               pid_confirmed=bool(educational.confirm_pid.data))
        except AssignmentError as error:
            field = getattr(educational, error.field, educational.supervisor_id)
            field.errors = list(field.errors) + [str(error)]
        else:
            flash(f"{supervisor.full_name} is now the educational supervisor of "
                  f"{page.candidate.full_name}.", "success")
            return redirect(url_for("cohorts.supervisors", enrolment_id=enrolment.id)
                            + "#educational")
    form = forms.AssignForm(formdata=None, starts_on=day)
    form.supervisor_id.choices = _choices(page, loads=True)
    return _render(page, group, enrolment, form, educational, []), 400


def _provider_form(session: Session, current: int | None) -> forms.ProviderChoiceForm:
    """The education provider select, showing the enrolment's provider now."""
    form = forms.ProviderChoiceForm(formdata=None, provider_id=current or 0)
    form.provider_id.choices = provider_choices(providers.active_providers(session))
    return form


@bp.post("/enrolments/<int:enrolment_id>/target")
@roles_required(*MANAGERS)
def change_target(enrolment_id: int) -> Response | tuple[str, int]:
    """Move the Stage 2 target date, as agreed with the employer; a problem shows beside it."""
    session, day = get_session(), today()
    enrolment, group = load_managed_enrolment(session, me(), enrolment_id)
    target = forms.TargetForm()
    if target.validate_on_submit():
        try:
            service.set_target(session, enrolment, target.target_on.data, me())
        except service.CohortError as error:
            target.target_on.errors = list(target.target_on.errors) + [str(error)]
        else:
            flash(f"The target date is now {long_date(target.target_on.data)}.", "success")
            return redirect(url_for("cohorts.supervisors", enrolment_id=enrolment.id) + "#target")
    page = staffing.supervisors_page(session, enrolment, day)
    form = forms.AssignForm(formdata=None, starts_on=day)
    form.supervisor_id.choices = _choices(page, loads=True)
    return _render(page, group, enrolment, form, _educational_form(page, posted=False), [],
                   target), 400


@bp.post("/enrolments/<int:enrolment_id>/provider")
@roles_required(*MANAGERS)
def change_provider(enrolment_id: int) -> Response:
    """Name the education provider that approves the enrolment's stages, or none."""
    session = get_session()
    enrolment, _group = load_managed_enrolment(session, me(), enrolment_id)
    form = forms.ProviderChoiceForm()
    offered = providers.active_providers(session)
    provider = chosen(offered, form.provider_id.data) if form.validate_on_submit() else None
    if form.provider_id.data and provider is None:
        flash("Choose one of the education providers listed.", "error")
    else:
        providers.set_enrolment_provider(session, enrolment, provider, me())
        flash(f"The education provider is now {provider.name}." if provider else
              "The enrolment names no education provider now.", "success")
    return redirect(url_for("cohorts.supervisors", enrolment_id=enrolment.id) + "#provider")

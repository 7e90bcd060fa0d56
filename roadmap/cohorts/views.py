"""The training hub pages: hubs, cohorts, enrolment, CSV import, supervisors, the dashboard.

Administrators manage hubs; a hub lead manages their own hub's cohorts only: anything of
another hub is a 404, so nobody learns that it exists.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
from flask import (Blueprint, Flask, Response, abort, current_app, flash, redirect,
                   render_template, request, url_for)
from flask_login import current_user
from sqlalchemy.orm import Session
from wtforms.fields.choices import SelectChoice

from roadmap.accounts.models import Role, User, UserRole
from roadmap.cohorts import csv_import, forms, listing, service
from roadmap.cohorts.dashboard import candidate_rows, scope_of_cohort
from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
from roadmap.db import get_session
from roadmap.framework.models import FrameworkVersion
from roadmap.supervision import assignments
from roadmap.web.access import roles_required
from roadmap.links import external_link
from roadmap.clock import today

bp = Blueprint("cohorts", __name__)
MANAGERS = (Role.HUB_LEAD, Role.ADMIN)
MAX_CSV_BYTES = 2 * 1024 * 1024


def init_app(app: Flask) -> None:
    """Register the blueprints and the header link."""
    from roadmap.cohorts import hub_views
    from roadmap.web import templating

    app.register_blueprint(bp)
    app.register_blueprint(hub_views.bp)
    templating.register_navigation(app, Role.HUB_LEAD.value, "hubs.hubs", "Training hub")
    templating.register_navigation(app, Role.ADMIN.value, "hubs.hubs", "Training hubs")


def me() -> User:
    """The signed-in person."""
    return current_user._get_current_object()


def lead_hub_ids(user: User) -> set[int]:
    """The hubs a person leads."""
    return {g.hub_id for g in user.roles if g.role == Role.HUB_LEAD.value and g.hub_id}


def may_manage(user: User, hub_id: int) -> bool:
    """Administrators manage every hub; a hub lead only their own."""
    return user.has_role(Role.ADMIN) or hub_id in lead_hub_ids(user)


def load_hub(hub_id: int) -> TrainingHub:
    """The hub, or 404 when the person may not manage it."""
    hub = get_session().get(TrainingHub, hub_id)
    if hub is None or not may_manage(me(), hub.id):
        abort(404)
    return hub


def load_cohort(cohort_id: int) -> Cohort:
    """The cohort, or 404 when it belongs to a hub the person may not manage."""
    cohort = get_session().get(Cohort, cohort_id)
    if cohort is None or not may_manage(me(), cohort.hub_id):
        abort(404)
    return cohort


def load_enrolment(enrolment_id: int) -> tuple[Enrolment, Cohort]:
    """The enrolment and its cohort, or 404 outside the person's hubs."""
    enrolment = get_session().get(Enrolment, enrolment_id)
    if enrolment is None:
        abort(404)
    return enrolment, load_cohort(enrolment.cohort_id)


def _version(version_id: Optional[int]) -> Optional[FrameworkVersion]:
    """A loaded framework version that is the latest of its roadmap, or None."""
    return next((v for v in service.frameworks(get_session()) if v.id == version_id), None)


def _lifetime() -> dt.timedelta:
    return dt.timedelta(days=current_app.config["INVITATION_DAYS"])


@bp.get("/cohorts/<int:cohort_id>")
@roles_required(*MANAGERS)
def cohort(cohort_id: int) -> str:
    """The cohort dashboard: one row per candidate, sorted and filtered by the query string."""
    group = load_cohort(cohort_id)
    hub = get_session().get(TrainingHub, group.hub_id)
    rows = candidate_rows(get_session(), scope_of_cohort(group.id), today())
    view = listing.View.from_args(request.args)
    table = listing.cells(listing.apply(rows, view))
    base = url_for("cohorts.supervisors", enrolment_id=0)[:-len("/0/supervisors")]
    body = listing.body_html(table, lambda enrolment_id: f"{base}/{enrolment_id}/supervisors")
    return render_template("cohorts/dashboard.html", cohort=group, hub=hub, view=view,
                           table=table, body=body, total=len(rows),
                           risks=listing.risk_counts(rows), columns=listing.COLUMNS,
                           rag_counts={k: sum(1 for r in rows if r.rag == k)
                                       for k in listing.RAG_ORDER})


@bp.get("/cohorts/<int:cohort_id>/dashboard.csv")
@roles_required(*MANAGERS)
def cohort_csv(cohort_id: int) -> Response:
    """Exactly the rows and columns the dashboard shows with the same query string, as CSV."""
    group = load_cohort(cohort_id)
    rows = candidate_rows(get_session(), scope_of_cohort(group.id), today())
    view = listing.View.from_args(request.args)
    name = "".join(ch if ch.isalnum() else "-" for ch in group.name.lower()).strip("-")
    return Response(listing.to_csv(listing.apply(rows, view)), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="{name or "cohort"}-{today():%Y-%m-%d}.csv"'})


@bp.route("/cohorts/<int:cohort_id>/enrol", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def enrol(cohort_id: int) -> Response | str:
    """Enrol one candidate: pinned to the roadmap's latest version, invited by email."""
    group, session = load_cohort(cohort_id), get_session()
    form = forms.EnrolForm()
    versions = service.frameworks(session)
    form.framework_version_id.choices = [SelectChoice(v.id, f"{v.title} (version {v.version_label})")
                                         for v in versions]
    form.employer_id.choices = [SelectChoice(0, "Not recorded")] + [SelectChoice(e.id, e.name)
                                                        for e in service.employers(session)]
    if form.validate_on_submit():
        version = _version(form.framework_version_id.data)
        employer = next((e for e in service.employers(session) if e.id == form.employer_id.data), None)
        if version is None:
            form.framework_version_id.errors = ["Select a roadmap"]
        else:
            details = service.NewEnrolment(
                full_name=form.full_name.data, email=form.email.data,
                enrolled_on=form.enrolled_on.data, route=form.route.data, employer=employer,
                profession=form.profession.data, stage2_started_on=form.stage2_started_on.data,
                target_on=form.target_on.data)
            try:
                enrolment = service.enrol(session, group, version, details, me(),
                                          invitation_lifetime=_lifetime(), link_for=external_link)
            except service.CohortError as error:
                getattr(form, error.field).errors = list(getattr(form, error.field).errors) + [str(error)]
            else:
                flash(f"{details.full_name} is enrolled. Now assign their supervisors.", "success")
                return redirect(url_for("cohorts.supervisors", enrolment_id=enrolment.id))
    return render_template("cohorts/enrol.html", cohort=group, form=form)


@bp.get("/cohorts/import-template.csv")
@roles_required(*MANAGERS)
def import_template() -> Response:
    """The CSV template: the header row and one example row."""
    return Response(csv_import.template_csv(), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="roadmap-enrolment-template.csv"'})


@bp.route("/cohorts/<int:cohort_id>/import", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def import_csv(cohort_id: int) -> Response | str | tuple[str, int]:
    """Upload a CSV and see the dry run; confirm to enrol every row, or none."""
    group, session = load_cohort(cohort_id), get_session()
    form, confirm = forms.ImportForm(), forms.ConfirmImportForm()
    versions = service.frameworks(session)
    form.framework_version_id.choices = [SelectChoice(v.id, f"{v.title} (version {v.version_label})")
                                         for v in versions]
    if request.method == "POST" and request.form.get("csv_text") is not None and confirm.validate():
        version = _version(confirm.framework_version_id.data)
        if version is None:
            form.framework_version_id.errors = ["Select a roadmap, then check the file again"]
            return render_template("cohorts/import.html", cohort=group, form=form,
                                   confirm=confirm, plan=None, version=None), 422
        try:
            done = csv_import.run_import(session, group, version, confirm.csv_text.data or "",
                                         me(), today(), invitation_lifetime=_lifetime(),
                                         link_for=external_link)
        except csv_import.ImportRefused as refused:
            return render_template("cohorts/import.html", cohort=group, form=form,
                                   confirm=confirm, plan=refused.plan, version=version), 422
        flash(f"{len(done)} candidate{'s' if len(done) != 1 else ''} enrolled; invitations "
              "have been sent to new accounts.", "success")
        return redirect(url_for("cohorts.cohort", cohort_id=group.id))
    plan, version = None, None
    if request.method == "POST" and form.validate_on_submit():
        version = _version(form.framework_version_id.data)
        upload = request.files.get("file")
        if version is None:
            form.framework_version_id.errors = ["Select a roadmap"]
        elif upload is None or not upload.filename:
            form.file.errors = ["Select a CSV file"]
        else:
            data = upload.read(MAX_CSV_BYTES + 1)
            if len(data) > MAX_CSV_BYTES:
                form.file.errors = ["The file must be smaller than 2 MB"]
            else:
                text = csv_import.decode(data)
                plan = csv_import.dry_run(session, group, version, text, today())
                confirm.csv_text.data, confirm.framework_version_id.data = text, str(version.id)
    return render_template("cohorts/import.html", cohort=group, form=form, confirm=confirm,
                           plan=plan, version=version)


def _supervisor_choices(session: Session, on: dt.date) -> tuple[list[SelectChoice], dict[int, User]]:
    """Active supervisors, each labelled with their current load (rule D6)."""
    people = list(session.scalars(
        sa.select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.SUPERVISOR.value, User.is_active)
        .order_by(User.full_name).distinct()))
    loads = assignments.loads(session, [p.id for p in people], on)
    choices = [SelectChoice(0, "Choose a supervisor")] + [
        SelectChoice(p.id, f"{p.full_name}: {loads[p.id].describe()}"
                     + (", over capacity" if loads[p.id].over else "")) for p in people]
    return choices, {p.id: p for p in people}


@bp.route("/enrolments/<int:enrolment_id>/supervisors", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def supervisors(enrolment_id: int) -> Response | str:
    """Assign or replace the primary and backup supervisor, with history and capacity."""
    enrolment, group = load_enrolment(enrolment_id)
    session, day = get_session(), today()
    candidate = session.get(User, enrolment.candidate_id)
    form = forms.AssignForm()
    if request.method == "GET":
        form.starts_on.data = day
        form.kind.data = request.args.get("kind") if request.args.get("kind") in ("primary", "backup") else None
    choices, people = _supervisor_choices(session, day)
    form.supervisor_id.choices = choices
    warnings: list[str] = []
    if form.validate_on_submit():
        supervisor = people.get(form.supervisor_id.data)
        try:
            if supervisor is None:
                raise assignments.AssignmentError("supervisor_id", "Choose a supervisor")
            if form.fte.data:
                try:
                    fte = float(form.fte.data)
                except ValueError:
                    raise assignments.AssignmentError("fte", "Enter the FTE as a number, like 0.6") from None
                assignments.set_fte(session, supervisor, fte, me())
            result = assignments.assign(
                session, enrolment, supervisor, form.kind.data, form.starts_on.data, me(),
                handover_note=form.handover_note.data or None,
                confirm_over_capacity=form.confirm_over_capacity.data == f"{supervisor.id}-{form.kind.data}")
        except assignments.AssignmentError as error:
            field = getattr(form, error.field, form.supervisor_id)
            field.errors = list(field.errors) + [str(error)]
        else:
            if result.needs_confirmation:
                warnings = result.warnings
                form.confirm_over_capacity.data = f"{supervisor.id}-{form.kind.data}"
            else:
                note = f" Warning: {result.warnings[0]}." if result.warnings else ""
                flash(f"{supervisor.full_name} is now the {form.kind.data} supervisor of "
                      f"{candidate.full_name}.{note}", "warning" if note else "success")
                return redirect(url_for("cohorts.supervisors", enrolment_id=enrolment.id))
    if not warnings:
        form.confirm_over_capacity.data = ""
    past = assignments.history(session, enrolment.id)
    holders = {}
    for assignment in reversed(past):  # oldest first, so the latest start wins
        if assignment.is_current(day):
            holders[assignment.kind] = assignment
    return render_template("cohorts/supervisors.html", cohort=group, enrolment=enrolment,
                           candidate=candidate, form=form, warnings=warnings, holders=holders,
                           history=past, target_form=forms.TargetForm(formdata=None),
                           version=session.get(FrameworkVersion, enrolment.framework_version_id))


@bp.post("/enrolments/<int:enrolment_id>/target")
@roles_required(*MANAGERS)
def change_target(enrolment_id: int) -> Response:
    """Move the Stage 2 target date, as agreed with the employer."""
    enrolment, _group = load_enrolment(enrolment_id)
    form = forms.TargetForm()
    if form.validate_on_submit():
        try:
            service.set_target(get_session(), enrolment, form.target_on.data, me())
        except service.CohortError as error:
            flash(str(error), "error")
        else:
            flash(f"The target date is now {form.target_on.data.day} "
                  f"{form.target_on.data:%B %Y}.", "success")
    else:
        flash("Enter the new target date as a real date, like 23/11/2026.", "error")
    return redirect(url_for("cohorts.supervisors", enrolment_id=enrolment.id) + "#target")

"""A cohort's pages: its dashboard and CSV, enrolling one candidate, importing many from CSV."""
from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from roadmap.accounts.models import Role
from roadmap.clock import today
from roadmap.cohorts import csv_import, forms, listing, overview, service, table
from roadmap.cohorts.models import TrainingHub
from roadmap.cohorts.blueprint import (MANAGERS, bp, chosen, identity_confirmed,
                                       identity_recent, invitation_lifetime, me, provider_choices,
                                       version_choices)
from roadmap.db import get_session
from roadmap.links import external_link
from roadmap.portfolio import autosave
from roadmap.providers import service as providers
from roadmap.web import downloads
from roadmap.supervision.forms import IdentityForm
from roadmap.web.access import roles_required
from roadmap.web.reach import load_cohort

MAX_CSV_BYTES = 2 * 1024 * 1024


@bp.get("/cohorts/<int:cohort_id>")
@roles_required(*MANAGERS)
def cohort(cohort_id: int) -> str:
    """The cohort dashboard: one row per candidate, sorted and filtered by the query string."""
    session = get_session()
    group = load_cohort(session, me(), cohort_id)
    view = listing.View.from_args(request.args)
    page = overview.cohort_dashboard(session, group, view, today())
    base = url_for("cohorts.supervisors", enrolment_id=0)[:-len("/0/supervisors")]
    body = table.body_html(page.table, lambda enrolment_id: f"{base}/{enrolment_id}/supervisors")
    return render_template("cohorts/dashboard.html", cohort=group, hub=page.hub, view=view,
                           table=page.table, body=body, total=page.total, risks=page.risks,
                           columns=listing.COLUMNS, shown=table.shown_columns(),
                           rag_counts=page.rag_counts)


@bp.get("/cohorts/<int:cohort_id>/dashboard.csv")
@roles_required(*MANAGERS)
def cohort_csv(cohort_id: int) -> Response:
    """Exactly the rows and columns the dashboard shows with the same query string, as CSV."""
    session = get_session()
    group = load_cohort(session, me(), cohort_id)
    text = overview.cohort_csv(session, group, listing.View.from_args(request.args), today())
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": downloads.attachment([group.name, "cohort"], today(), "csv")})


@bp.route("/cohorts/<int:cohort_id>/enrol", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def enrol(cohort_id: int) -> Response | str:
    """Enrol one candidate: pinned to the roadmap's latest version, invited by email."""
    session = get_session()
    group = load_cohort(session, me(), cohort_id)
    versions, employers = service.frameworks(session), service.employers(session)
    form = forms.EnrolForm()
    form.framework_version_id.choices = version_choices(versions)
    form.employer_id.choices = [SelectChoice(0, "Not recorded")] + [SelectChoice(e.id, e.name)
                                                                    for e in employers]
    offered = providers.active_providers(session)
    form.provider_id.choices = provider_choices(offered)
    if form.validate_on_submit():
        version = chosen(versions, form.framework_version_id.data)
        if version is None:
            form.framework_version_id.errors = ["Select a roadmap"]
        else:
            details = service.NewEnrolment(
                full_name=form.full_name.data, email=form.email.data,
                enrolled_on=form.enrolled_on.data, route=form.route.data,
                employer=chosen(employers, form.employer_id.data),
                profession=form.profession.data, stage2_started_on=form.stage2_started_on.data,
                target_on=form.target_on.data, provider=chosen(offered, form.provider_id.data))
            try:
                enrolment = service.enrol(session, group, version, details, me(),
                                          invitation_lifetime=invitation_lifetime(),
                                          link_for=external_link)
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
    """Upload a CSV; its dry run's problems are listed, or it is read back to be confirmed."""
    session = get_session()
    group = load_cohort(session, me(), cohort_id)
    form = forms.ImportForm()
    versions = service.frameworks(session)
    form.framework_version_id.choices = version_choices(versions)
    kept = autosave.checking(session, me().id, request.path)
    if request.method == "GET" and kept is not None:  # "Change": the roadmap chosen before
        form.framework_version_id.data = _number(kept.data.get("framework_version_id"))
    plan, version = None, None
    if request.method == "POST" and form.validate_on_submit():
        version = chosen(versions, form.framework_version_id.data)
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
                if plan.ok:  # read back before anything is saved
                    autosave.keep(session, me().id, request.path, MultiDict(
                        {"csv_text": text, "framework_version_id": str(version.id)}),
                        autosave.CHECKING, most=MAX_CSV_BYTES)
                    return redirect(url_for("cohorts.check_import", cohort_id=group.id))
    elif form.framework_version_id.errors:  # a garbled id: the words a person can act on
        form.framework_version_id.errors = ["Select a roadmap"]
    return render_template("cohorts/import.html", cohort=group, form=form, plan=plan,
                           version=version)


def _number(values: Any) -> int:
    """The first kept value as a number (0 when there is none)."""
    text = str((values or [""])[0])
    return int(text) if text.isdigit() and len(text) <= 18 else 0


@bp.route("/cohorts/<int:cohort_id>/import/check", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def check_import(cohort_id: int) -> Response | str | tuple[str, int]:
    """Read back who will be enrolled, on which roadmap, by whom; confirm who you are and
    import. The checked file is used once: a second click finds it gone and imports nothing."""
    session, user = get_session(), me()
    group = load_cohort(session, user, cohort_id)
    back = url_for("cohorts.import_csv", cohort_id=group.id)
    kept = autosave.checking(session, user.id, back)
    if kept is None:
        flash("Nothing is waiting to be imported. If you have just imported a file, its "
              "candidates are listed below.", "info")
        return redirect(url_for("cohorts.cohort", cohort_id=group.id))
    version = chosen(service.frameworks(session), _number(kept.data.get("framework_version_id")))
    text = str((kept.data.get("csv_text") or [""])[0])
    if version is None:
        flash("Select a roadmap, then check the file again.", "error")
        return redirect(back)
    plan = csv_import.dry_run(session, group, version, text, today())
    identity, status = IdentityForm(), 200
    if plan.ok and request.method == "POST":
        if identity_confirmed(identity):
            if not autosave.take(session, kept):
                return redirect(request.path)  # the twin request imported; this says so
            try:
                done = csv_import.run_import(session, group, version, text, user, today(),
                                             invitation_lifetime=invitation_lifetime(),
                                             link_for=external_link)
            except csv_import.ImportRefused as refused:  # rolled back: the file stays kept
                plan, status = refused.plan, 422
            else:
                flash(f"{len(done)} candidate{'s' if len(done) != 1 else ''} enrolled; "
                      "invitations have been sent to new accounts.", "success")
                return redirect(url_for("cohorts.cohort", cohort_id=group.id))
        else:
            status = 400
    if not plan.ok:  # the file no longer passes (someone enrolled meanwhile, say)
        form = forms.ImportForm(formdata=None)
        form.framework_version_id.choices = version_choices(service.frameworks(session))
        return render_template("cohorts/import.html", cohort=group, form=form, plan=plan,
                               version=version), status if status != 200 else 422
    body = render_template("cohorts/import_check.html", cohort=group, plan=plan, version=version,
                           identity=identity, identity_needed=not identity_recent(), back=back,
                           capacity=_capacity(user, group))
    return (body, status) if status != 200 else body


def _capacity(user: Any, group: Any) -> str:
    """In which capacity the person imports: as an administrator, or as the hub's lead."""
    hub = get_session().get(TrainingHub, group.hub_id)
    if not user.has_role(Role.HUB_LEAD) and user.has_role(Role.ADMIN):
        return "Administrator"
    return f"Hub lead, {hub.name}" if hub is not None else "Hub lead"

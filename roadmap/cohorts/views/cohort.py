"""A cohort's pages: its dashboard and CSV, enrolling one candidate, importing many from CSV."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from roadmap.clock import today
from roadmap.cohorts import csv_import, forms, listing, overview, service, table
from roadmap.cohorts.blueprint import (MANAGERS, bp, chosen, invitation_lifetime, me,
                                       provider_choices, version_choices)
from roadmap.db import get_session
from roadmap.links import external_link
from roadmap.providers import service as providers
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
    filename, text = overview.cohort_csv(session, group, listing.View.from_args(request.args),
                                         today())
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


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
    """Upload a CSV and see the dry run; confirm to enrol every row, or none."""
    session = get_session()
    group = load_cohort(session, me(), cohort_id)
    form, confirm = forms.ImportForm(), forms.ConfirmImportForm()
    versions = service.frameworks(session)
    form.framework_version_id.choices = version_choices(versions)
    if request.method == "POST" and request.form.get("csv_text") is not None and confirm.validate():
        version = chosen(versions, confirm.framework_version_id.data)
        if version is None:
            form.framework_version_id.errors = ["Select a roadmap, then check the file again"]
            return render_template("cohorts/import.html", cohort=group, form=form,
                                   confirm=confirm, plan=None, version=None), 422
        try:
            done = csv_import.run_import(session, group, version, confirm.csv_text.data or "",
                                         me(), today(), invitation_lifetime=invitation_lifetime(),
                                         link_for=external_link)
        except csv_import.ImportRefused as refused:
            return render_template("cohorts/import.html", cohort=group, form=form,
                                   confirm=confirm, plan=refused.plan, version=version), 422
        flash(f"{len(done)} candidate{'s' if len(done) != 1 else ''} enrolled; invitations "
              "have been sent to new accounts.", "success")
        return redirect(url_for("cohorts.cohort", cohort_id=group.id))
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
                confirm.csv_text.data, confirm.framework_version_id.data = text, str(version.id)
    return render_template("cohorts/import.html", cohort=group, form=form, confirm=confirm,
                           plan=plan, version=version)

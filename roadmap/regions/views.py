"""The region pages: the regions, a region's hubs side by side, one hub of it, its CSV; and the
administrators' set-up of regions and their leads."""
from __future__ import annotations

from flask import Flask, Response, flash, redirect, render_template, url_for

from roadmap.accounts import onboarding
from roadmap.accounts.models import Role
from roadmap.clock import today
from roadmap.db import get_session
from roadmap.links import external_link
from roadmap.regions import forms, pages, service
from roadmap.regions.blueprint import VIEWERS, bp, invitation_lifetime, me
from roadmap.regions.charts import HIDDEN_MARK, quarter_charts
from roadmap.web import templating
from roadmap.web.access import roles_required
from roadmap.web.reach import load_region, load_region_hub


def init_app(app: Flask) -> None:
    """Register the blueprint and the header links."""
    app.register_blueprint(bp)
    templating.register_navigation(app, Role.REGIONAL_LEAD.value, "regions.regions", "Region")
    templating.register_navigation(app, Role.ADMIN.value, "regions.regions", "Regions")


@bp.get("/")
@roles_required(*VIEWERS)
def regions() -> Response | str:
    """Every region for an administrator; a regional lead of one region goes straight to it."""
    user = me()
    found = service.regions_for(get_session(), user)
    if len(found) == 1 and not user.has_role(Role.ADMIN):
        return redirect(url_for("regions.region", region_id=found[0][0].id))
    return render_template("regions/regions.html", regions=found,
                           is_admin=user.has_role(Role.ADMIN))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_region() -> Response | str:
    """Create a region; hubs join it from their own form."""
    form = forms.RegionForm()
    if form.validate_on_submit():
        try:
            place = service.create_region(get_session(), form.name.data,
                                          form.annual_signoff_target.data, by=me())
        except service.RegionError as error:
            form.name.errors = list(form.name.errors) + [str(error)]
        else:
            flash(f"{place.name} was created. Choose it on the form of each hub it has.", "success")
            return redirect(url_for("regions.leads", region_id=place.id))
    return render_template("regions/region_form.html", form=form, region=None)


@bp.route("/<int:region_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_region(region_id: int) -> Response | str:
    """Change a region's name or its annual target."""
    place = load_region(get_session(), me(), region_id)
    form = forms.RegionForm(obj=place)
    if form.validate_on_submit():
        try:
            service.update_region(get_session(), place, form.name.data,
                                  form.annual_signoff_target.data, by=me())
        except service.RegionError as error:
            form.name.errors = list(form.name.errors) + [str(error)]
        else:
            flash("The region was updated.", "success")
            return redirect(url_for("regions.region", region_id=place.id))
    return render_template("regions/region_form.html", form=form, region=place)


@bp.get("/<int:region_id>")
@roles_required(*VIEWERS)
def region(region_id: int) -> str:
    """Every hub of the region side by side, and the region's total: counts only."""
    session = get_session()
    place = load_region(session, me(), region_id)
    report = pages.region_report(session, place, today())
    return render_template("regions/region.html", report=report, hidden_mark=HIDDEN_MARK,
                           charts=quarter_charts(report.total, report.quarters,
                                                 place.annual_signoff_target, "region"),
                           is_admin=me().has_role(Role.ADMIN))


@bp.get("/<int:region_id>/hubs/<int:hub_id>")
@roles_required(*VIEWERS)
def hub(region_id: int, hub_id: int) -> str:
    """One hub of the region: its figures as the region page shows them, its trends."""
    session = get_session()
    place, training_hub = load_region_hub(session, me(), region_id, hub_id)
    report = pages.region_report(session, place, today())
    row = report.hub(training_hub.id)
    return render_template("regions/hub.html", report=report, row=row, hidden_mark=HIDDEN_MARK,
                           charts=quarter_charts(row, report.quarters,
                                                 training_hub.annual_signoff_target, "hub"))


@bp.get("/<int:region_id>/figures.csv")
@roles_required(*VIEWERS)
def region_csv(region_id: int) -> Response:
    """Every figure the region's pages show, hub by hub and in total, as CSV."""
    session = get_session()
    filename, text = pages.region_csv(session, load_region(session, me(), region_id), today())
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _leads_page(region_id: int, form: forms.LeadForm | None = None,
                status: int = 200) -> str | tuple[str, int]:
    """A region's leads now and before, and the form to add one (empty, or as posted)."""
    session = get_session()
    place = load_region(session, me(), region_id)
    found = service.leads(session, place)
    body = render_template("regions/leads.html", region=place, current=found.current,
                           former=found.former, form=form or forms.LeadForm(formdata=None))
    return (body, status) if status != 200 else body


@bp.get("/<int:region_id>/leads")
@roles_required(Role.ADMIN)
def leads(region_id: int) -> str | tuple[str, int]:
    """Who leads the region now and before; add one."""
    return _leads_page(region_id)


@bp.post("/<int:region_id>/leads/add")
@roles_required(Role.ADMIN)
def add_lead(region_id: int) -> Response | str | tuple[str, int]:
    """Add a regional lead: an existing account gets the role; someone new is invited."""
    session = get_session()
    place = load_region(session, me(), region_id)
    form = forms.LeadForm()
    if form.validate():
        try:
            service.add_regional_lead(session, place, form.email.data, form.full_name.data,
                                      by=me(), lifetime=invitation_lifetime(),
                                      link_for=external_link)
        except (service.RegionError, onboarding.InvitationError) as error:
            field = getattr(form, error.field, form.email)
            field.errors = list(field.errors) + [str(error)]
        else:
            flash(f"{form.full_name.data} now leads {place.name}.", "success")
            return redirect(url_for("regions.leads", region_id=place.id))
    return _leads_page(region_id, form, 400)


@bp.post("/<int:region_id>/leads/<int:lead_id>/end")
@roles_required(Role.ADMIN)
def end_lead(region_id: int, lead_id: int) -> Response:
    """Stop someone leading the region, from now."""
    session = get_session()
    place = load_region(session, me(), region_id)
    try:
        ended = service.end_regional_lead(session, place, lead_id, by=me())
    except service.RegionError as error:
        flash(str(error), "error")
    else:
        flash(f"{ended.user.full_name} no longer leads {place.name}.", "success")
    return redirect(url_for("regions.leads", region_id=place.id))

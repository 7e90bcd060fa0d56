"""Hub pages: the list of hubs, a hub's cohorts, risks, supervisor load and charts."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from wtforms.fields.choices import SelectChoice

from roadmap.accounts.models import Role
from roadmap.clock import today
from roadmap.cohorts import forms, listing, overview, service
from roadmap.cohorts.blueprint import MANAGERS, chosen, hubs_bp as bp, me
from roadmap.cohorts.trends import month_label
from roadmap.db import get_session
from roadmap.regions.models import Region
from roadmap.web.access import roles_required
from roadmap.web.reach import load_hub


@bp.get("/")
@roles_required(*MANAGERS)
def hubs() -> Response | str:
    """Every hub for an administrator; a hub lead goes straight to their hub."""
    user = me()
    found = overview.hubs_for(get_session(), user)
    if len(found) == 1 and not user.has_role(Role.ADMIN):
        return redirect(url_for("hubs.hub", hub_id=found[0].id))
    return render_template("cohorts/hubs.html", hubs=found, is_admin=user.has_role(Role.ADMIN))


def _offer_regions(form: forms.HubForm) -> list[Region]:
    """Offer every region, after "None", in the hub form's select; the regions offered."""
    regions = service.regions(get_session())
    form.region_id.choices = [SelectChoice(0, "None")] + [SelectChoice(r.id, r.name)
                                                          for r in regions]
    return regions


def _region_known(form: forms.HubForm, regions: list[Region]) -> bool:
    """True for "None" or a region offered; else the error goes beside the select (a region
    made or renamed meanwhile is offered again; a forged id never is)."""
    if not form.region_id.data or chosen(regions, form.region_id.data) is not None:
        return True
    form.region_id.errors = list(form.region_id.errors) + ["Choose one of the regions listed"]
    return False


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_hub() -> Response | str:
    """Create a training hub."""
    form = forms.HubForm()
    regions = _offer_regions(form)
    if form.validate_on_submit() and _region_known(form, regions):
        try:
            hub = service.create_hub(get_session(), form.name.data,
                                     chosen(regions, form.region_id.data),
                                     form.annual_signoff_target.data, me())
        except service.CohortError as error:
            form.name.errors = list(form.name.errors) + [str(error)]
        else:
            flash(f"{hub.name} was created.", "success")
            return redirect(url_for("hubs.hub", hub_id=hub.id))
    return render_template("cohorts/hub_form.html", form=form, hub=None)


@bp.route("/<int:hub_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_hub(hub_id: int) -> Response | str:
    """Change a hub's name, region or annual target."""
    hub = load_hub(get_session(), me(), hub_id)
    form = forms.HubForm(obj=hub)
    regions = _offer_regions(form)
    if form.validate_on_submit() and _region_known(form, regions):
        try:
            service.update_hub(get_session(), hub, form.name.data,
                               chosen(regions, form.region_id.data),
                               form.annual_signoff_target.data, me())
        except service.CohortError as error:
            form.name.errors = list(form.name.errors) + [str(error)]
        else:
            flash("The hub was updated.", "success")
            return redirect(url_for("hubs.hub", hub_id=hub.id))
    return render_template("cohorts/hub_form.html", form=form, hub=hub)


@bp.get("/<int:hub_id>")
@roles_required(*MANAGERS)
def hub(hub_id: int) -> str:
    """A hub at a glance: cohorts with their risks, supervisor load, trends and outcomes."""
    session = get_session()
    place = load_hub(session, me(), hub_id)
    page = overview.hub_overview(session, place, today())
    return render_template(
        "cohorts/hub.html", hub=place, cohorts=page.cohorts, by_cohort=page.by_cohort,
        risks=page.risks, total=page.total, rag_order=listing.RAG_ORDER, loads=page.loads,
        trends=page.trends, charts=page.charts, month_label=month_label,
        employer_form=forms.EmployerForm(), employers=page.employers, region=page.region,
        is_admin=me().has_role(Role.ADMIN))


@bp.post("/<int:hub_id>/employers")
@roles_required(*MANAGERS)
def add_employer(hub_id: int) -> Response:
    """Add an employer candidates can be enrolled with."""
    load_hub(get_session(), me(), hub_id)
    form = forms.EmployerForm()
    if form.validate_on_submit():
        employer = service.add_employer(get_session(), form.name.data, me())
        flash(f"{employer.name} can now be chosen as an employer.", "success")
    else:
        flash("Enter the employer's name.", "error")
    return redirect(url_for("hubs.hub", hub_id=hub_id) + "#employers")


@bp.route("/<int:hub_id>/cohorts/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new_cohort(hub_id: int) -> Response | str:
    """Create a cohort in the hub."""
    place = load_hub(get_session(), me(), hub_id)
    form = forms.CohortForm()
    if form.validate_on_submit():
        try:
            group = service.create_cohort(get_session(), place, form.name.data,
                                          form.starts_on.data, me())
        except service.CohortError as error:
            form.name.errors = list(form.name.errors) + [str(error)]
        else:
            flash(f"{group.name} was created. Enrol candidates one by one or from a CSV file.",
                  "success")
            return redirect(url_for("cohorts.cohort", cohort_id=group.id))
    return render_template("cohorts/cohort_form.html", form=form, hub=place)

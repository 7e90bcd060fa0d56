"""Hub pages: the list of hubs, a hub's cohorts, risks, supervisor load and charts."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, render_template, url_for
from sqlalchemy.orm import Session

from roadmap.accounts.models import Role, User
from roadmap.cohorts import charts, forms, listing, service
from roadmap.cohorts.dashboard import candidate_rows, scope_of_hub
from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
from roadmap.cohorts.trends import Trends, hub_trends, month_label
from roadmap.cohorts.views import MANAGERS, lead_hub_ids, load_hub, me
from roadmap.db import get_session
from roadmap.supervision import assignments
from roadmap.supervision.models import SupervisorAssignment
from roadmap.web.access import roles_required
from roadmap.clock import today

bp = Blueprint("hubs", __name__, url_prefix="/hubs")


@bp.get("/")
@roles_required(*MANAGERS)
def hubs() -> Response | str:
    """Every hub for an administrator; a hub lead goes straight to their hub."""
    user, session = me(), get_session()
    statement = sa.select(TrainingHub).order_by(TrainingHub.name)
    if not user.has_role(Role.ADMIN):
        statement = statement.where(TrainingHub.id.in_(lead_hub_ids(user)))
    found = list(session.scalars(statement))
    if len(found) == 1 and not user.has_role(Role.ADMIN):
        return redirect(url_for("hubs.hub", hub_id=found[0].id))
    return render_template("cohorts/hubs.html", hubs=found, is_admin=user.has_role(Role.ADMIN))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_hub() -> Response | str:
    """Create a training hub."""
    form = forms.HubForm()
    if form.validate_on_submit():
        try:
            hub = service.create_hub(get_session(), form.name.data, form.region.data,
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
    hub = load_hub(hub_id)
    form = forms.HubForm(obj=hub)
    if form.validate_on_submit():
        try:
            service.update_hub(get_session(), hub, form.name.data, form.region.data,
                               form.annual_signoff_target.data, me())
        except service.CohortError as error:
            form.name.errors = list(form.name.errors) + [str(error)]
        else:
            flash("The hub was updated.", "success")
            return redirect(url_for("hubs.hub", hub_id=hub.id))
    return render_template("cohorts/hub_form.html", form=form, hub=hub)


def _supervisor_loads(session: Session, hub_id: int,
                      day: dt.date) -> list[tuple[User, assignments.Load, int, int]]:
    """Supervisors working in the hub today: (person, load everywhere, primaries here, backups here)."""
    rows = session.execute(
        sa.select(User, SupervisorAssignment.kind, sa.func.count())
        .join(SupervisorAssignment, SupervisorAssignment.supervisor_id == User.id)
        .join(Enrolment, Enrolment.id == SupervisorAssignment.enrolment_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Cohort.hub_id == hub_id, assignments.current_filter(day),
               Enrolment.status == "active")
        .group_by(User.id, SupervisorAssignment.kind)).all()
    people: dict[int, User] = {}
    here: dict[tuple[int, str], int] = {}
    for person, kind, count in rows:
        people[person.id] = person
        here[(person.id, kind)] = count
    loads = assignments.loads(session, people, day)
    result = [(p, loads[p.id], here.get((p.id, "primary"), 0), here.get((p.id, "backup"), 0))
              for p in people.values()]
    return sorted(result, key=lambda item: (-item[1].ratio, item[0].full_name))


@bp.get("/<int:hub_id>")
@roles_required(*MANAGERS)
def hub(hub_id: int) -> str:
    """A hub at a glance: cohorts with their risks, supervisor load, trends and outcomes."""
    place, session, day = load_hub(hub_id), get_session(), today()
    cohorts = list(session.scalars(sa.select(Cohort).where(Cohort.hub_id == place.id)
                                   .order_by(Cohort.name)))
    scope = scope_of_hub(place.id)
    rows = candidate_rows(session, scope, day)
    cohort_of = dict(session.execute(sa.select(Enrolment.id, Enrolment.cohort_id)
                                     .where(Enrolment.id.in_(scope))).all())
    by_cohort = {c.id: [r for r in rows if cohort_of.get(r.enrolment_id) == c.id] for c in cohorts}
    trends = hub_trends(session, scope, rows, place.annual_signoff_target, day)
    return render_template(
        "cohorts/hub.html", hub=place, cohorts=cohorts, by_cohort=by_cohort,
        risks=listing.risk_counts(rows), total=len(rows), rag_order=listing.RAG_ORDER,
        loads=_supervisor_loads(session, place.id, day), trends=trends,
        charts=_charts(trends), month_label=month_label, employer_form=forms.EmployerForm(),
        employers=service.employers(session), is_admin=me().has_role(Role.ADMIN))


def _charts(trends: Trends) -> dict[str, object]:
    """The hub's SVG charts from its trends."""
    labels = [month_label(m) for m in trends.months]
    weeks_labels, weeks_counts = charts.buckets(trends.weeks_to_signoff, 4, "weeks")
    target = (charts.Series(f"Monthly share of the annual target ({trends.annual_target})",
                            [trends.monthly_target] * len(labels))
              if trends.monthly_target else None)
    return {
        "signoffs": charts.column_chart(
            "chart-signoffs", "Stage 2 sign-offs per month", [m[:3] for m in labels],
            charts.Series("Stage 2 sign-offs", trends.signoffs), target,
            description="Stage 2 sign-offs per month: " + "; ".join(
                f"{label}: {n}" for label, n in zip(labels, trends.signoffs))
            + (f". Target: {trends.annual_target} a year, about {trends.monthly_target:.1f} a month."
               if trends.monthly_target else ". No annual target is set.")),
        "time_to_signoff": charts.column_chart(
            "chart-time", "Time from enrolment to Stage 2 sign-off", weeks_labels,
            charts.Series("Candidates signed off", weeks_counts),
            description="Candidates by weeks from enrolment to sign-off: " + ("; ".join(
                f"{label}: {n}" for label, n in zip(weeks_labels, weeks_counts))
                or "no sign-offs yet") + "."),
        "wpbas": charts.column_chart(
            "chart-wpba", "WPBAs per month across the hub", [m[:3] for m in labels],
            charts.Series("WPBAs completed", trends.wpbas),
            charts.Series("Expected: 2 a month per Stage 2 candidate", trends.wpbas_expected),
            description="WPBAs per month against the number expected: " + "; ".join(
                f"{label}: {n} of {e}" for label, n, e in
                zip(labels, trends.wpbas, trends.wpbas_expected)) + "."),
        "regions": charts.share_chart("chart-regions", "Case mix by body region",
                                      trends.regions, trends.case_mix_entries),
        "outcomes": charts.share_chart("chart-outcomes", "Outcomes of case-mix consultations",
                                       trends.outcomes, trends.case_mix_entries),
    }


@bp.post("/<int:hub_id>/employers")
@roles_required(*MANAGERS)
def add_employer(hub_id: int) -> Response:
    """Add an employer candidates can be enrolled with."""
    load_hub(hub_id)
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
    place = load_hub(hub_id)
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

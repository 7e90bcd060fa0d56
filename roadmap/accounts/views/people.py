"""Managing people: admins and hub leads invite; admins change roles and disable accounts."""
from __future__ import annotations

import datetime as dt

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from roadmap.accounts import onboarding, people
from roadmap.accounts.blueprint import people_bp as bp
from roadmap.accounts.forms import InviteForm
from roadmap.accounts.models import Role
from roadmap.db import get_session
from roadmap.fields import whole_number
from roadmap.web.access import roles_required
from roadmap.links import external_link
from roadmap.web.params import page_number
from roadmap.web.reach import load_person

PAGE_SIZE = 50


@bp.get("/")
@roles_required(Role.ADMIN)
def list_people() -> str:
    """Every account, searchable by name or email, a page at a time."""
    query = (request.args.get("q") or "").strip()
    page = page_number()
    found, more = people.search(get_session(), query, page, PAGE_SIZE)
    return render_template("people/list.html", people=found, query=query, page=page, more=more)


@bp.route("/invite", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.HUB_LEAD)
def invite() -> Response | str:
    """Invite someone by email; they set their own password from the link."""
    user = current_user._get_current_object()
    session = get_session()
    form = InviteForm()
    form.role.choices = [SelectChoice(r.value, r.label) for r in people.invitable_roles(user)]
    hubs = people.invitable_hubs(session, user)
    form.hub_id.choices = [SelectChoice(0, "Choose a hub")] + [SelectChoice(h.id, h.name) for h in hubs]
    if form.validate_on_submit():
        try:
            people.invite(
                session, user, Role(form.role.data), form.hub_id.data, email=form.email.data,
                full_name=form.full_name.data,
                lifetime=dt.timedelta(days=current_app.config["INVITATION_DAYS"]),
                link_for=external_link, profession=form.profession.data or None,
                registration_body=form.registration_body.data or None,
                registration_number=form.registration_number.data or None)
        except onboarding.InvitationError as error:
            getattr(form, error.field).errors = list(getattr(form, error.field).errors) + [str(error)]
        else:
            flash(f"Invitation sent to {form.email.data}.", "success")
            return redirect(url_for("people.invite"))
    return render_template("people/invite.html", form=form, show_hub=user.has_role(Role.ADMIN))


@bp.get("/<int:user_id>")
@roles_required(Role.ADMIN)
def person(user_id: int) -> str:
    """One account: details, roles, whether it is active."""
    session = get_session()
    page = people.person_page(session, load_person(session, user_id))
    return render_template("people/person.html", person=page.person, roles=list(Role),
                           hubs=page.hubs, lead_hub=page.lead_hub_id)


@bp.post("/<int:user_id>/roles")
@roles_required(Role.ADMIN)
def change_roles(user_id: int) -> Response:
    """Replace an account's roles."""
    session = get_session()
    person = load_person(session, user_id)
    chosen = {Role(value) for value in request.form.getlist("roles") if value in {r.value for r in Role}}
    try:
        people.change_roles(session, person, chosen, whole_number(request.form.get("hub_id")),
                            current_user.id)
    except people.PeopleError as error:
        flash(str(error), "error")
    else:
        flash("Roles updated.", "success")
    return redirect(url_for("people.person", user_id=user_id))


@bp.post("/<int:user_id>/active")
@roles_required(Role.ADMIN)
def set_active(user_id: int) -> Response:
    """Disable an account (ending its sessions at once) or enable it again."""
    session = get_session()
    person = load_person(session, user_id)
    active = request.form.get("active") == "1"
    try:
        people.set_active(session, person, active, current_user.id)
    except people.PeopleError as error:
        flash(str(error), "error")
    else:
        flash(f"{person.full_name}'s account is {'enabled' if active else 'disabled'}.", "success")
    return redirect(url_for("people.person", user_id=user_id))

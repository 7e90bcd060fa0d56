"""Managing people: admins and hub leads invite; admins change roles and disable accounts."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from roadmap.accounts import onboarding, service
from roadmap.accounts.forms import InviteForm
from roadmap.accounts.models import Role, User
from roadmap.cohorts.models import TrainingHub
from roadmap.db import get_session
from roadmap.fields import whole_number
from roadmap.web.access import roles_required
from roadmap.links import external_link
from roadmap.web.params import page_number

bp = Blueprint("people", __name__, url_prefix="/people")
PAGE_SIZE = 50


def register_navigation(app: Flask) -> None:
    """Header links for the people pages."""
    from roadmap.web import templating

    templating.register_navigation(app, Role.ADMIN.value, "people.list_people", "People")
    templating.register_navigation(app, Role.HUB_LEAD.value, "people.invite", "Invite people")


def _invitable_roles(user: User) -> list[Role]:
    """Admins invite anyone; hub leads invite candidates and supervisors for their hub."""
    if user.has_role(Role.ADMIN):
        return list(Role)
    return [Role.CANDIDATE, Role.SUPERVISOR]


def _lead_hub_ids(user: User) -> list[int]:
    return [g.hub_id for g in user.roles if g.role == Role.HUB_LEAD.value and g.hub_id]


@bp.get("/")
@roles_required(Role.ADMIN)
def list_people() -> str:
    """Every account, searchable by name or email, a page at a time."""
    query = (request.args.get("q") or "").strip()
    page = page_number()
    statement = sa.select(User).order_by(User.full_name, User.id)
    if query:
        like = f"%{query.lower()}%"
        statement = statement.where(sa.or_(sa.func.lower(User.full_name).like(like),
                                           User.email.like(like)))
    people = get_session().scalars(statement.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    return render_template("people/list.html", people=people[:PAGE_SIZE], query=query, page=page,
                           more=len(people) > PAGE_SIZE)


@bp.route("/invite", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.HUB_LEAD)
def invite() -> Response | str:
    """Invite someone by email; they set their own password from the link."""
    user = current_user._get_current_object()
    session = get_session()
    form = InviteForm()
    form.role.choices = [SelectChoice(r.value, r.label) for r in _invitable_roles(user)]
    hubs = session.scalars(sa.select(TrainingHub).order_by(TrainingHub.name)).all()
    if not user.has_role(Role.ADMIN):
        hubs = [h for h in hubs if h.id in _lead_hub_ids(user)]
    form.hub_id.choices = [SelectChoice(0, "Choose a hub")] + [SelectChoice(h.id, h.name) for h in hubs]
    if form.validate_on_submit():
        role = Role(form.role.data)
        if role is Role.HUB_LEAD and form.hub_id.data not in {h.id for h in hubs}:
            form.hub_id.errors = list(form.hub_id.errors) + ["Select the hub this person will lead"]
        else:
            days = current_app.config["INVITATION_DAYS"]
            try:
                onboarding.invite(
                    session, email=form.email.data, full_name=form.full_name.data, roles=[role],
                    hub_id=form.hub_id.data or None, invited_by=user,
                    lifetime=dt.timedelta(days=days), link_for=external_link,
                    profession=form.profession.data or None,
                    registration_body=form.registration_body.data or None,
                    registration_number=form.registration_number.data or None)
            except onboarding.InvitationError as error:
                getattr(form, error.field).errors = list(getattr(form, error.field).errors) + [str(error)]
            else:
                flash(f"Invitation sent to {form.email.data}.", "success")
                return redirect(url_for("people.invite"))
    return render_template("people/invite.html", form=form, show_hub=user.has_role(Role.ADMIN))


def _person(user_id: int) -> User:
    person = get_session().get(User, user_id)
    if person is None:
        abort(404)
    return person


@bp.get("/<int:user_id>")
@roles_required(Role.ADMIN)
def person(user_id: int) -> str:
    """One account: details, roles, whether it is active."""
    session = get_session()
    hubs = session.scalars(sa.select(TrainingHub).order_by(TrainingHub.name)).all()
    return render_template("people/person.html", person=_person(user_id), roles=list(Role), hubs=hubs)


@bp.post("/<int:user_id>/roles")
@roles_required(Role.ADMIN)
def change_roles(user_id: int) -> Response:
    """Replace an account's roles."""
    person = _person(user_id)
    chosen = {Role(value) for value in request.form.getlist("roles") if value in {r.value for r in Role}}
    hub_id = whole_number(request.form.get("hub_id"))
    if not chosen:
        flash("Choose at least one role. To stop someone signing in, disable the account.", "error")
    elif Role.HUB_LEAD in chosen and (hub_id is None or get_session().get(TrainingHub, hub_id) is None):
        flash("Choose the hub a hub lead leads.", "error")
    else:
        service.set_roles(get_session(), person, chosen, hub_id, current_user.id)
        flash("Roles updated.", "success")
    return redirect(url_for("people.person", user_id=user_id))


@bp.post("/<int:user_id>/active")
@roles_required(Role.ADMIN)
def set_active(user_id: int) -> Response:
    """Disable an account (ending its sessions at once) or enable it again."""
    person = _person(user_id)
    if person.id == current_user.id:
        flash("You cannot disable your own account.", "error")
    else:
        active = request.form.get("active") == "1"
        service.set_active(get_session(), person, active, current_user.id)
        flash(f"{person.full_name}'s account is {'enabled' if active else 'disabled'}.", "success")
    return redirect(url_for("people.person", user_id=user_id))

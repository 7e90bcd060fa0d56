"""Administrators' pages: education providers, and who reviews for each."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from roadmap.accounts import onboarding
from roadmap.accounts.models import Role
from roadmap.db import get_session
from roadmap.links import external_link
from roadmap.providers import forms, service
from roadmap.providers.blueprint import bp, invitation_lifetime, me
from roadmap.web.access import roles_required
from roadmap.web.reach import load_provider


@bp.get("/")
@roles_required(Role.ADMIN)
def providers() -> str:
    """Every education provider, with how many reviewers it has."""
    return render_template("providers/providers.html", providers=service.providers(get_session()))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_provider() -> Response | str:
    """Create an education provider."""
    form = forms.ProviderForm()
    if form.validate_on_submit():
        try:
            provider = service.create_provider(get_session(), form.name.data, me())
        except service.ProviderError as error:
            form.name.errors = list(form.name.errors) + [str(error)]
        else:
            flash(f"{provider.name} was created. Now add its reviewers.", "success")
            return redirect(url_for("providers.provider", provider_id=provider.id))
    return render_template("providers/provider_form.html", form=form)


def _page(provider_id: int, form: forms.ReviewerForm | None = None,
          status: int = 200) -> str | tuple[str, int]:
    """A provider's page with its reviewers, and the form to add one (empty, or as posted)."""
    session = get_session()
    page = service.provider_page(session, load_provider(session, provider_id))
    body = render_template("providers/provider.html", provider=page.provider,
                           current=page.current, former=page.former, learners=page.learners,
                           form=form or forms.ReviewerForm(formdata=None))
    return (body, status) if status != 200 else body


@bp.get("/<int:provider_id>")
@roles_required(Role.ADMIN)
def provider(provider_id: int) -> str | tuple[str, int]:
    """One provider: its reviewers now and before; add one."""
    return _page(provider_id)


@bp.post("/<int:provider_id>/reviewers")
@roles_required(Role.ADMIN)
def add_reviewer(provider_id: int) -> Response | str | tuple[str, int]:
    """Add a reviewer: an existing account gets the role; someone new is invited by email."""
    session = get_session()
    place = load_provider(session, provider_id)
    form = forms.ReviewerForm()
    if form.validate():
        try:
            service.add_reviewer(session, place, form.email.data, form.full_name.data, me(),
                                 lifetime=invitation_lifetime(), link_for=external_link)
        except (service.ProviderError, onboarding.InvitationError) as error:
            field = getattr(form, error.field, form.email)
            field.errors = list(field.errors) + [str(error)]
        else:
            flash(f"{form.full_name.data} now reviews for {place.name}.", "success")
            return redirect(url_for("providers.provider", provider_id=place.id))
    return _page(provider_id, form, 400)


@bp.post("/<int:provider_id>/reviewers/<int:reviewer_id>/end")
@roles_required(Role.ADMIN)
def end_reviewer(provider_id: int, reviewer_id: int) -> Response:
    """Stop someone reviewing for the provider, from now."""
    session = get_session()
    place = load_provider(session, provider_id)
    try:
        ended = service.end_reviewer(session, place, reviewer_id, me())
    except service.ProviderError as error:
        flash(str(error), "error")
    else:
        flash(f"{ended.user.full_name} no longer reviews for {place.name}.", "success")
    return redirect(url_for("providers.provider", provider_id=place.id))

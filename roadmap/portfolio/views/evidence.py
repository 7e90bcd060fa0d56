"""Evidence pages: choose a type, fill in the form, view the item, submit it to a supervisor."""
from __future__ import annotations

from typing import Optional

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, HiddenField, RadioField
from wtforms.fields.choices import SelectChoice

from roadmap.accounts.models import Role
from roadmap.clock import today
from roadmap.db import get_session, writes_when_read
from roadmap.fields import HiddenNumberField, id_number
from roadmap.framework import definitions
from roadmap.portfolio import autosave, editing, forms, service, shared_check
from roadmap.portfolio.blueprint import (OWNER, absolute, bp, enrolment_or_404, evidence_page,
                                         form_key, keeps_work, lock_version)
from roadmap.web.access import roles_required
from roadmap.web.reach import load_evidence


@bp.get("/evidence/new")
@roles_required(Role.CANDIDATE)
def choose_type() -> str:
    """Choose what kind of evidence to add."""
    enrolment = enrolment_or_404()
    return render_template("portfolio/choose_type.html",
                           types=service.evidence_types(get_session(), enrolment))


@bp.route("/evidence/new/<type_code>", methods=["GET", "POST"])
@keeps_work
@roles_required(Role.CANDIDATE)
def new_evidence(type_code: str) -> Response | str:
    """A new item of one type; for types with templates, the template is chosen first."""
    session, enrolment = get_session(), enrolment_or_404()
    kind = editing.evidence_type(session, enrolment, type_code)
    if kind is None:
        abort(404)
    template = request.args.get("template")
    if definitions.templates(kind.definition) and \
            definitions.template_named(kind.definition, template) is None:
        return render_template("portfolio/choose_template.html", kind=kind,
                               templates=definitions.templates(kind.definition),
                               error=bool(template is not None))
    return _form_page(editing.form_page(session, current_user, form_key(),
                                        request.method == "GET", enrolment, kind, template))


@bp.route("/evidence/<int:evidence_id>/edit", methods=["GET", "POST"])
@keeps_work
@roles_required(Role.CANDIDATE)
def edit_evidence(evidence_id: int) -> Response | str:
    """Change an item; a signed item keeps its signed version and becomes changed since signed."""
    session = get_session()
    evidence, _ = load_evidence(session, current_user, evidence_id, OWNER, today())
    return _form_page(editing.edit_page(session, current_user, form_key(),
                                        request.method == "GET", evidence))


def _form_page(page: editing.FormPage) -> Response | str:
    """Show, restore or save the evidence form."""
    session, user = get_session(), current_user._get_current_object()
    kind, template, evidence = page.kind, page.template, page.evidence
    build = (kind, template, page.scales, page.capabilities, page.outcomes, page.waiting)
    if request.method == "POST":
        form = forms.build(*build)
        form.submitting = request.form.get("action") == "submit"
    elif page.restored is not None:
        form = forms.build(*build, formdata=autosave.as_form(page.restored,
                                                            {"form_token": forms.new_token()}))
    else:
        form = forms.build(*build)
        form.form_token.data = forms.new_token()
        if evidence is not None and page.links is not None:
            form.title.data, form.occurred_on.data = evidence.title, evidence.occurred_on
            forms.load_answers(form, evidence.fields or {})
            form.capabilities.data = list(page.links.capability_ids)
            for capability_id, outcome_id in page.links.outcomes.items():
                if capability_id in form.outcome_names:
                    form[form.outcome_names[capability_id]].data = str(outcome_id)
            form.lock_version.data = str(evidence.lock_version)
    problem, unconfirmed = None, None
    if request.method == "POST" and form.validate():
        linked = tuple(sorted(set(form.capabilities.data or [])))
        draft = editing.Draft(form.title.data.strip(), form.occurred_on.data, forms.answers_of(form),
                              service.Links(linked, forms.chosen_outcomes(form, linked)))
        try:
            saved = editing.save(session, user, page, draft, lock_version(form.lock_version.data),
                                 form.form_token.data or "", form_key(),
                                 request.form.get("confirm_pid") == "y",
                                 request.form.get("pid_shown", ""))
        except service.StaleForm as error:
            problem = str(error)
            form.lock_version.data = str(evidence.lock_version) if evidence else ""
        except shared_check.Unconfirmed as error:
            unconfirmed = error
        except service.PortfolioError as error:
            form.capabilities.errors = list(form.capabilities.errors) + [str(error)]
        else:
            return _after_save(saved, form.submitting)
        form.form_token.data = forms.new_token()
    return render_template("portfolio/evidence_form.html", form=form, kind=kind, evidence=evidence,
                           template=definitions.template_named(kind.definition, template),
                           sections=definitions.sections(kind.definition, template,
                                                         [definitions.CANDIDATE], skip=page.waiting),
                           waiting=page.waiting, restored=page.restored, problem=problem,
                           caps=page.capabilities, unconfirmed=unconfirmed)


def _after_save(saved: editing.Saved, submitting: bool) -> Response:
    """Where a saved form goes next: the item, its submit page, or the list for a lost repeat."""
    if saved.repeat:
        flash("Your answers were already saved.", "info")
        return redirect(url_for("portfolio.show_evidence", evidence_id=saved.evidence_id)
                        if saved.evidence_id else url_for("portfolio.evidence_list"))
    if submitting:
        return redirect(url_for("portfolio.submit_evidence", evidence_id=saved.evidence_id))
    flash("Your draft is saved." if saved.status == "draft" else "Your changes are saved.",
          "success")
    return redirect(url_for("portfolio.show_evidence", evidence_id=saved.evidence_id))


@bp.get("/evidence/<int:evidence_id>")
@writes_when_read
@roles_required(Role.CANDIDATE, Role.SUPERVISOR)
def show_evidence(evidence_id: int) -> str:
    """One item: its answers (Markdown rendered safely), links, files, comments and status."""
    return evidence_page(evidence_id)


class SubmitForm(FlaskForm):
    """Send an item to a named supervisor, once the PID warnings are dealt with."""

    supervisor = RadioField("Who should review it?", coerce=id_number, validate_choice=False)
    confirm_pid = BooleanField("I have checked the highlighted text and none of it identifies a patient")
    lock_version = HiddenNumberField()
    form_token = HiddenField()


@bp.route("/evidence/<int:evidence_id>/submit", methods=["GET", "POST"])
@keeps_work
@roles_required(Role.CANDIDATE)
def submit_evidence(evidence_id: int) -> Response | str:
    """Check the item (answers, PID) and send it to a current primary or backup supervisor."""
    session, user = get_session(), current_user._get_current_object()
    evidence, _ = load_evidence(session, user, evidence_id, OWNER, today())
    page = editing.submit_page(session, evidence, today())
    form = SubmitForm()
    form.supervisor.choices = [SelectChoice(u.id, f"{u.full_name} ({k} supervisor)")
                               for u, k in page.supervisors]
    if request.method == "POST":
        chosen: Optional[int] = form.supervisor.data
        try:
            repeat = editing.submit_once(
                session, evidence, user, form.form_token.data or "", chosen,
                lock_version(form.lock_version.data), today(), bool(form.confirm_pid.data),
                absolute("portfolio.show_evidence", evidence_id=evidence.id))
        except service.PortfolioError as error:
            target = form.confirm_pid if "highlighted" in str(error) else form.supervisor
            target.errors = list(target.errors) + [str(error)]
        else:
            if repeat:
                flash("This item was already submitted.", "info")
            else:
                name = next(u.full_name for u, _ in page.supervisors if u.id == chosen)
                flash(f"Submitted to {name}. They have been sent an email.", "success")
            return redirect(url_for("portfolio.show_evidence", evidence_id=evidence.id))
    elif len(page.supervisors) >= 1:
        form.supervisor.data = page.supervisors[0][0].id
    form.lock_version.data, form.form_token.data = str(evidence.lock_version), forms.new_token()
    return render_template(
        "portfolio/submit.html", form=form, evidence=evidence, kind=page.kind, missing=page.missing,
        findings=page.findings, supervisors=page.supervisors,
        submittable=evidence.status in service.SUBMITTABLE)

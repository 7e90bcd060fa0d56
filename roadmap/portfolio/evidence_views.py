"""Evidence pages: choose a type, fill in the form, view, submit, attach and download files."""
from __future__ import annotations

from typing import Any, Optional

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, HiddenField, RadioField
from wtforms.fields.choices import SelectChoice

from roadmap import storage
from roadmap.accounts.models import Role, User
from roadmap.cohorts.models import Enrolment
from roadmap.db import get_session, writes_when_read
from roadmap.fields import HiddenNumberField, id_number
from roadmap.framework import definitions
from roadmap.framework.models import EvidenceType, FrameworkVersion
from roadmap.portfolio import attachments, autosave, forms, service
from roadmap.portfolio.as_signed import narrow
from roadmap.portfolio.models import Attachment, Evidence, EvidenceComment, FormSubmission
from roadmap.portfolio.pid import KIND_LABELS, highlight
from roadmap.portfolio.uploads import kept_name
from roadmap.clock import today
from roadmap.portfolio.web import absolute, bp, enrolment_or_404, form_key, keeps_work
from roadmap.web.access import roles_required
from roadmap.readers import service as readers
from roadmap.readers.models import Opened
from roadmap.web.reach import CONTENT, Reach, load_attachment, load_evidence, signed_version

OWNER = {Reach.OWNER}


def _type_of(enrolment: Enrolment, code: str) -> EvidenceType:
    kind = get_session().scalar(sa.select(EvidenceType).where(
        EvidenceType.framework_version_id == enrolment.framework_version_id,
        EvidenceType.code == code))
    if kind is None:
        abort(404)
    return kind


def _scales(enrolment: Enrolment) -> dict[str, dict[str, Any]]:
    version = get_session().get(FrameworkVersion, enrolment.framework_version_id)
    assert version is not None
    return definitions.scales(version)


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
    enrolment = enrolment_or_404()
    kind = _type_of(enrolment, type_code)
    template = request.args.get("template")
    if definitions.templates(kind.definition) and \
            definitions.template_named(kind.definition, template) is None:
        return render_template("portfolio/choose_template.html", kind=kind,
                               templates=definitions.templates(kind.definition),
                               error=bool(template is not None))
    return _form_page(enrolment, kind, template, None)


@bp.route("/evidence/<int:evidence_id>/edit", methods=["GET", "POST"])
@keeps_work
@roles_required(Role.CANDIDATE)
def edit_evidence(evidence_id: int) -> Response | str:
    """Change an item; a signed item keeps its signed version and becomes changed since signed."""
    evidence, _ = load_evidence(get_session(), current_user, evidence_id, OWNER, today())
    enrolment = get_session().get(Enrolment, evidence.enrolment_id)
    kind = get_session().get(EvidenceType, evidence.evidence_type_id)
    assert enrolment is not None and kind is not None
    return _form_page(enrolment, kind, evidence.template_code, evidence)


def _form_page(enrolment: Enrolment, kind: EvidenceType, template: Optional[str],
               evidence: Optional[Evidence]) -> Response | str:
    """Show, restore or save the evidence form."""
    session, user = get_session(), current_user._get_current_object()
    caps = service.capabilities(session, enrolment)
    outcomes = service.outcomes_by_capability(session, enrolment)
    scales = _scales(enrolment)
    restored = None
    if request.method == "POST":
        form = forms.build(kind, template, scales, caps, outcomes)
        form.submitting = request.form.get("action") == "submit"
    else:
        restored = autosave.kept(session, user.id, form_key())
        if restored is not None and evidence is not None and restored.saved_at < evidence.updated_at:
            restored = None  # the item was saved after this was kept
        if restored is not None:
            form = forms.build(kind, template, scales, caps, outcomes,
                               formdata=autosave.as_form(restored, {"form_token": forms.new_token()}))
        else:
            form = forms.build(kind, template, scales, caps, outcomes)
            form.form_token.data = forms.new_token()
            if evidence is not None:
                form.title.data, form.occurred_on.data = evidence.title, evidence.occurred_on
                forms.load_answers(form, evidence.fields or {})
                links = service.current_links(session, evidence)
                form.capabilities.data = list(links.capability_ids)
                for capability_id, outcome_id in links.outcomes.items():
                    if capability_id in form.outcome_names:
                        form[form.outcome_names[capability_id]].data = str(outcome_id)
                form.lock_version.data = str(evidence.lock_version)
    problem = None
    if request.method == "POST" and form.validate():
        done = service.claim_form_token(session, user, form.form_token.data or "")
        if done is not None:
            flash("Your answers were already saved.", "info")
            return redirect(url_for("portfolio.show_evidence", evidence_id=done.evidence_id)
                            if done.evidence_id else url_for("portfolio.evidence_list"))
        linked = tuple(sorted(set(form.capabilities.data or [])))
        links = service.Links(linked, forms.chosen_outcomes(form, linked))
        try:
            if evidence is None:
                evidence = service.create_evidence(
                    session, enrolment, user, kind, template, form.title.data.strip(),
                    form.occurred_on.data, forms.answers_of(form), links)
            else:
                service.update_evidence(session, evidence, user, _int(form.lock_version.data),
                                        form.title.data.strip(), form.occurred_on.data,
                                        forms.answers_of(form), links)
        except service.StaleForm as error:
            problem = str(error)
            form.lock_version.data = str(evidence.lock_version) if evidence else ""
        except service.PortfolioError as error:
            form.capabilities.errors = list(form.capabilities.errors) + [str(error)]
        else:
            _record_token(session, form.form_token.data, evidence)
            autosave.discard(session, user.id, form_key())
            if form.submitting:
                return redirect(url_for("portfolio.submit_evidence", evidence_id=evidence.id))
            flash("Your draft is saved." if evidence.status == "draft" else "Your changes are saved.",
                  "success")
            return redirect(url_for("portfolio.show_evidence", evidence_id=evidence.id))
        form.form_token.data = forms.new_token()
    return render_template("portfolio/evidence_form.html", form=form, kind=kind, evidence=evidence,
                           template=definitions.template_named(kind.definition, template),
                           sections=definitions.sections(kind.definition, template,
                                                         [definitions.CANDIDATE]),
                           restored=restored, problem=problem, caps=caps)


def _int(value: Any) -> int:
    """The version a form carries; one that is missing, not a number, or beyond any version
    the database can hold (it would fail the comparison) is treated as stale."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return -1
    return number if 0 <= number < 2**31 else -1


def _record_token(session: Any, token: Optional[str], evidence: Evidence) -> None:
    """Point the form's one-time token at the item, so a repeat post finds it."""
    claim = session.get(FormSubmission, token) if token else None
    if claim is not None:
        claim.evidence_id = evidence.id


@bp.get("/evidence/<int:evidence_id>")
@writes_when_read
@roles_required(Role.CANDIDATE, Role.SUPERVISOR)
def show_evidence(evidence_id: int) -> str:
    """One item: its answers (Markdown rendered safely), links, files, comments and status."""
    return _evidence_page(evidence_id)


def _evidence_page(evidence_id: int, upload_error: Optional[str] = None) -> str:
    """The item's page; with an upload's refusal beside the file field."""
    session, user = get_session(), current_user._get_current_object()
    evidence, level = load_evidence(session, user, evidence_id, CONTENT, today())
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    kind = session.get(EvidenceType, evidence.evidence_type_id)
    assert enrolment is not None and kind is not None
    scales = _scales(enrolment)
    links = service.current_links(session, evidence)
    caps = {c.id: c for c in service.capabilities(session, enrolment)}
    page = dict(
        evidence=evidence, signed=service.signed_versions(session, [evidence.id]).get(evidence.id),
        history=service.signature_history(session, evidence.id),
        linked=[caps[i] for i in links.capability_ids if i in caps],
        files=session.scalars(sa.select(Attachment).where(Attachment.evidence_id == evidence.id)
                              .order_by(Attachment.uploaded_at)).all(),
        comments=session.scalars(sa.select(EvidenceComment).where(
            EvidenceComment.evidence_id == evidence.id).order_by(EvidenceComment.created_at.desc())).all())
    if level is Reach.SUPERVISOR_READONLY:  # a former supervisor: as they signed it, nothing newer
        page = narrow(page, list(caps.values()), *signed_version(session, user, evidence.id))  # type: ignore[misc]
        evidence = page["evidence"]
    readers.record(session, user, enrolment, Opened.ITEM, former=level is Reach.SUPERVISOR_READONLY,
                   evidence_id=evidence.id, label=evidence.title)
    supervisor = session.get(User, evidence.submitted_to_id) if evidence.submitted_to_id else None
    sections = [s for s in definitions.sections(kind.definition, evidence.template_code)
                if s.get("completed_by") in ("candidate", "assessor")]
    return render_template(
        "portfolio/evidence.html", kind=kind, owner=level == Reach.OWNER, supervisor=supervisor,
        former=level is Reach.SUPERVISOR_READONLY, sections=sections,
        answer=lambda spec: definitions.display_answer(spec, evidence.fields or {}, scales),
        signed_files=attachments.signed_file_ids(session, evidence.id, page["files"]),
        upload_error=upload_error, disputed=service.disputed_signatures(session, evidence.id),
        signed_answer=lambda spec, fields: definitions.display_answer(spec, fields or {}, scales),
        attachments_rule=definitions.attachments_rule(kind),
        submittable=evidence.status in service.SUBMITTABLE,
        template=definitions.template_named(kind.definition, evidence.template_code), **page)


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
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    kind = session.get(EvidenceType, evidence.evidence_type_id)
    assert enrolment is not None and kind is not None
    supervisors = service.current_supervisors(session, enrolment, today())
    form = SubmitForm()
    form.supervisor.choices = [SelectChoice(u.id, f"{u.full_name} ({k} supervisor)")
                             for u, k in supervisors]
    if request.method == "POST":
        done = service.claim_form_token(session, user, form.form_token.data or "")
        if done is not None:
            flash("This item was already submitted.", "info")
            return redirect(url_for("portfolio.show_evidence", evidence_id=evidence.id))
        if not form.supervisor.data:
            form.supervisor.errors = ["Select the supervisor to send this to"]
        else:
            try:
                service.submit(session, evidence, user, form.supervisor.data,
                               _int(form.lock_version.data), today(), bool(form.confirm_pid.data),
                               absolute("portfolio.show_evidence", evidence_id=evidence.id))
            except service.PortfolioError as error:
                target = form.confirm_pid if "highlighted" in str(error) else form.supervisor
                target.errors = list(target.errors) + [str(error)]
            else:
                name = next(u.full_name for u, _ in supervisors if u.id == form.supervisor.data)
                flash(f"Submitted to {name}. They have been sent an email.", "success")
                return redirect(url_for("portfolio.show_evidence", evidence_id=evidence.id))
    elif len(supervisors) >= 1:
        form.supervisor.data = supervisors[0][0].id
    form.lock_version.data, form.form_token.data = str(evidence.lock_version), forms.new_token()
    findings = service.pid_findings(evidence, kind)
    missing = service.missing_answers(evidence, kind, service.current_links(session, evidence),
                                      service.evidence_attachment_count(session, evidence))
    return render_template(
        "portfolio/submit.html", form=form, evidence=evidence, kind=kind, missing=missing,
        findings=[(spec, highlight(text, found), sorted({KIND_LABELS[f.kind] for f in found}))
                  for spec, text, found in findings],
        supervisors=supervisors, submittable=evidence.status in service.SUBMITTABLE)


@bp.post("/evidence/<int:evidence_id>/attachments")
@roles_required(Role.CANDIDATE)
def add_attachment(evidence_id: int) -> Response | tuple[str, int]:
    """Attach a PDF, PNG, JPEG or Word file, checked by its content; a refusal shows beside it."""
    session, user = get_session(), current_user._get_current_object()
    evidence, _ = load_evidence(session, user, evidence_id, OWNER, today())
    kind = session.get(EvidenceType, evidence.evidence_type_id)
    assert kind is not None
    upload = request.files.get("file")
    if definitions.attachments_rule(kind) == "none":
        error = "This kind of evidence does not take attachments"
    elif upload is None or not upload.filename:
        error = "Select a file to attach"
    else:
        try:
            added = attachments.add(session, evidence, user, upload.filename,
                                    upload.stream.read(attachments.MAX_BYTES + 1))
        except attachments.AttachmentRefused as refused:
            error = str(refused)
        else:
            flash(f"{added.filename} is attached.", "success")
            return redirect(url_for("portfolio.show_evidence", evidence_id=evidence.id)
                            + "#attachments")
    return _evidence_page(evidence.id, upload_error=error), 400


@bp.get("/attachments/<int:attachment_id>")
@writes_when_read
@roles_required(Role.CANDIDATE, Role.SUPERVISOR)
def download_attachment(attachment_id: int) -> Response:
    """A file, as a download, to those who may read the item it belongs to."""
    session, user = get_session(), current_user._get_current_object()
    attachment, evidence, level = load_attachment(session, user, attachment_id, CONTENT, today())
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    assert enrolment is not None
    readers.record(session, user, enrolment, Opened.ATTACHMENT,
                   former=level is Reach.SUPERVISOR_READONLY, evidence_id=evidence.id,
                   attachment_id=attachment.id, label=attachment.filename)
    try:  # streamed from the store in chunks, never read whole into memory
        body = storage.current().open(attachment.sha256)
    except storage.MissingObject:
        abort(404)
    # Names stored before uploads were cleaned may hold CR, LF or NUL, which no header may.
    response = send_file(body, mimetype=attachment.media_type, as_attachment=True,
                         download_name=kept_name(attachment.filename, attachment.media_type), max_age=0,
                         conditional=False)
    response.content_length = attachment.size_bytes
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response

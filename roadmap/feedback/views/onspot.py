"""The assessor signs on the spot on the candidate's phone; they confirm later from their inbox.

The assessor's pages are shown in assessor mode: no navigation into the candidate's portfolio
and nothing about it beyond the item being assessed. The questions, the identity form and
their checks are the emailed ticket's (views.tickets, feedback.tickets): only the way in and
the confirmation differ.
"""
from __future__ import annotations

import secrets
from typing import Any, Optional

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from roadmap.accounts.models import Role
from roadmap.clock import today
from roadmap.db import get_session, utcnow
from roadmap.feedback import onspot, tickets
from roadmap.feedback.blueprint import bp, private, unusable
from roadmap.feedback.errors import FeedbackError
from roadmap.feedback.forms import REGULATORS, ActionForm
from roadmap.feedback.views import lock
from roadmap.feedback.views.tickets import (_attach, _context, _forms, _identity, _kept, _pairs,
                                            _shown)
from roadmap.pid import PATIENT_DETAILS, check as pid_check
from roadmap.portfolio.forms import PREFIX, answers_of
from roadmap.portfolio.models import Evidence
from roadmap.web.access import public, roles_required
from roadmap.web.reach import Reach, load_evidence

MAX_JSON_VALUE = 20_000  # characters in any one value synced from a device


def _item(evidence_id: int) -> Evidence:
    """The signed-in candidate's own WPBA, or 404 (someone else's item is not found)."""
    evidence, _level = load_evidence(get_session(), current_user, evidence_id, {Reach.OWNER},
                                     today())
    if tickets.wpba_type(get_session(), evidence) is None:
        abort(404)
    return evidence


def _domains() -> Any:
    return current_app.config["ASSESSOR_EMAIL_DOMAINS"]


@bp.route("/items/<int:evidence_id>/on-device", methods=["GET"])
@roles_required(Role.CANDIDATE)
def on_device(evidence_id: int) -> Any:
    """The candidate's page: hand the phone over, and the assessments waiting to be confirmed."""
    evidence = _item(evidence_id)
    session = get_session()
    waiting = onspot.for_item(session, evidence)
    return render_template("feedback/onspot_start.html", evidence=evidence, waiting=waiting,
                           etype=tickets.wpba_type(session, evidence), action=ActionForm(),
                           assessable=evidence.status in tickets.ASSESSABLE,
                           lifetime=onspot.LIFETIME.days, now=utcnow())


@bp.route("/items/<int:evidence_id>/on-device/assess", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def assess_on_device(evidence_id: int) -> Any:
    """The assessor's page on the candidate's phone: their part, who they are, and sign."""
    evidence = _item(evidence_id)
    if (held := lock.held()) is not None and held["signed"]:
        return redirect(url_for("feedback.hand_back", evidence_id=held["item"]))
    if evidence.status not in tickets.ASSESSABLE:
        abort(404)
    if request.args.get("sync") != "1":  # the offline page's sync reads the form: no lock
        lock.take(evidence.id)
    page = _context(evidence)
    questions, identity = _forms(page, evidence)
    if request.method == "GET":
        identity.lock_version.data = str(evidence.lock_version)
    status, marked = 200, {}
    # One key per page: a second press of Sign (or a resent form) finds the first assessment.
    client_key = _page_key(request.form.get("client_key")) if request.method == "POST" else None
    client_key = client_key or secrets.token_urlsafe(18)
    if request.method == "POST":
        if questions.validate() & identity.validate_on_submit():
            try:
                onspot.give(get_session(), evidence, current_user._get_current_object(),
                            _identity(identity), answers_of(questions), _kept(request.form),
                            int(identity.lock_version.data or 0), _domains(), client_key)
            except FeedbackError as error:
                _attach(error, questions, identity)
                if str(error) == PATIENT_DETAILS:
                    texts = tickets.assessor_texts(get_session(), evidence, answers_of(questions))
                    marked = pid_check.marked(texts, pid_check.flagged(texts))
                if not error.problems:
                    flash(str(error), "warning")
            else:
                lock.signed(evidence.id)
                return redirect(url_for("feedback.hand_back", evidence_id=evidence.id))
        status = 400
    return private(render_template(
        "feedback/onspot_assess.html", questions=questions, identity=identity, marked=marked,
        assessor_mode=True, lifetime=onspot.LIFETIME.days, client_key=client_key,
        declaration=tickets.declaration(page["candidate_name"]), **page), status)


def _page_key(posted: Optional[str]) -> Optional[str]:
    """The key the page was given, if it still looks like one (else a new one is made)."""
    if posted and 0 < len(posted) <= onspot.MAX_KEY and posted.replace("-", "").replace("_", "").isalnum():
        return posted
    return None


@bp.route("/items/<int:evidence_id>/on-device/signed", methods=["GET"])
@roles_required(Role.CANDIDATE)
def hand_back(evidence_id: int) -> Any:
    """Hand the phone back; the candidate leaves assessor mode with their password or code."""
    evidence = _item(evidence_id)
    page = _context(evidence)
    held = lock.held()
    back = url_for("feedback.on_device", evidence_id=evidence.id)
    return private(render_template("feedback/onspot_signed.html", assessor_mode=True,
                                   signed=held is None or held["signed"],
                                   leave=url_for("account.confirm_identity", next=back),
                                   lifetime=onspot.LIFETIME.days, **page))


@bp.route("/items/<int:evidence_id>/on-device/<int:ticket_id>/resend", methods=["POST"])
@roles_required(Role.CANDIDATE)
def resend_on_device(evidence_id: int, ticket_id: int) -> Response:
    """The candidate sends the assessor a new confirmation link (the old one stops working)."""
    return _act(evidence_id, ticket_id, "resend")


@bp.route("/items/<int:evidence_id>/on-device/<int:ticket_id>/withdraw", methods=["POST"])
@roles_required(Role.CANDIDATE)
def withdraw_on_device(evidence_id: int, ticket_id: int) -> Response:
    """The candidate withdraws an assessment its assessor has not confirmed."""
    return _act(evidence_id, ticket_id, "withdraw")


def _act(evidence_id: int, ticket_id: int, act: str) -> Response:
    """Re-send or withdraw, then back to the candidate's page with what happened."""
    evidence = _item(evidence_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    session, candidate = get_session(), current_user._get_current_object()
    try:
        if act == "resend":
            ticket = onspot.resend(session, evidence, candidate, ticket_id, _domains())
            flash(f"We emailed {ticket.invited_name} a new link to confirm.", "success")
        else:
            ticket = onspot.withdraw(session, evidence, candidate, ticket_id)
            flash(f"The assessment by {ticket.invited_name} was withdrawn. Its link no "
                  "longer works.", "success")
    except FeedbackError as error:
        flash(str(error), "warning")
    return redirect(url_for("feedback.on_device", evidence_id=evidence.id))


@bp.route("/items/<int:evidence_id>/on-device.json", methods=["POST"])
@roles_required(Role.CANDIDATE)
def sync_on_device(evidence_id: int) -> tuple[Response, int]:
    """An assessment made on the device while offline, sent at sync time (see _from_json).

    The CSRF token comes in the X-CSRFToken header. The idempotency key makes a second sync of
    the same assessment find the first: 200 with it, where the first answered 201.
    """
    evidence = _item(evidence_id)
    body = request.get_json(silent=True)
    data = _from_json(body)
    if data is None:
        return jsonify(error="Send a JSON object with idempotency_key, lock_version, assessor "
                             "and answers; every value text, a list of text or a boolean, "
                             "none too long."), 400
    key = body["idempotency_key"]
    session = get_session()
    if (found := onspot.existing(session, evidence, key)) is not None:
        return jsonify(_described(found)), 200
    if evidence.status not in tickets.ASSESSABLE:
        return jsonify(error="This item can no longer be assessed."), 409
    page = _context(evidence)
    questions, identity = _forms(page, evidence, data)
    valid = questions.validate() & identity.validate()
    problems = {name: field.errors[0] for name, field in identity._fields.items() if field.errors}
    problems.update({name[len(PREFIX):]: field.errors[0] for name, field in questions._fields.items()
                     if field.errors and name.startswith(PREFIX)})
    if valid:
        try:
            ticket, new = onspot.give(session, evidence, current_user._get_current_object(),
                                      _identity(identity), answers_of(questions),
                                      _kept(data), int(identity.lock_version.data or 0),
                                      _domains(), key)
        except FeedbackError as error:
            if not error.problems:
                return jsonify(error=str(error)), 409
            problems.update(error.problems)
        else:
            if (held := lock.held()) is not None and held["item"] == evidence.id:
                lock.signed(evidence.id)  # sent from the assess page itself: Back shows hand-back
            return jsonify(_described(ticket)), 201 if new else 200
    return jsonify(error="Check the assessment.", problems=problems), 400


def _from_json(body: Any) -> Optional[MultiDict]:
    """The synced assessment as the on-device form would have posted it, or None if malformed.

    {"idempotency_key": "…", "lock_version": 3,
     "assessor": {"name", "role", "registration_body", "registration_other",
                  "registration_number", "email", "declaration": true, "confirm_pid": false},
     "answers": {"<question code>": "text" | ["code", …]}}
    """
    if not isinstance(body, dict) or not isinstance(body.get("idempotency_key"), str):
        return None
    assessor, answers = body.get("assessor"), body.get("answers")
    lock = body.get("lock_version")
    if not (isinstance(assessor, dict) and isinstance(answers, dict) and isinstance(lock, int)
            and not isinstance(lock, bool) and len(assessor) <= 20 and len(answers) <= 200):
        return None
    data = MultiDict({"lock_version": str(lock)})
    pairs = [(key, value) for key, value in assessor.items()] + [
        (PREFIX + str(key), value) for key, value in answers.items()]
    for name, value in pairs:
        values = value if isinstance(value, list) else [value]
        for one in values:
            if isinstance(one, bool):
                if one:
                    data.add(name, "y")
            elif isinstance(one, str) and len(one) <= MAX_JSON_VALUE:
                data.add(name, one)
            elif one is not None:
                return None
    return data


def _described(ticket: Any) -> dict[str, Any]:
    """A pending on-device assessment, as the device shows it."""
    return {"status": "confirmed" if ticket.used_at else "withdrawn" if ticket.withdrawn_at
            else "pending", "id": ticket.id, "email": ticket.invited_email,
            "expires_at": ticket.expires_at.isoformat()}


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_on_device(token: str) -> Any:
    """The assessor, from their inbox, reads what they signed on the device and confirms it."""
    session = get_session()
    ticket, problem = tickets.open_ticket(session, token, request.remote_addr, _domains(),
                                          on_device=True)
    if problem == "used" and (done := tickets.signed_ticket(session, token)) is not None:
        return private(render_template("feedback/assessed.html", confirmed=True,
                                       **_context(tickets.ticket_item(session, done))))
    if problem:
        return unusable(problem, on_device=True)
    evidence = tickets.ticket_item(session, ticket)
    page = _context(evidence)
    questions, identity = _forms(page, evidence, MultiDict(_pairs(ticket.draft or {})))
    questions.validate()
    identity.validate()
    form, status = ActionForm(), 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            onspot.confirm(session, ticket, _identity(identity), answers_of(questions),
                           _domains())
        except FeedbackError as error:
            return private(render_template("feedback/link_problem.html", message=str(error)),
                           409)
        return private(render_template("feedback/assessed.html", confirmed=True, **page))
    answers = answers_of(questions)
    return private(render_template(
        "feedback/onspot_confirm.html", identity=identity, form=form,
        declaration=tickets.declaration(page["candidate_name"]), expires_at=ticket.expires_at,
        shown=lambda spec: _shown(spec, answers, page["scales"]),
        regulator={c.value: c.label for c in REGULATORS}.get(identity.registration_body.data or ""),
        **page), status)

"""Check your answers before signing an item: what will be signed, by whom, then sign once.

The assessor's answers wait on the server (kept under the assessment page's address) while
the supervisor reads them back; "Change" returns to that page with every answer in place.
Signing takes the kept answers once, so a second click, or the page sent again, finds them
gone and is told the item is signed, never signing twice.
"""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import escape
from werkzeug.wrappers import Response

from roadmap.accounts.models import Role
from roadmap.clock import in_words, today
from roadmap.db import get_session
from roadmap.framework import definitions
from roadmap.pid import check as pid_check
from roadmap.portfolio import autosave
from roadmap.portfolio.forms import answers_of
from roadmap.supervision import review
from roadmap.supervision.blueprint import (assessor_form, bp, identity_confirmed, identity_recent,
                                           item_page)
from roadmap.supervision.capacity import capacity_words
from roadmap.supervision.errors import Incomplete, SupervisionError
from roadmap.supervision.forms import IdentityForm
from roadmap.web.access import roles_required


@bp.route("/supervision/items/<int:evidence_id>/check", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def check_item(evidence_id: int) -> Response | str | tuple[str, int]:
    """Read back the assessment and who signs it; confirm who you are and sign."""
    session, user = get_session(), current_user._get_current_object()
    page = item_page(evidence_id)
    back = url_for("supervision.assess", evidence_id=evidence_id)
    kept = autosave.checking(session, user.id, back)
    if kept is None:
        when = review.signed_by(session, evidence_id, user.id)
        if when is not None:
            flash(f"You signed “{page.evidence.title}” on {in_words(when)}.", "success")
            return redirect(url_for("supervision.inbox"))
        flash("Complete the assessment, then check it before you sign.", "warning")
        return redirect(back)
    form = assessor_form(page, formdata=autosave.as_form(kept, {}))
    form.validate()
    answers = answers_of(form)
    # Ticked on the assessment page with these very findings shown (a "Change" that added
    # an identifier sends the supervisor back to see it).
    confirmed = pid_check.as_shown(kept.data.get("confirm_pid") == ["y"],
                                           (kept.data.get("pid_shown") or [""])[0],
                                           review.assessor_texts(session, evidence_id, answers))[0]
    try:
        capacity = review.check_assessment(session, evidence_id, user, answers, today(),
                                           pid_confirmed=confirmed)
    except (Incomplete, SupervisionError) as problem:
        flash(str(problem), "error")
        return redirect(back)
    identity, status = IdentityForm(), 200
    if request.method == "POST":
        if identity_confirmed(identity):
            data = dict(kept.data)
            if not autosave.take(session, kept):
                return redirect(request.path)  # the twin request signed; this GET says so
            try:
                signature = review.sign_evidence(session, evidence_id, user, answers,
                                                 int(form.lock_version.data or 0), today(),
                                                 pid_confirmed=confirmed)
            except SupervisionError as problem:
                if page.evidence.status == "submitted":  # still to sign: keep every answer
                    autosave.put_back(session, user.id, back, data)
                flash(str(problem), "error")
                return redirect(back)
            flash(f"You signed “{page.evidence.title}” on {in_words(signature.signed_at)}.",
                  "success")
            return redirect(url_for("supervision.inbox"))
        status = 400
    body = render_template("supervision/check_item.html", identity=identity,
                           identity_needed=not identity_recent(), back=back,
                           capacity=capacity_words(capacity.value),
                           shown=_shown(answers, page.scales), names=_names(form),
                           **page.context())
    return (body, status) if status != 200 else body


def _shown(answers: dict[str, Any], scales: Any) -> Any:
    """An answer as the check page reads it back."""
    def shown(spec: dict[str, Any]) -> Any:
        value = definitions.display_answer(spec, answers, scales)
        return None if value is None else escape(value)  # Markdown is Markup already
    return shown


def _names(form: Any) -> dict[str, str]:
    """Question code: the id of its field on the assessment page, for each "Change" link."""
    return {spec["code"]: form[name].id for spec, name in form.questions}

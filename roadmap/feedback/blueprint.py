"""The feedback blueprint and what its views share: the round loader and secret-link pages."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, make_response, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from roadmap.clock import today
from roadmap.db import get_session
from roadmap.feedback import links
from roadmap.feedback.rules import Rule, round_type
from roadmap.framework.models import EvidenceType
from roadmap.portfolio.models import Evidence
from roadmap.web.reach import Reach, load_evidence

bp = Blueprint("feedback", __name__, url_prefix="/feedback")
READERS = {Reach.OWNER, Reach.SUPERVISOR, Reach.SUPERVISOR_READONLY}
STATUS = {"unknown": 404, "used": 410, "expired": 410, "closed": 410, "busy": 429,
          "refused": 410, "withdrawn": 410}


def round_item(evidence_id: int, allowed: set[Reach]) -> tuple[Evidence, Reach, EvidenceType, Rule]:
    """The item, the person's reach, its type and round rule; 404 unless it is a round."""
    evidence, level = load_evidence(get_session(), current_user, evidence_id, allowed, today())
    etype, rule = round_type(get_session(), evidence)
    if rule is None:
        abort(404)
    return evidence, level, etype, rule


def unusable(problem: str, on_device: bool = False) -> tuple[Any, int]:
    """Say plainly why a link cannot be used, and nothing about whose it was."""
    words = (links.ON_DEVICE_UNUSABLE if on_device else {}).get(problem) or links.UNUSABLE[problem]
    response = make_response(render_template("feedback/link_problem.html", message=words),
                             STATUS[problem])
    response.headers["Cache-Control"] = "no-store"
    return response, STATUS[problem]


def private(body: str, status: int = 200) -> Response:
    """A page reached through a secret link: never cached, never sent on as a referrer."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response

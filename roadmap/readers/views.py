"""The candidate's pages: who can read my portfolio, who could, and who opened what and when."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, render_template, request
from flask_login import current_user

from roadmap.accounts.models import Role
from roadmap.cohorts.models import Enrolment, current_enrolment
from roadmap.db import get_session
from roadmap.readers import service
from roadmap.web.access import roles_required

bp = Blueprint("readers", __name__, url_prefix="/portfolio/readers")
MAX_PAGE = 100_000  # beyond any real history: a bigger number is a 404, not a huge OFFSET


def init_app(app: Flask) -> None:
    """Register the pages and the candidate's header link."""
    from roadmap.web import templating

    app.register_blueprint(bp)
    templating.register_navigation(app, Role.CANDIDATE.value, "readers.readers",
                                   "Who can see it")


def _enrolment() -> Enrolment:
    enrolment = current_enrolment(get_session(), current_user)
    if enrolment is None:
        abort(404)
    return enrolment


@bp.get("")
@roles_required(Role.CANDIDATE)
def readers() -> str:
    """Everyone who can read the portfolio now, who will, who could before, and how far."""
    enrolment = _enrolment()
    return render_template("readers/readers.html", readers=service.readers(get_session(), enrolment),
                           latest=service.openings(get_session(), enrolment.id, 1)[0][:5])


@bp.get("/opened")
@roles_required(Role.CANDIDATE)
def openings() -> str:
    """Who opened which item, file or rating, and when; newest first. Reading it is not recorded."""
    enrolment = _enrolment()
    page = request.args.get("page", 1, type=int) or 1
    if not 1 <= page <= MAX_PAGE:
        abort(404)
    found, more = service.openings(get_session(), enrolment.id, page)
    return render_template("readers/openings.html", openings=found, page=page, more=more)

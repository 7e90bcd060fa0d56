"""The candidate's pages: who can read my portfolio, who could, and who opened what and when."""
from __future__ import annotations

from flask import Flask, abort, render_template, request

from roadmap.accounts.models import Role
from roadmap.db import get_session
from roadmap.readers import service
from roadmap.readers.blueprint import bp, enrolment_or_404
from roadmap.web.access import roles_required

MAX_PAGE = 100_000  # beyond any real history: a bigger number is a 404, not a huge OFFSET


def init_app(app: Flask) -> None:
    """Register the pages and the candidate's header link."""
    from roadmap.web import templating

    app.register_blueprint(bp)
    templating.register_navigation(app, Role.CANDIDATE.value, "readers.readers",
                                   "Who can see it")


@bp.get("")
@roles_required(Role.CANDIDATE)
def readers() -> str:
    """Everyone who can read the portfolio now, who will, who could before, and how far."""
    enrolment = enrolment_or_404()
    return render_template("readers/readers.html", readers=service.readers(get_session(), enrolment),
                           latest=service.openings(get_session(), enrolment.id, 1)[0][:5])


@bp.get("/opened")
@roles_required(Role.CANDIDATE)
def openings() -> str:
    """Who opened which item, file or rating, and when; newest first. Reading it is not recorded."""
    enrolment = enrolment_or_404()
    page = request.args.get("page", 1, type=int) or 1
    if not 1 <= page <= MAX_PAGE:
        abort(404)
    found, more = service.openings(get_session(), enrolment.id, page)
    return render_template("readers/openings.html", openings=found, page=page, more=more)

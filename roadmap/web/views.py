"""The home page for each role and the health check."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from roadmap.accounts.models import Role
from roadmap.db import database, get_session
from roadmap.web import home as homes
from roadmap.web.access import public, signed_in

bp = Blueprint("web", __name__)


def today() -> dt.date:
    """Today's date in England, where our users are."""
    from roadmap.web.templating import LONDON
    return dt.datetime.now(LONDON).date()


@bp.get("/")
@public
def index() -> Response:
    """Send people to their home page or to sign in."""
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    return redirect(url_for("accounts.sign_in"))


@bp.get("/home")
@signed_in
def home() -> str:
    """One home page with a section for each role the person holds."""
    session, user, day = get_session(), current_user._get_current_object(), today()
    roles = user.role_set
    return render_template(
        "home.html",
        today=day,
        candidate=homes.candidate_home(session, user, day) if Role.CANDIDATE in roles else None,
        supervised=homes.supervised_enrolments(session, user, day) if Role.SUPERVISOR in roles else None,
        cohorts=homes.hub_cohorts(session, user) if Role.HUB_LEAD in roles else None,
        overview=homes.admin_overview(session) if Role.ADMIN in roles else None,
    )



@bp.get("/healthz")
@public
def healthz() -> tuple[Response, int]:
    """200 with a small JSON body when the database answers, 503 when it does not."""
    try:
        with database().engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as error:  # any failure to reach the database is "unavailable"
        return jsonify(status="unavailable", database="error", detail=type(error).__name__), 503
    return jsonify(status="ok", database="ok"), 200

"""The home page for each role, the health check and the service frame's public pages."""
from __future__ import annotations


from flask import Blueprint, current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from roadmap.clock import today
from roadmap.db import get_session
from roadmap.home import about, health
from roadmap.home import queries as homes
from roadmap.web.access import public, signed_in

bp = Blueprint("home", __name__)


@bp.get("/")
@public
def index() -> Response:
    """Send people to their home page or to sign in."""
    if current_user.is_authenticated:
        return redirect(url_for("home.home"))
    return redirect(url_for("accounts.sign_in"))


@bp.get("/home")
@signed_in
def home() -> str:
    """One home page with a section for each role the person holds."""
    day = today()
    page = homes.home_page(get_session(), current_user._get_current_object(), day)
    return render_template("home.html", today=day, candidate=page.candidate,
                           supervised=page.supervised, cohorts=page.cohorts,
                           overview=page.overview, lna_task=page.lna_task,
                           lna_waiting=page.lna_waiting, reviews=page.reviews,
                           regions=page.regions)


@bp.get("/healthz")
@public
def healthz() -> tuple[Response, int]:
    """Database, Redis and storage, each ok or error with a reason and a time; 503 if any fails.

    Public and cheap: it never looks up the signed-in user, and it is never cached.
    """
    body, healthy = health.report(current_app._get_current_object())
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if healthy else 503


# The footer's pages: public, so anyone can read them before or without signing in.

@bp.get("/accessibility")
@public
def accessibility() -> str:
    """The accessibility statement the Public Sector Bodies Accessibility Regulations ask for."""
    return render_template("home/accessibility.html", facts=about.facts(current_app.config))


@bp.get("/privacy")
@public
def privacy() -> str:
    """What the service keeps about people, why, for how long and who sees it."""
    return render_template("home/privacy.html", facts=about.facts(current_app.config))


@bp.get("/cookies")
@public
def cookies() -> str:
    """The cookies the service sets: only the ones it needs to work."""
    return render_template("home/cookies.html", facts=about.facts(current_app.config))


@bp.get("/contact")
@public
def contact() -> str:
    """Who to ask for help, and how."""
    return render_template("home/contact.html", facts=about.facts(current_app.config))

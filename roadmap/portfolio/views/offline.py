"""The installable app: its manifest, its service worker (from the origin's root, so it may look
after every page), the offline page and the forms it works from, and the icons.

None of these carries a person's data: the offline page is the same for everyone (rendered
without the signed-in header or messages), the forms are the framework's questions. They are
sent `no-cache` (kept, but checked with the server before use) so a deploy lands at once; every
other response stays `no-store`, and the worker keeps nothing that says so.
"""
from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from roadmap.accounts.models import Role
from roadmap.db import get_session
from roadmap.framework.models import FrameworkVersion
from roadmap.portfolio import offline
from roadmap.portfolio.blueprint import enrolment_or_none
from roadmap.web.access import public, roles_required

bp = Blueprint("offline", __name__)
REVALIDATE = "no-cache"  # a cache may keep it, but asks the server first whenever it can
WORKER = Path(__file__).resolve().parents[2] / "static" / "sw" / "service-worker.js"
# Our scripts the offline page needs, by their plain names (url_for gives the hashed ones).
SCRIPTS = ("roadmap.js", "device.js", "drafts.js", "pid.js", "sync.js", "fields.js", "assessor.js",
           "offline.js", "onspot.js")


def shell_urls() -> list[str]:
    """What the worker keeps when it installs: the offline page and what it loads."""
    return [url_for("offline.shell"), url_for("static", filename="build/roadmap.css"),
            url_for("static", filename="build/nhsuk/nhsuk-frontend.min.js"),
            *(url_for("static", filename=name) for name in SCRIPTS),
            *(url_for("offline.icon", size=size) for size in offline.ICON_SIZES),
            url_for("offline.manifest")]


@bp.get("/manifest.webmanifest")
@public
def manifest() -> Response:
    """The web app manifest: what a phone needs to add Roadmap to its home screen."""
    body = {
        "name": "Roadmap to Practice", "short_name": "Roadmap", "lang": "en-GB",
        "start_url": url_for("home.home"), "scope": "/", "display": "standalone",
        "theme_color": "#005eb8", "background_color": "#f0f4f5",
        "icons": [{"src": url_for("offline.icon", size=size), "sizes": f"{size}x{size}",
                   "type": "image/png", "purpose": "any maskable"} for size in offline.ICON_SIZES],
    }
    response = Response(json.dumps(body), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = REVALIDATE
    return response


@bp.get("/service-worker.js")
@public
def service_worker() -> Response:
    """The worker, from the root so its scope is the whole site; the shell's hashed names go in
    with it, so a deploy that changes any of them changes the worker, which the browser then
    installs afresh (and the old caches go)."""
    shell = json.dumps(shell_urls())
    source = f"const SHELL = {shell};\n" + WORKER.read_text(encoding="utf-8")
    response = Response(source, mimetype="text/javascript")
    response.headers["Cache-Control"] = REVALIDATE
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline")
@public
def shell() -> Response:
    """The offline page: drafts on this device, and the forms to write them. The same HTML for
    everyone; its script reads the device's store."""
    response = Response(render_template("portfolio/offline.html", shell=True), mimetype="text/html")
    response.headers["Cache-Control"] = REVALIDATE
    return response


@bp.get("/offline/forms/<int:version_id>.json")
@roles_required(Role.CANDIDATE)
def forms(version_id: int) -> Response:
    """The evidence forms of the candidate's own framework version, as data: no answers."""
    enrolment = enrolment_or_none()
    if enrolment is None or enrolment.framework_version_id != version_id:
        abort(404)
    version = get_session().get(FrameworkVersion, version_id)
    if version is None:
        abort(404)
    body = offline.forms_document(get_session(), version,
                                  current_app.extensions.get(offline.REGULATORS_KEY))
    response = Response(json.dumps(body), mimetype="application/json")
    response.headers["Cache-Control"] = "private, " + REVALIDATE
    return response


@bp.get("/offline/icons/icon-<int:size>.png")
@public
def icon(size: int) -> Response:
    """The app's icon at a size the manifest names."""
    if size not in offline.ICON_SIZES:
        abort(404)
    response = Response(offline.icon_png(size), mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def device() -> dict[str, str] | None:
    """For a page's body: the signed-in candidate's device key and forms address, else None."""
    if not current_user.is_authenticated or Role.CANDIDATE not in current_user.role_set:
        return None
    enrolment = enrolment_or_none()
    key = offline.device_key(current_app.config["SECRET_KEY"], current_user.id)
    forms_url = url_for("offline.forms", version_id=enrolment.framework_version_id) \
        if enrolment is not None else ""
    return {"key": key, "forms": forms_url}

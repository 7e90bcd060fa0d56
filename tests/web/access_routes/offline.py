"""Routes of the installable app, for the access test: the shell is public, the forms are the
candidate's own framework version's only (another version's answer 404, even to a candidate)."""
from __future__ import annotations

from tests.web.access_routes import Route

ROUTES: dict[str, Route] = {
    "offline.manifest": (lambda w: {}, frozenset()),
    "offline.service_worker": (lambda w: {}, frozenset()),
    "offline.shell": (lambda w: {}, frozenset()),
    "offline.icon": (lambda w: {"size": 192}, frozenset()),
    # A version the candidate of the access world is not enrolled on: nobody reaches it.
    "offline.forms": (lambda w: {"version_id": w["portfolio_capability"].framework_version_id},
                      frozenset()),
}

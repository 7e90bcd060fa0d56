"""Routes of the candidate's "who can see my portfolio" pages, for the access test."""
from __future__ import annotations

from tests.web.access_routes import Route

OWN = frozenset({"candidate"})  # always the signed-in candidate's own portfolio, never another's

ROUTES: dict[str, Route] = {
    "readers.readers": (lambda w: {}, OWN),
    "readers.openings": (lambda w: {}, OWN),
}

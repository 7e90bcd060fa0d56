"""Every URL rule, for every role, against objects that belong to someone else.

Each view declares who may use it (roadmap.web.access). This test knows every route; a new
route fails here until it is added to the ROUTES of its feature in tests/web/access_routes/, with
the arguments that reach someone else's object. A denial is always 404 or 403 (or, for
someone not signed in, the sign-in page); never 200, never 500.
"""
from __future__ import annotations

from typing import Any

import pyotp
import pytest

from roadmap import create_app
from roadmap.cohorts.models import TrainingHub
from tests.web import access_routes

ROLES = access_routes.ROLES
ROUTES = access_routes.all_routes()


def _rules() -> list[Any]:
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    return sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint)


RULES = _rules()


def test_every_route_is_known_to_this_test():
    unknown = sorted({rule.endpoint for rule in RULES} - set(ROUTES))
    assert unknown == [], f"add these routes to a module of tests/web/access_routes/: {unknown}"


def test_every_view_declares_who_may_use_it():
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    undeclared = [endpoint for endpoint, view in app.view_functions.items()
                  if endpoint != "static" and not hasattr(view, "allowed_roles")]
    assert undeclared == []


@pytest.fixture
def world(session, make_user):
    hub, other_hub = TrainingHub(name="Hub A"), TrainingHub(name="Hub B")
    session.add_all([hub, other_hub])
    session.commit()
    secret = pyotp.random_base32()
    people = {
        "candidate": make_user("cand@example.nhs.uk"),
        "supervisor": make_user("sup@example.nhs.uk", roles=("supervisor",), totp_secret=secret),
        "hub_lead": make_user("lead@example.nhs.uk", roles=("hub_lead",), hub_id=hub.id,
                              totp_secret=secret),
        "admin": make_user("admin@example.nhs.uk", roles=("admin",), totp_secret=secret),
        "other": make_user("other@example.nhs.uk", roles=("candidate",)),
    }
    access_routes.extend_world(people, session)
    return people


def _allowed(app, endpoint: str) -> Any:
    view = app.view_functions[endpoint]
    return "public" if endpoint == "static" else getattr(view, "allowed_roles")


@pytest.mark.parametrize("rule", RULES, ids=[rule.rule for rule in RULES])
def test_route_for_every_role(rule, app, world, login):
    build, reach_others = ROUTES[rule.endpoint]
    allowed = _allowed(app, rule.endpoint)
    methods = sorted(rule.methods & {"GET", "POST"})
    with app.test_request_context():
        from flask import url_for
        url = url_for(rule.endpoint, **build(world))
    for role in ROLES:
        for method in methods:
            client = app.test_client()
            if role != "anonymous":
                login(client, world[role])
            response = client.open(url, method=method, data={})
            status = response.status_code
            response.close()
            where = f"{method} {url} as {role}: {status}"
            assert status < 500, where
            if allowed == "public":
                continue
            if role == "anonymous":
                assert status == 302 and "/sign-in" in response.headers["Location"], where
                continue
            may_use = allowed == "signed_in" or role in {r.value for r in allowed}
            if not may_use or role not in reach_others:
                assert status in (403, 404), where

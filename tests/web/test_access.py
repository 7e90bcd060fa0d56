"""Every URL rule, for every role, against objects that belong to someone else.

Each view declares who may use it (roadmap.web.access). This test knows every route; a new
route fails here until it is added to the ROUTES of its feature in tests/web/access_routes/, with
the arguments that reach someone else's object. A denial is always 404 or 403 (or, for
someone not signed in, the sign-in page); never 200, never 500.

The world is built, and each role signed in through the real forms, once per module (and
worker): each rule's test starts from a copy of that database, its people still signed in.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

import pyotp
import pytest
import sqlalchemy as sa
from flask import url_for

from roadmap import create_app
from roadmap.accounts.models import Role, UserSession
from roadmap.accounts.service import create_user
from roadmap.cohorts.models import Enrolment, TrainingHub
from roadmap.db import utcnow
from roadmap.providers.models import EducationProvider, ProviderReviewer
from tests.fixtures.apps import TEST_PASSWORD, app_settings, sign_in
from tests.fixtures.databases import Rows, copy_rows, empty_database, forget_database, put_rows
from tests.web import access_routes

ROLES = access_routes.ROLES
SIGNED_IN = [role for role in ROLES if role != "anonymous"]
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


def _world(session: Any) -> dict[str, Any]:
    """Two hubs, one person in each role, someone else's candidate, each feature's objects."""
    hub, other_hub = TrainingHub(name="Hub A"), TrainingHub(name="Hub B")
    session.add_all([hub, other_hub])
    session.commit()
    secret = pyotp.random_base32()

    def person(email: str, role: Role, hub_id: int | None = None, code: bool = True) -> Any:
        """Someone with one role and the test password (and the app's code, unless told not)."""
        user = create_user(session, email, email.split("@")[0].title(), [role], TEST_PASSWORD,
                           "fast", hub_id=hub_id)
        if code:
            user.totp_secret, user.totp_confirmed_at = secret, utcnow()
        session.commit()
        return user

    people = {
        "candidate": person("cand@example.nhs.uk", Role.CANDIDATE, code=False),
        "supervisor": person("sup@example.nhs.uk", Role.SUPERVISOR),
        "hub_lead": person("lead@example.nhs.uk", Role.HUB_LEAD, hub_id=hub.id),
        "admin": person("admin@example.nhs.uk", Role.ADMIN),
        "other": person("other@example.nhs.uk", Role.CANDIDATE, code=False),
        "provider_reviewer": person("reviewer@example.nhs.uk", Role.PROVIDER_REVIEWER),
        "educational": person("educational@example.nhs.uk", Role.SUPERVISOR),
        "regional_lead": person("region@example.nhs.uk", Role.REGIONAL_LEAD),
    }
    access_routes.extend_world(people, session)
    # The reviewer reviews for the provider of every learner in the world but Provider B's
    # (tests/web/access_routes/providers.py), and reaches none of their pages: they read only
    # signed-off rounds, and the only round in the world is Provider B's learner's.
    provider = EducationProvider(name="Provider A")
    session.add(provider)
    session.flush()
    session.add(ProviderReviewer(provider_id=provider.id, user_id=people["provider_reviewer"].id))
    session.execute(sa.update(Enrolment).where(Enrolment.provider_id.is_(None))
                    .values(provider_id=provider.id))
    session.commit()
    return people


@dataclass
class SignedIn:
    """The world's rows, each rule's URL, and each signed-in role's cookies."""

    rows: Rows
    urls: dict[str, str]
    cookies: dict[str, list[tuple[str, str, str, str]]]


@pytest.fixture(scope="module")
def signed_in(migrated_template: str, database_folder: Any,
              tmp_path_factory: pytest.TempPathFactory,
              request: pytest.FixtureRequest) -> Iterator[SignedIn]:
    """Build the world and sign each role in, once: rows, URLs and cookies for every test."""
    folder = tmp_path_factory.mktemp("access")
    url = empty_database(migrated_template, database_folder, folder.name)
    app = create_app(app_settings(url, folder, request))
    engine = app.extensions["roadmap.db"].engine
    session = app.extensions["roadmap.db"].sessions()
    world = _world(session)
    with app.test_request_context():
        urls = {rule.endpoint: url_for(rule.endpoint, **ROUTES[rule.endpoint][0](world))
                for rule in RULES}
    cookies = {}
    for role in SIGNED_IN:
        client = app.test_client()
        sign_in(client, world[role], engine)
        cookies[role] = [(c.key, c.value, c.domain, c.path) for c in client._cookies.values()]
    session.close()
    engine.dispose()
    yield SignedIn(copy_rows(url), urls, cookies)
    forget_database(url)


def _restore(url: str, rows: Rows) -> None:
    """The world's rows in this test's database, its sessions as if signed in just now."""
    now = utcnow()  # so that no idle or absolute session limit ends them, however long the run
    sessions = UserSession.__table__.name
    put_rows(url, {**rows, sessions: [{**row, "created_at": now, "last_seen_at": now}
                                      for row in rows.get(sessions, [])]})


def _client(app: Any, signed_in: SignedIn, role: str) -> Any:
    """A fresh client carrying the role's cookies (none for anonymous)."""
    client = app.test_client()
    for key, value, domain, path in signed_in.cookies.get(role, []):
        client.set_cookie(key, value, domain=domain, path=path)
    return client


def test_each_role_is_still_signed_in_on_a_copy_of_the_world(app, signed_in):
    _restore(app.config["DATABASE_URL"], signed_in.rows)
    for role in SIGNED_IN:
        response = _client(app, signed_in, role).get(signed_in.urls["account.account"])
        assert response.status_code == 200, role


def _allowed(app, endpoint: str) -> Any:
    view = app.view_functions[endpoint]
    return "public" if endpoint == "static" else getattr(view, "allowed_roles")


@pytest.mark.parametrize("rule", RULES, ids=[rule.rule for rule in RULES])
def test_route_for_every_role(rule, app, signed_in):
    _restore(app.config["DATABASE_URL"], signed_in.rows)
    reach_others = ROUTES[rule.endpoint][1]
    allowed = _allowed(app, rule.endpoint)
    methods = sorted(rule.methods & {"GET", "POST"})
    url = signed_in.urls[rule.endpoint]
    for role in ROLES:
        for method in methods:
            response = _client(app, signed_in, role).open(url, method=method, data={})
            status = response.status_code
            response.close()
            where = f"{method} {url} as {role}: {status}"
            assert status < 500, where
            if allowed == "public":
                continue
            if role == "anonymous":
                assert status == 302 and "/sign-in" in response.headers["Location"], where
                continue
            holds = access_routes.ROLE_OF.get(role, role)
            may_use = allowed == "signed_in" or holds in {r.value for r in allowed}
            if not may_use or role not in reach_others:
                assert status in (403, 404), where

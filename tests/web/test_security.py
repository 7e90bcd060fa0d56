"""Headers, cookies, CSRF, session limits and sign-in throttling that holds across processes."""
from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
import sqlalchemy as sa

from roadmap import create_app
from roadmap.accounts.models import UserSession
from tests.fixtures.apps import TEST_PASSWORD


@pytest.fixture
def production_app(app_config, monkeypatch):
    monkeypatch.delenv("ROADMAP_ENV", raising=False)
    settings = {key: value for key, value in app_config.items() if key != "TESTING"}
    settings.update(ENV="production", SECRET_KEY="a" * 64, WTF_CSRF_ENABLED=True,
                    BASE_URL="https://roadmap.test")
    application = create_app(settings)
    yield application
    application.extensions["roadmap.db"].engine.dispose()


def test_security_headers_on_every_page(production_app):
    response = production_app.test_client().get("/sign-in", base_url="https://roadmap.test")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "base-uri 'none'" in csp
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert b"<script>" not in response.data  # no inline script anywhere in the layout


def test_production_cookie_flags(production_app, make_user):
    make_user("cand@example.nhs.uk")
    client = production_app.test_client()
    page = client.get("/sign-in", base_url="https://roadmap.test")
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith("__Host-roadmap=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    assert "Domain=" not in cookie


def test_production_device_cookie_is_pinned_to_our_host_over_https(production_app, make_user):
    make_user("cand@example.nhs.uk")
    client = production_app.test_client()
    page = client.get("/sign-in", base_url="https://roadmap.test")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    answer = client.post("/sign-in", base_url="https://roadmap.test",
                         headers={"Referer": "https://roadmap.test/sign-in"}, data={
        "email": "cand@example.nhs.uk", "password": TEST_PASSWORD, "csrf_token": token})
    assert answer.status_code == 302
    [device] = [h for h in answer.headers.getlist("Set-Cookie")
                if h.startswith("__Host-roadmap-device=")]
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=31536000"):
        assert flag in device
    assert "Domain=" not in device


def test_post_without_csrf_token_is_refused(production_app, make_user):
    make_user("cand@example.nhs.uk")
    client = production_app.test_client()
    response = client.post("/sign-in", base_url="https://roadmap.test",
                           data={"email": "cand@example.nhs.uk", "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert b"Your form has expired" in response.data


def test_development_headers_have_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers


def _age_sessions(session, column, **delta):
    for record in session.scalars(sa.select(UserSession)):
        setattr(record, column, getattr(record, column) - dt.timedelta(**delta))
    session.commit()


def test_idle_session_times_out(client, make_user, login, session):
    login(client, make_user("cand@example.nhs.uk"))
    assert client.get("/home").status_code == 200
    _age_sessions(session, "last_seen_at", minutes=29)
    assert client.get("/home").status_code == 200
    _age_sessions(session, "last_seen_at", minutes=31)
    assert client.get("/home").status_code == 302


def test_session_has_an_absolute_limit(client, make_user, login, session):
    login(client, make_user("cand@example.nhs.uk"))
    _age_sessions(session, "created_at", hours=12, minutes=1)
    assert client.get("/home").status_code == 302


def test_disabled_user_is_out_on_the_next_request(client, make_user, login, session):
    from roadmap.accounts.service import set_active
    user = make_user("cand@example.nhs.uk")
    login(client, user)
    assert client.get("/home").status_code == 200
    set_active(session, user, False, actor_id=None)
    session.commit()
    assert client.get("/home").status_code == 302


def test_password_change_ends_other_sessions(app, make_user, login):
    user = make_user("cand@example.nhs.uk")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user)
    new = "another long passphrase here"
    response = laptop.post("/account/password", data={
        "current": TEST_PASSWORD, "password": new, "confirm": new})
    assert response.status_code == 302
    assert laptop.get("/home").status_code == 200
    assert phone.get("/home").status_code == 302


def test_throttle_holds_across_two_app_instances(app_config, make_user):
    """Two apps with their own engines stand for two processes: the count is in the database."""
    make_user("cand@example.nhs.uk")
    apps = [create_app(app_config) for _ in range(2)]
    workers = [application.test_client() for application in apps]
    for attempt in range(5):
        response = workers[attempt % 2].post("/sign-in", data={
            "email": "cand@example.nhs.uk", "password": "wrong wrong wrong"})
        assert response.status_code == 200
    for worker in workers:
        blocked = worker.post("/sign-in", data={"email": "cand@example.nhs.uk",
                                                "password": TEST_PASSWORD})
        assert blocked.status_code == 429
        assert b"Too many failed attempts" in blocked.data
    for application in apps:
        application.extensions["roadmap.db"].engine.dispose()


def test_throttle_looks_the_same_for_unknown_emails(client):
    for _ in range(5):
        client.post("/sign-in", data={"email": "ghost@example.nhs.uk", "password": "nope nope nope"})
    assert client.post("/sign-in", data={"email": "ghost@example.nhs.uk",
                                         "password": "nope nope nope"}).status_code == 429


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _post(url: str, data: dict[str, str]) -> int:
    body = urllib.parse.urlencode(data).encode()
    request = urllib.request.Request(url, data=body, headers={"Connection": "close"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_throttle_holds_across_gunicorn_workers(database_url, make_user, tmp_path):
    make_user("cand@example.nhs.uk")
    port = _free_port()
    env = {**os.environ, "ROADMAP_DATABASE_URL": database_url, "ROADMAP_ENV": "development",
           "ROADMAP_ARGON2_PROFILE": "fast", "ROADMAP_WTF_CSRF_ENABLED": "false",
           "ROADMAP_MAIL_FOLDER": str(tmp_path)}
    log = open(tmp_path / "gunicorn.log", "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "roadmap:create_app()"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        codes = [_post(base + "/sign-in", {"email": "cand@example.nhs.uk",
                                           "password": "wrong wrong wrong"}) for _ in range(8)]
    finally:
        server.terminate()
        server.wait(10)
        log.close()
    workers = (tmp_path / "gunicorn.log").read_text().count("Booting worker")
    assert workers == 2
    assert codes[:5] == [200] * 5
    assert codes[5:] == [429] * 3

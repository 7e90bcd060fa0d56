"""Links in emails come from ROADMAP_BASE_URL, never from the host a request names."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from email import message_from_bytes, policy
from pathlib import Path

import pyotp
import pytest
from click.testing import CliRunner

from roadmap import create_app
from roadmap.config import ConfigError
from roadmap.serve import command
from tests.fixtures.apps import TEST_PASSWORD

SECRET = "links-test-secret-" + "z" * 32
EVIL = {"Host": "evil.example"}


def _links(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def _kept_mail(folder: Path) -> list[str]:
    """Bodies of the messages kept in the mail folder (no SMTP server configured)."""
    return [message_from_bytes(path.read_bytes(), policy=policy.default).get_content()
            for path in sorted(folder.glob("*.eml"))]


def _production(app_config: dict, **more: object) -> dict:
    settings = {key: value for key, value in app_config.items() if key != "TESTING"}
    return {**settings, "ENV": "production", "SECRET_KEY": SECRET, **more}


def test_production_refuses_to_start_without_a_base_url(app_config, monkeypatch):
    monkeypatch.delenv("ROADMAP_BASE_URL", raising=False)
    monkeypatch.delenv("ROADMAP_ENV", raising=False)
    with pytest.raises(ConfigError, match="ROADMAP_BASE_URL must be set in production"):
        create_app(_production(app_config))


def test_roadmap_serve_refuses_to_start_without_a_base_url(monkeypatch):
    for name in [k for k in os.environ if k.startswith("ROADMAP_")]:
        monkeypatch.delenv(name)

    def started(*_args):  # `roadmap serve` would replace this process with gunicorn
        raise AssertionError("gunicorn was started")

    monkeypatch.setattr(os, "execv", started)
    result = CliRunner().invoke(command.serve, [], env={
        "ROADMAP_ENV": "production", "ROADMAP_SECRET_KEY": SECRET,
        "ROADMAP_DATABASE_URL": "postgresql://db/roadmap"})
    assert result.exit_code != 0
    assert "Roadmap cannot start" in result.output and "ROADMAP_BASE_URL" in result.output


def test_gunicorn_refuses_to_start_without_a_base_url(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROADMAP_")}
    env.update(ROADMAP_ENV="production", ROADMAP_SECRET_KEY=SECRET, ROADMAP_WORKERS="1",
               ROADMAP_DATABASE_URL="postgresql://db/roadmap", ROADMAP_BIND="127.0.0.1:0")
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", command.CONFIG, command.APP],
            env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        code = server.wait(120)
    finally:
        if server.poll() is None:  # it started after all: stop it and its worker
            server.terminate()
            server.wait(30)
    assert code != 0
    assert "ROADMAP_BASE_URL" in log.read_text()


@pytest.mark.parametrize("base", [
    "roadmap.example.nhs.uk", "ftp://roadmap.example.nhs.uk", "https://",
    "https://roadmap.example.nhs.uk/?next=1", "https://roadmap.example.nhs.uk/#top",
    "https://someone:pw@roadmap.example.nhs.uk", "https://roadmap.example.nhs.uk:port",
    "https://roadmap.example.nhs.uk/a b",
])
def test_a_base_url_that_is_not_a_plain_address_is_refused(app_config, base):
    with pytest.raises(ConfigError, match="ROADMAP_BASE_URL must be an absolute"):
        create_app({**app_config, "BASE_URL": base})


def test_a_forged_host_never_reaches_a_reset_email_in_production(app_config, make_user, tmp_path):
    make_user("cand@example.nhs.uk")
    app = create_app(_production(app_config, BASE_URL="https://roadmap.example.nhs.uk/",
                                 WTF_CSRF_ENABLED=False))
    client = app.test_client()
    page = client.post("/forgot-password", data={"email": "cand@example.nhs.uk"}, headers=EVIL,
                       base_url="https://evil.example")
    assert b"Check your email" in page.data
    [body] = _kept_mail(tmp_path / "mail")
    [link] = _links(body)
    assert link.startswith("https://roadmap.example.nhs.uk/reset-password/")
    assert "evil.example" not in body
    app.extensions["roadmap.db"].engine.dispose()


def test_without_a_base_url_a_forged_host_gets_the_local_default(app, client, make_user, mailbox):
    """Outside production, a host that is not this machine is never trusted either."""
    app.config["BASE_URL"] = None
    make_user("cand@example.nhs.uk")
    client.post("/forgot-password", data={"email": "cand@example.nhs.uk"}, headers=EVIL)
    [message] = mailbox.messages
    [link] = _links(message.get_content())
    assert link.startswith("http://127.0.0.1:5000/reset-password/")
    assert "evil.example" not in message.get_content()


@pytest.mark.parametrize("host, origin", [("localhost:5000", "http://localhost:5000"),
                                          ("127.0.0.1:8080", "http://127.0.0.1:8080"),
                                          ("[::1]:5000", "http://[::1]:5000")])
def test_in_development_a_loopback_host_is_used_as_it_is(app, client, make_user, mailbox,
                                                          host, origin):
    app.config["BASE_URL"] = None
    make_user("cand@example.nhs.uk")
    client.post("/forgot-password", data={"email": "cand@example.nhs.uk"}, headers={"Host": host})
    [link] = _links(mailbox.messages[0].get_content())
    assert link.startswith(origin + "/reset-password/")


def test_an_invitation_sent_through_a_forged_host_gets_the_local_default(app, make_user,
                                                                         mailbox):
    """The admin's whole visit goes through the forged host, as through a hostile proxy."""
    app.config["BASE_URL"] = None
    secret = pyotp.random_base32()
    admin = make_user("admin@example.nhs.uk", roles=("admin",), totp_secret=secret)
    client = app.test_client()
    evil = {"base_url": "http://evil.example"}
    client.post("/sign-in", data={"email": admin.email, "password": TEST_PASSWORD}, **evil)
    client.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now()}, **evil)
    sent = client.post("/people/invite", follow_redirects=True, **evil, data={
        "full_name": "Nia New", "email": "new@example.nhs.uk", "role": "candidate",
        "registration_body": "", "hub_id": "0"})
    assert b"Invitation sent" in sent.data
    [message] = mailbox.to("new@example.nhs.uk")
    [link] = _links(message.get_content())
    assert link.startswith("http://127.0.0.1:5000/invitation/")


def test_no_code_builds_an_absolute_link_from_the_request():
    """One helper (roadmap/links.py) builds every absolute link; nothing else may."""
    package = Path(__file__).resolve().parents[2] / "roadmap"
    pattern = re.compile(r"\b_external\s*=\s*True|request\.(host_url|url_root|root_url|host)\b")
    offenders = [f"{path.relative_to(package)}:{number}"
                 for path in package.rglob("*.py") if path.name != "links.py"
                 for number, line in enumerate(path.read_text().splitlines(), 1)
                 if pattern.search(line)]
    assert offenders == []

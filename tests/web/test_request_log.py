"""One structured line per request on stderr, with what an operator needs and nothing secret."""
from __future__ import annotations

import json
import logging

import pytest
from flask import g

from roadmap.feedback.links import new_token
from tests.fixtures.apps import TEST_PASSWORD

FIELDS = {"time", "level", "request_id", "method", "path", "status", "duration_ms", "user_id",
          "remote_addr"}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LOG_FORMAT": "json"}


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    """Every stderr line since the last call, each of which must be a JSON object."""
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]


def _requests(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "roadmap.request"]


def test_a_request_is_one_parseable_line_with_its_fields(client, capsys):
    capsys.readouterr()
    response = client.get("/sign-in?next=/home")
    [line] = _requests(_lines(capsys))
    assert FIELDS <= set(line)
    assert line["method"] == "GET" and line["path"] == "/sign-in" and line["status"] == 200
    assert line["level"] == "info" and line["user_id"] is None
    assert line["remote_addr"] == "127.0.0.1"
    assert isinstance(line["duration_ms"], float)
    assert line["time"].endswith("Z")
    assert line["request_id"] == response.headers["X-Request-ID"]


def test_the_signed_in_user_is_a_number_never_an_email(client, make_user, login, capsys):
    user = make_user("logged.person@example.nhs.uk")
    login(client, user)
    capsys.readouterr()
    client.get("/home")
    [line] = _requests(_lines(capsys))
    assert line["user_id"] == user.id
    assert "logged.person" not in json.dumps(line)


def test_no_token_password_or_query_string_reaches_the_log(client, make_user, capsys):
    make_user("careful@example.nhs.uk")
    token = new_token()
    capsys.readouterr()
    client.get(f"/feedback/colleague/{token}?code=query-secret-123")
    client.post("/sign-in", data={"email": "careful@example.nhs.uk", "password": TEST_PASSWORD})
    client.get(f"/no-such-page/{token}")
    output = capsys.readouterr().err
    lines = _requests([json.loads(line) for line in output.splitlines() if line.strip()])
    assert [line["path"] for line in lines] == [
        "/feedback/colleague/<token>", "/sign-in", "/no-such-page/<redacted>"]
    for secret in (token, TEST_PASSWORD, "query-secret-123", "careful@example.nhs.uk"):
        assert secret not in output


def test_a_safe_request_id_from_the_proxy_is_kept_and_echoed(client, capsys):
    capsys.readouterr()
    response = client.get("/healthz", headers={"X-Request-ID": "lb-4f1c2a9e-0001"})
    assert response.headers["X-Request-ID"] == "lb-4f1c2a9e-0001"
    [line] = _requests(_lines(capsys))
    assert line["request_id"] == "lb-4f1c2a9e-0001"


@pytest.mark.parametrize("given", ["short", "x" * 200, "id with spaces", "<script>alert(1)</script>"])
def test_an_unsafe_request_id_is_replaced(client, capsys, given):
    response = client.get("/healthz", headers={"X-Request-ID": given})
    assert response.headers["X-Request-ID"] != given
    assert len(response.headers["X-Request-ID"]) == 32
    assert given not in capsys.readouterr().err


def test_application_records_are_json_lines_with_the_request_id(app, capsys):
    capsys.readouterr()
    with app.test_request_context("/"):
        g.request_id = "req-0123456789"
        logging.getLogger("roadmap.something").warning("the disk is %s full", "90%",
                                                       extra={"disk": "attachments"})
    [line] = _lines(capsys)
    assert line["level"] == "warning" and line["message"] == "the disk is 90% full"
    assert line["request_id"] == "req-0123456789" and line["disk"] == "attachments"


def test_text_format_outside_production(app_config, capsys):
    from roadmap import create_app

    app = create_app({**app_config, "LOG_FORMAT": "text"})
    capsys.readouterr()
    app.test_client().get("/healthz")
    out = capsys.readouterr().err
    assert "INFO roadmap.request: GET /healthz 200" in out
    app.extensions["roadmap.db"].engine.dispose()

"""The production server: gunicorn with our settings, JSON logs on stderr, safe start checks."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from roadmap.serve import command, options

SECRET = "production-test-secret-" + "y" * 32
GUNICORN_GRACE = 30  # roadmap/serve/gunicorn_conf.py: graceful_timeout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(tmp_path: Path, database_url: str, **more: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ROADMAP_")}
    return {**clean, "ROADMAP_ENV": "production", "ROADMAP_SECRET_KEY": SECRET,
            "ROADMAP_DATABASE_URL": database_url, "ROADMAP_BASE_URL": "https://roadmap.test",
            "ROADMAP_ATTACHMENT_DIR": str(tmp_path / "attachments"),
            "ROADMAP_EXPORT_DIR": str(tmp_path / "exports"),
            "ROADMAP_MAIL_FOLDER": str(tmp_path / "mail"), **more}


def _gunicorn(env: dict[str, str], log: Path) -> subprocess.Popen:
    """gunicorn with its logs (stderr) in `log` and anything it prints on stdout beside it."""
    with log.open("wb") as errors, log.with_suffix(".stdout").open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", command.CONFIG, command.APP],
            env=env, stdout=output, stderr=errors)


def _stop(server: subprocess.Popen) -> int | None:
    """SIGTERM, as an orchestrator stops it; its exit code, or None if it outlived its grace.

    gunicorn gives requests in flight `graceful_timeout` (30 s) and then stops its workers, so
    waiting any less could report a slow machine as a hung server. A server that outlives the
    wait is killed and reaped here, so no process outlives its test.
    """
    server.send_signal(signal.SIGTERM)
    try:
        return server.wait(GUNICORN_GRACE + 30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        return None


def test_gunicorn_serves_with_json_logs_and_the_forwarded_client(database_url, tmp_path):
    port = _free_port()
    env = _environment(tmp_path, database_url, ROADMAP_BIND=f"127.0.0.1:{port}",
                       ROADMAP_WORKERS="2", ROADMAP_THREADS="2", ROADMAP_PROXY_HOPS="1",
                       ROADMAP_ALLOW_SQLITE="true", ROADMAP_REDIS_URL="redis://127.0.0.1:6379/0")
    log = tmp_path / "server.log"
    server = _gunicorn(env, log)
    try:
        body, deadline = None, time.monotonic() + 90  # a busy machine starts slowly
        while time.monotonic() < deadline and server.poll() is None:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/healthz",
                    headers={"X-Forwarded-For": "203.0.113.9", "X-Request-ID": "probe-000000001"})
                with urllib.request.urlopen(request, timeout=2) as response:
                    body = json.load(response)
                    echoed = response.headers["X-Request-ID"]
                break
            except OSError:
                time.sleep(0.1)
        assert body is not None, log.read_text()
        assert body["status"] == "ok" and body["redis"]["status"] == "ok"
        assert echoed == "probe-000000001"
    finally:
        code = _stop(server)
    assert code == 0, log.read_text()
    assert log.with_suffix(".stdout").read_text() == "", "logs go to stderr, never stdout"
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    booted = [line for line in lines if line["logger"] == "gunicorn.error"
              and line["message"].startswith("Booting worker")]
    assert len(booted) == 2
    request_lines = [line for line in lines if line["logger"] == "roadmap.request"]
    assert request_lines, "one line per request"
    request_line = request_lines[-1]  # a probe that timed out on a busy machine may precede it
    assert request_line["remote_addr"] == "203.0.113.9"
    assert request_line["request_id"] == "probe-000000001"
    assert request_line["path"] == "/healthz" and request_line["status"] == 200
    assert not [line for line in lines if line["logger"] == "gunicorn.access"]


def test_gunicorn_refuses_production_on_sqlite_without_the_override(tmp_path):
    env = _environment(tmp_path, f"sqlite:///{tmp_path}/roadmap.sqlite3",
                       ROADMAP_BIND=f"127.0.0.1:{_free_port()}")
    log = tmp_path / "server.log"
    server = _gunicorn(env, log)
    try:
        code = server.wait(60)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert code != 0
    assert "ROADMAP_DATABASE_URL is an SQLite file" in log.read_text()


def test_roadmap_serve_refuses_production_on_sqlite(tmp_path, monkeypatch):
    for name in [k for k in os.environ if k.startswith("ROADMAP_")]:
        monkeypatch.delenv(name)
    env = _environment(tmp_path, f"sqlite:///{tmp_path}/roadmap.sqlite3")
    result = CliRunner().invoke(command.serve, [], env={k: v for k, v in env.items()
                                                         if k.startswith("ROADMAP_")})
    assert result.exit_code != 0
    assert "Roadmap cannot start" in result.output and "ROADMAP_ALLOW_SQLITE" in result.output


def test_roadmap_serve_refuses_a_weak_secret(tmp_path, monkeypatch):
    for name in [k for k in os.environ if k.startswith("ROADMAP_")]:
        monkeypatch.delenv(name)
    result = CliRunner().invoke(command.serve, [], env={"ROADMAP_ENV": "production",
                                                        "ROADMAP_SECRET_KEY": "secret"})
    assert result.exit_code != 0 and "ROADMAP_SECRET_KEY" in result.output


@pytest.mark.parametrize("workers, expected", [("0", os.cpu_count() * 2 + 1), ("3", 3)])
def test_worker_count_defaults_to_twice_the_cores_plus_one(tmp_path, workers, expected):
    values = options.settings({"ROADMAP_ENV": "development", "ROADMAP_WORKERS": workers})
    assert options.worker_count(values) == expected


def test_production_without_redis_or_mail_is_warned_about():
    values = options.settings({"ROADMAP_ENV": "production", "ROADMAP_SECRET_KEY": SECRET,
                               "ROADMAP_DATABASE_URL": "postgresql://db/roadmap",
                               "ROADMAP_BASE_URL": "https://roadmap.example.nhs.uk"})
    assert options.problems(values) == []
    found = " ".join(options.warnings(values))
    assert "ROADMAP_REDIS_URL" in found and "ROADMAP_MAIL_URL" in found

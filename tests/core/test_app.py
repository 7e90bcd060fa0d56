"""The application factory, settings and the health check."""
from __future__ import annotations

import subprocess
import sys

import pytest
import sqlalchemy as sa

from roadmap import create_app
from roadmap.config import ConfigError


def test_unknown_test_setting_is_an_error(database_url):
    with pytest.raises(ConfigError, match="unknown setting 'DATABSE_URL'"):
        create_app({"TESTING": True, "DATABSE_URL": database_url})


def test_unknown_environment_setting_is_an_error(monkeypatch, database_url):
    monkeypatch.setenv("ROADMAP_SECRETKEY", "x")
    with pytest.raises(ConfigError, match="unknown setting ROADMAP_SECRETKEY"):
        create_app({"TESTING": True, "DATABASE_URL": database_url})


def test_environment_then_test_overrides(monkeypatch, database_url):
    monkeypatch.setenv("ROADMAP_SESSION_IDLE_MINUTES", "45")
    monkeypatch.setenv("ROADMAP_SQL_ECHO", "false")
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SQL_ECHO": False})
    assert app.config["SESSION_IDLE_MINUTES"] == 45
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SESSION_IDLE_MINUTES": 10})
    assert app.config["SESSION_IDLE_MINUTES"] == 10


@pytest.mark.parametrize("secret", [None, "dev", "short-but-not-empty"])
def test_production_refuses_a_weak_secret(monkeypatch, database_url, secret):
    monkeypatch.setenv("ROADMAP_DATABASE_URL", database_url)
    monkeypatch.delenv("ROADMAP_ENV", raising=False)
    if secret is not None:
        monkeypatch.setenv("ROADMAP_SECRET_KEY", secret)
    else:
        monkeypatch.delenv("ROADMAP_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_starts_with_a_real_secret(monkeypatch, database_url):
    monkeypatch.setenv("ROADMAP_DATABASE_URL", database_url)
    monkeypatch.setenv("ROADMAP_SECRET_KEY", "9f" * 32)
    monkeypatch.setenv("ROADMAP_BASE_URL", "https://roadmap.example.nhs.uk/")
    monkeypatch.delenv("ROADMAP_ENV", raising=False)
    app = create_app()
    assert app.config["ENV"] == "production"
    assert app.config["BASE_URL"] == "https://roadmap.example.nhs.uk"


def test_development_runs_without_a_secret(monkeypatch, database_url):
    monkeypatch.setenv("ROADMAP_ENV", "development")
    monkeypatch.delenv("ROADMAP_SECRET_KEY", raising=False)
    app = create_app({"DATABASE_URL": database_url})
    assert app.config["SECRET_KEY"]


def test_default_database_is_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("ROADMAP_DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    assert app.config["DATABASE_URL"] == "sqlite:///" + app.instance_path + "/roadmap.sqlite3"


def test_sqlite_connections_get_the_pragmas(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite3"})
    with app.extensions["roadmap.db"].engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == 30_000  # writers queue, never fail at once
        assert pragma("synchronous") == 2  # FULL


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"]["status"] == "ok"


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path):
    missing = tmp_path / "no-such-folder" / "db.sqlite3"
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{missing}"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"Page not found" in response.data


def test_database_has_every_table(session):
    tables = set(sa.inspect(session.get_bind()).get_table_names())
    assert {"users", "enrolments", "evidence", "audit_events", "stage_signoffs"} <= tables


def test_every_relationship_finds_its_model_in_a_process_that_only_built_the_app():
    """Tests import every model; a web or command process imports only what create_app does."""
    script = ("from roadmap import create_app; from sqlalchemy.orm import configure_mappers; "
              "create_app({'TESTING': True, 'DATABASE_URL': 'sqlite://'}); configure_mappers()")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]

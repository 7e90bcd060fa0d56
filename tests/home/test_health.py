"""/healthz: the database, Redis and attachment storage, each ok or failing by name."""
from __future__ import annotations

import socket

import pytest

from roadmap import create_app

REDIS_URL = "redis://127.0.0.1:6379/0"


def _closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(app_config: dict, **changes: object) -> tuple[int, dict, dict]:
    app = create_app({**app_config, **changes})
    try:
        response = app.test_client().get("/healthz")
        return response.status_code, response.get_json(), dict(response.headers)
    finally:
        app.extensions["roadmap.db"].engine.dispose()


def test_every_part_answers(app_config, tmp_path):
    status, body, headers = _get(app_config, STORAGE="local",
                                 ATTACHMENT_DIR=str(tmp_path / "files"))
    assert status == 200
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok" and body["database"]["ms"] >= 0
    assert body["storage"]["status"] == "ok" and body["storage"]["detail"] == "local folder"
    assert body["redis"] == {"status": "not configured"}
    assert headers["Cache-Control"] == "no-store"


def test_redis_is_checked_when_configured(app_config):
    status, body, _ = _get(app_config, REDIS_URL=REDIS_URL)
    assert status == 200
    assert body["redis"]["status"] == "ok" and body["redis"]["ms"] >= 0


def test_redis_that_does_not_answer_is_503_naming_redis(app_config):
    status, body, _ = _get(app_config, REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0")
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["redis"]["status"] == "error"
    assert "Connection" in body["redis"]["reason"]
    assert body["database"]["status"] == "ok" and body["storage"]["status"] == "ok"


def test_storage_that_cannot_be_written_is_503_naming_storage(app_config, tmp_path):
    in_the_way = tmp_path / "a-file-not-a-folder"
    in_the_way.write_text("not a folder")
    status, body, _ = _get(app_config, STORAGE="local", ATTACHMENT_DIR=str(in_the_way))
    assert status == 503
    assert body["storage"]["status"] == "error"
    assert "StorageError" in body["storage"]["reason"]
    assert body["database"]["status"] == "ok"


@pytest.mark.parametrize("url", ["sqlite:///{tmp}/no-such-folder/db.sqlite3",
                                 "postgresql://nobody@127.0.0.1:{port}/roadmap"])
def test_database_that_does_not_answer_is_503_naming_the_database(app_config, tmp_path, url):
    status, body, _ = _get(app_config, DATABASE_URL=url.format(tmp=tmp_path, port=_closed_port()))
    assert status == 503
    assert body["database"]["status"] == "error"
    assert body["database"]["reason"]
    assert body["storage"]["status"] == "ok"


def test_health_check_never_looks_up_the_signed_in_user(client, make_user, login, count_queries):
    login(client, make_user())
    with count_queries() as counter:
        assert client.get("/healthz").status_code == 200
    assert counter.statements == ["SELECT 1"]

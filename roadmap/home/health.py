"""The parts /healthz checks: the database, Redis (when configured) and attachment storage.

Each check is cheap (one round trip), bounded in time, and reports ok or error with a short
reason and how long it took, so a load balancer can take a server out and an operator can see
which part failed without reading logs.
"""
from __future__ import annotations

import time
from typing import Any, Callable

import sqlalchemy as sa
from flask import Flask

from roadmap.db import database

REDIS_TIMEOUT_SECONDS = 1.0
NOT_CONFIGURED = "not configured"


def _reason(error: BaseException) -> str:
    """A short, single-line reason: the error's type and its first line, never a traceback."""
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first_line}"[:200] if first_line else type(error).__name__


def _timed(check: Callable[[], Any]) -> dict[str, Any]:
    """Run one check; ok with its time, or error with a reason and its time."""
    started = time.perf_counter()
    try:
        detail = check()
    except Exception as error:  # noqa: BLE001 - any failure means this part is unavailable
        result: dict[str, Any] = {"status": "error", "reason": _reason(error)}
    else:
        result = {"status": "ok"}
        if detail:
            result["detail"] = detail
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def check_database(app: Flask) -> dict[str, Any]:
    """One SELECT 1 through the app's engine."""
    def ping() -> None:
        with database(app).engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    return _timed(ping)


def check_redis(app: Flask) -> dict[str, Any]:
    """A PING to ROADMAP_REDIS_URL with a one-second timeout, when it is set."""
    url = app.config.get("REDIS_URL")
    if not url:
        return {"status": NOT_CONFIGURED}

    def ping() -> None:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_SECONDS,
                                      socket_connect_timeout=REDIS_TIMEOUT_SECONDS)
        try:
            client.ping()
        finally:
            client.close()
    return _timed(ping)


def check_storage(app: Flask) -> dict[str, Any]:
    """The attachment store's own check (a local folder or an S3-compatible bucket)."""
    def probe() -> Any:
        from roadmap import storage  # imported late: the storage package may not be loaded

        store = storage.current(app)
        store.check()
        return store.describe()
    return _timed(probe)


def report(app: Flask) -> tuple[dict[str, Any], bool]:
    """Every part's result, and whether all configured parts are ok."""
    parts = {"database": check_database(app), "redis": check_redis(app),
             "storage": check_storage(app)}
    healthy = all(part["status"] in {"ok", NOT_CONFIGURED} for part in parts.values())
    return {"status": "ok" if healthy else "unavailable", **parts}, healthy

"""The settings a production server starts with, and the checks that refuse an unsafe start."""
from __future__ import annotations

import logging
import multiprocessing
from typing import Any, Mapping, Optional

from roadmap import config
from roadmap.config import PROJECT_ROOT

log = logging.getLogger("roadmap.serve")


def settings(environ: Optional[Mapping[str, str]] = None) -> dict[str, Any]:
    """Defaults and ROADMAP_* variables, checked the same way create_app checks them."""
    # Flask's instance folder for the roadmap package is instance/ beside it.
    return config.build(str(PROJECT_ROOT / "instance"), None, environ)


def worker_count(values: Mapping[str, Any]) -> int:
    """ROADMAP_WORKERS, or gunicorn's suggested 2 x cores + 1."""
    return int(values["WORKERS"]) or multiprocessing.cpu_count() * 2 + 1


def problems(values: Mapping[str, Any]) -> list[str]:
    """Reasons not to start at all; empty when the settings are fit to serve."""
    found = []
    url = str(values["DATABASE_URL"])
    if values["ENV"] == "production" and url.startswith("sqlite") and not values["ALLOW_SQLITE"]:
        found.append(
            "ROADMAP_DATABASE_URL is an SQLite file: every server would keep its own database. "
            "Set it to PostgreSQL, or set ROADMAP_ALLOW_SQLITE=true to run a single server on SQLite."
        )
    return found


def warnings(values: Mapping[str, Any]) -> list[str]:
    """Things that work on one server but not on several; logged at start."""
    found = []
    if values["ENV"] != "production":
        return found
    if not values["REDIS_URL"]:
        found.append("ROADMAP_REDIS_URL is not set: rate limits are counted per process and "
                     "export jobs queue in a local file only this server's worker sees")
    if not values["MAIL_URL"]:
        found.append("ROADMAP_MAIL_URL is not set: email is kept in a folder, not sent")
    if not values["CREDENTIAL_KEY_FILE"]:
        found.append("ROADMAP_CREDENTIAL_KEY_FILE is not set: no credential is issued when a "
                     "stage completes (run `roadmap credential keygen`, then set it)")
    return found

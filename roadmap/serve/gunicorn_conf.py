"""gunicorn's settings for Roadmap in production, from ROADMAP_* variables.

Start with `roadmap serve`, or directly:

    gunicorn -c python:roadmap.serve.gunicorn_conf 'roadmap:create_app()'

Any gunicorn option can still be overridden on that command line or in GUNICORN_CMD_ARGS.
"""
from __future__ import annotations

import os
import sys
from typing import Any

from roadmap.config import ConfigError
from roadmap.serve import options

try:
    _settings = options.settings()
except ConfigError as error:
    sys.exit(f"Roadmap cannot start: {error}")

_behind_proxy = int(_settings["PROXY_HOPS"]) > 0

bind = [_settings["BIND"]]
workers = options.worker_count(_settings)
# Threads let a worker wait on the database for one request while serving another; PDF
# rendering never happens in a request (the export worker does it).
worker_class = "gthread"
threads = int(_settings["THREADS"])
timeout = 60  # a worker silent this long is killed and replaced
graceful_timeout = 30  # on SIGTERM, requests in flight get this long to finish
# Behind a load balancer the connection must outlive the balancer's idle timeout (60 s on
# most), or it closes a connection the balancer is about to reuse and the user sees a 502.
keepalive = 75 if _behind_proxy else 5
max_requests = 5000  # recycle workers now and then so slow memory growth cannot accumulate
max_requests_jitter = 500
preload_app = True  # build the app once; a settings mistake stops the master, not each worker
# ProxyFix (ROADMAP_PROXY_HOPS) is the one place X-Forwarded-* headers are believed.
forwarded_allow_ips = ""
accesslog = None  # our own structured line per request replaces the access log
errorlog = "-"
loglevel = "info"
proc_name = "roadmap"
# No control socket: nothing here uses it, and two servers on one host would share its path.
control_socket_disable = True
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"  # heartbeat files off disk, so a slow disk cannot kill workers

if _settings["LOG_FORMAT"] == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "roadmap.logs.JsonFormatter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json",
                                "stream": "ext://sys.stderr"}},
        "root": {"level": "WARNING", "handlers": []},  # the app adds its own (roadmap.logs)
        "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["stderr"],
                                       "propagate": False, "qualname": "gunicorn.error"},
                    # gunicorn's access line carries the query string: never emit it.
                    "gunicorn.access": {"level": "CRITICAL", "handlers": [],
                                        "propagate": False, "qualname": "gunicorn.access"}},
    }


def on_starting(server: Any) -> None:
    """Refuse an unsafe start with a clear reason; note what only suits a single server."""
    for problem in options.problems(_settings):
        server.log.error("Roadmap cannot start: %s", problem)
    if options.problems(_settings):
        sys.exit(1)
    for warning in options.warnings(_settings):
        server.log.warning("%s", warning)


def post_fork(server: Any, worker: Any) -> None:
    """Each worker opens its own database connections, never ones made before the fork."""
    app = getattr(worker.app, "callable", None)
    database = getattr(app, "extensions", {}).get("roadmap.db") if app is not None else None
    if database is not None:
        database.engine.dispose(close=False)

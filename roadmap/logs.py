"""Log records as one JSON object a line on stderr (production) or plain text (development).

Every process (gunicorn workers, the export worker, commands) writes its logs to stderr and
lets the platform collect it; nothing is written to files here. Stdout carries only what a
command prints as its result, so `roadmap ... --json | jq` gets JSON alone. A record carries
the request id of the request it belongs to, so one request's lines can be found together.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any

from flask import Flask, g, has_request_context

# Attributes every LogRecord has; anything else was given through `extra=` and is a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REQUEST_LOGGER = "roadmap.request"


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id and extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class RequestIdFilter(logging.Filter):
    """Stamp records made while a request is handled with that request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id") and has_request_context():
            record.request_id = g.get("request_id")
        return True


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Write to whatever sys.stderr is now (test runners swap it), never a stale stream."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def formatter(log_format: str) -> logging.Formatter:
    """The formatter for a LOG_FORMAT setting."""
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def configure(log_format: str) -> logging.Handler:
    """Send the root logger's records to stderr in the given format; safe to call again."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, StderrHandler)), None)
    if handler is None:
        handler = StderrHandler(sys.stderr)
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    handler.setFormatter(formatter(log_format))
    # The root stays at WARNING, so commands' own output is not mixed with chatter; the
    # request lines are INFO on a logger of their own.
    logging.getLogger(REQUEST_LOGGER).setLevel(logging.INFO)
    return handler


def init_app(app: Flask) -> None:
    """Configure logging for the app's LOG_FORMAT; the app's own logger goes to the root's."""
    configure(app.config["LOG_FORMAT"])
    # Flask adds its own stderr handler to app.logger when none is configured; ours is the root's.
    from flask.logging import default_handler
    app.logger.removeHandler(default_handler)

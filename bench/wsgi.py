"""The WSGI entry point bench/load.py runs under gunicorn: Roadmap at /, bare Flask at /bare.

Both apps share the server, the workers and the network path, so the ratio of their
latencies is the cost of our stack alone. Settings come from ROADMAP_* variables.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.middleware.dispatcher import DispatcherMiddleware  # noqa: E402

from bench.bare import bare  # noqa: E402
from roadmap import create_app  # noqa: E402



def plain_http_cookies(wsgi_app: Any) -> Any:
    """Drop the Secure flag from cookies: the bench speaks plain HTTP on loopback, where a TLS
    terminator would normally sit in front, and clients refuse to send Secure cookies back."""
    def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers = [(k, v.replace("; Secure", "")) if k.lower() == "set-cookie" else (k, v)
                       for k, v in headers]
            return start_response(status, headers, exc_info)
        return wsgi_app(environ, start)
    return wrapped


roadmap_app = create_app()
app = DispatcherMiddleware(plain_http_cookies(roadmap_app.wsgi_app), {"/bare": bare})

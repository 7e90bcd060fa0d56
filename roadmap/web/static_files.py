"""Static files under content-hashed names, cached for a year, sent compressed (WhiteNoise).

The build (`npm run build:css`, scripts/fingerprint.mjs) writes roadmap/static/build/ with
hashed copies of the stylesheet and our scripts, their .br and .gz versions, and manifest.json
naming them. Here `url_for('static', filename='roadmap.js')` becomes the hashed name, so every
template keeps naming the plain file; a changed file gets a new name, and since pages are never
cached (roadmap/web/delivery.py) the next page names the new file. WhiteNoise serves them, as
WSGI middleware in front of Flask, picking the .br or .gz copy the client's Accept-Encoding
allows. Without a build (a checkout nobody has run scripts/setup in) the plain files are named
and served as before, for a minute.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from flask import Flask
from whitenoise import WhiteNoise

MANIFEST = Path("build") / "manifest.json"
# What the build writes: name.<12 hex digits>.ext under build/ (compressed copies are found
# by WhiteNoise beside each, never named).
HASHED_URL = re.compile(r"^/(static/build|assets/nhsuk)/.+\.[0-9a-f]{12}\.[a-z0-9]+$")
# The favicon goes by the design system's route (roadmap/web/assets.py), hashed by the build too.
NHSUK_ROUTE, NHSUK_BUILD = "/assets/nhsuk/", Path("build") / "nhsuk"
A_YEAR = "public, max-age=31536000, immutable"


class Manifest:
    """The build's map from plain to hashed names, read again when the build writes a new one.

    Reading it again costs one stat per URL built; it lets `npm run build:css` take effect in a
    running development server, and in production the file only changes with a deploy.
    """

    def __init__(self, static_folder: Path) -> None:
        self.path = static_folder / MANIFEST
        self.stamp: float | None = None
        self.names: dict[str, str] = {}

    def hashed(self, filename: str, endpoint: str = "static") -> str:
        """The hashed name of a file, or the name itself when the build has none."""
        try:
            stamp = self.path.stat().st_mtime
        except OSError:
            stamp = None
        if stamp != self.stamp:
            self.names = json.loads(self.path.read_text()) if stamp is not None else {}
            self.stamp = stamp
        key = filename if endpoint == "static" else f"{endpoint}:{filename}"
        return self.names.get(key, filename)


def _headers(headers: Any, path: str, url: str) -> None:
    """A hashed file never changes: a year, immutable. Every file: no type sniffing."""
    if HASHED_URL.search(url):
        headers["Cache-Control"] = A_YEAR
    headers["X-Content-Type-Options"] = "nosniff"


def init_app(app: Flask) -> None:
    """Name static files by their hash and serve them through WhiteNoise."""
    static_folder = Path(app.static_folder or "")
    manifest = Manifest(static_folder)

    @app.url_defaults
    def _hashed_static(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint in ("static", "nhsuk_asset") and "filename" in values:
            values["filename"] = manifest.hashed(values["filename"], endpoint)

    served = WhiteNoise(
        app.wsgi_app, root=str(static_folder), prefix=app.static_url_path,
        # Files that appear after start (a rebuild) are found on the next request outside
        # production; in production the file list is read once, at start.
        autorefresh=app.config["ENV"] == "development",
        max_age=60, allow_all_origins=False, add_headers_function=_headers)
    # Only hashed names there: any other name falls through to the route, which serves node_modules.
    if served.autorefresh or (static_folder / NHSUK_BUILD).is_dir():
        served.add_files(str(static_folder / NHSUK_BUILD), prefix=NHSUK_ROUTE)
    app.wsgi_app = served  # type: ignore[method-assign]

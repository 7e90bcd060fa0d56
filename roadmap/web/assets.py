"""Serve the nhsuk-frontend build installed by npm; nothing third-party is committed."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, abort, send_from_directory
from werkzeug.wrappers import Response

NHSUK_DIST = Path(__file__).resolve().parents[2] / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"


def init_app(app: Flask) -> None:
    """Register /assets/nhsuk/<file> for the design system's compiled CSS, JS and images."""

    @app.get("/assets/nhsuk/<path:filename>")
    def nhsuk_asset(filename: str) -> Response:
        """One file of the nhsuk-frontend build, cached for a day."""
        if not NHSUK_DIST.is_dir():
            abort(404)
        return send_from_directory(NHSUK_DIST, filename, max_age=86400)

    @app.get("/favicon.ico")
    def favicon() -> Response:
        """Browsers ask for this on pages without our layout (JSON, plain errors)."""
        return nhsuk_asset("assets/images/favicon.ico")

    nhsuk_asset.allowed_roles = favicon.allowed_roles = "public"  # type: ignore[attr-defined]

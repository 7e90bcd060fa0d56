"""Pages sent small and never kept by a shared cache: brotli or gzip as the client asks.

A page of Roadmap is 20 to 60 KiB of HTML that compresses to a fifth or less, on a phone with one
bar of signal (issue 23). flask-compress compresses every text response the application makes
(static files come pre-compressed from the build through WhiteNoise: roadmap/web/static_files.py).

Pages and downloads hold personal data (and pages a form token): whatever the application sends
is `no-store` (no shared cache keeps it, and the browser does not either, so the back button
after signing out does not show a page again, and a CSV of a cohort is not left in a cache). A
view that says otherwise (a public credential, the published keys, a static file) keeps its own
Cache-Control.

Compression and secrets (BREACH): a page with a secret (the form token) beside text an attacker
chose can leak the secret through its compressed size, if the attacker can watch the sizes and
make the victim's browser send many requests. Our session cookie is SameSite=Lax and pages
cannot be framed, so another site cannot send signed-in requests from the background; see
docs/deploy.md, "Compression".
"""
from __future__ import annotations

from flask import Flask
from flask_compress import Compress
from werkzeug.wrappers import Response

compress = Compress()

TEXT_TYPES = ["text/html", "text/css", "text/plain", "text/csv", "text/javascript",
              "application/javascript", "application/json", "application/ld+json",
              "application/xml", "image/svg+xml"]


def init_app(app: Flask) -> None:
    """Compress text responses and keep pages out of every cache."""
    app.config.update(
        COMPRESS_ALGORITHM=["br", "gzip"],  # brotli first when the client takes both
        COMPRESS_MIMETYPES=TEXT_TYPES,
        COMPRESS_MIN_SIZE=500,  # below a packet's worth, compressing gains nothing
        # Measured on the demo's candidate home (8.5 KiB) and evidence list (26 KiB): level 5 is
        # 7 to 8% smaller than 4 for under 0.6 ms a page; 6 is no smaller and 3 times slower.
        COMPRESS_BR_LEVEL=5,
        COMPRESS_STREAMS=False,  # downloads stream from disk or S3; they are not read into memory
    )
    compress.init_app(app)

    @app.after_request
    def _not_cached(response: Response) -> Response:
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response

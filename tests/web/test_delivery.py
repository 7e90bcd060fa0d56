"""Issue 23 over HTTP: compressed when asked, hashed static files kept a year, pages never
kept by a shared cache, and a changed file gets a new name from the build."""
from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import time

import brotli
import pytest
from flask import url_for

from roadmap.config import PROJECT_ROOT

STATIC = PROJECT_ROOT / "roadmap" / "static"
YEAR = "public, max-age=31536000, immutable"


@pytest.fixture
def built() -> dict[str, str]:
    """The build's manifest (scripts/setup or `npm run build:css` writes it)."""
    manifest = STATIC / "build" / "manifest.json"
    assert manifest.is_file(), "no build: run `npm run build:css` (scripts/setup does)"
    return json.loads(manifest.read_text())


def fetch(client, url: str, **options):
    """A response read whole and closed (WhiteNoise answers with an open file)."""
    response = client.get(url, **options)
    response.get_data()
    response.close()
    return response


def test_pages_are_compressed_as_the_client_asks(client):
    plain = client.get("/sign-in")
    assert "Content-Encoding" not in plain.headers and b"Sign in to Roadmap" in plain.data

    zipped = client.get("/sign-in", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert b"Sign in to Roadmap" in gzip.decompress(zipped.data)
    assert len(zipped.data) < len(plain.data) / 2
    assert "Accept-Encoding" in zipped.headers["Vary"]

    squeezed = client.get("/sign-in", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert squeezed.headers["Content-Encoding"] == "br"
    assert b"Sign in to Roadmap" in brotli.decompress(squeezed.data)


def test_pages_are_never_kept_by_a_shared_cache(client):
    for path in ("/sign-in", "/accessibility"):
        cache = client.get(path).headers["Cache-Control"]
        assert "no-store" in cache and "public" not in cache, (path, cache)


def test_the_layout_names_hashed_files_kept_for_a_year(app, client, built):
    page = client.get("/sign-in").get_data(as_text=True)
    named = re.findall(r'(?:href|src)="(/(?:static|assets)/[^"]+)"', page)
    assert len(named) >= 3, f"the layout names a stylesheet, a script and an icon: {named}"
    for url in named:
        assert re.search(r"\.[0-9a-f]{12}\.(css|js|svg)$", url), url
        response = fetch(client, url)
        assert response.status_code == 200 and response.headers["Cache-Control"] == YEAR, url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    with app.test_request_context():
        assert url_for("static", filename="roadmap.js") == "/static/" + built["roadmap.js"]


def test_hashed_files_come_pre_compressed(client, built):
    url = "/static/" + built["build/roadmap.css"]
    plain = fetch(client, url)
    zipped = fetch(client, url, headers={"Accept-Encoding": "gzip"})
    squeezed = fetch(client, url, headers={"Accept-Encoding": "br, gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and squeezed.headers["Content-Encoding"] == "br"
    assert gzip.decompress(zipped.data) == plain.data == brotli.decompress(squeezed.data)
    assert len(squeezed.data) < len(plain.data) / 5
    assert squeezed.headers["Cache-Control"] == YEAR


def test_the_stylesheet_holds_no_design_system_component_we_do_not_use(client, built):
    css = fetch(client, "/static/" + built["build/roadmap.css"]).get_data(as_text=True)
    assert ".nhsuk-summary-list" in css and ".nhsuk-header" in css
    assert ".nhsuk-task-list" not in css and ".nhsuk-hero" not in css


def test_plain_names_are_not_kept_long(client):
    response = fetch(client, "/static/roadmap.js")
    assert response.status_code == 200 and "immutable" not in response.headers["Cache-Control"]


def test_a_changed_file_gets_a_new_name(tmp_path):
    """The build on a copy: change a script, build again; the page names a new file."""
    static = tmp_path / "roadmap" / "static"
    (static / "build").mkdir(parents=True)
    (tmp_path / "scripts").mkdir()
    shutil.copy(PROJECT_ROOT / "scripts" / "fingerprint.mjs", tmp_path / "scripts")
    (tmp_path / "node_modules").symlink_to(PROJECT_ROOT / "node_modules")
    (static / "build" / "roadmap.css").write_text("body{color:#212b32}")
    (static / "roadmap.js").write_text('import { initAll } from "/assets/nhsuk/nhsuk-frontend.min.js";\n')

    def build() -> dict[str, str]:
        subprocess.run(["node", str(tmp_path / "scripts" / "fingerprint.mjs")], check=True)
        return json.loads((static / "build" / "manifest.json").read_text())

    before = build()
    assert build() == before  # the same content keeps its name
    (static / "roadmap.js").write_text((static / "roadmap.js").read_text() + "initAll();\n")
    after = build()
    assert after["roadmap.js"] != before["roadmap.js"]
    assert after["build/roadmap.css"] == before["build/roadmap.css"]
    assert (static / after["roadmap.js"]).read_text().endswith("initAll();\n")
    # The old name stays for pages loaded before the change, until it is a week old.
    assert (static / before["roadmap.js"]).is_file()
    week_ago = time.time() - 8 * 86400
    os.utime(static / before["roadmap.js"], (week_ago, week_ago))
    build()
    assert not (static / before["roadmap.js"]).exists() and (static / after["roadmap.js"]).is_file()
    # The import names the hashed copy of the design system's script, beside it.
    imported = re.search(r'from "\./(nhsuk/[^"]+)"', (static / after["roadmap.js"]).read_text())
    assert imported and (static / "build" / imported.group(1)).is_file()
    assert (static / (after["roadmap.js"] + ".br")).is_file()

"""The renderer reads only the asset folder, a failed load fails the render, and only a process
that renders imports WeasyPrint."""
from __future__ import annotations

import subprocess
import sys

import pytest

from roadmap.exports.parts import Styles
from roadmap.exports.render import AssetFetcher, Renderer, RenderFailed, render, renderer


@pytest.fixture
def assets(tmp_path):
    folder = tmp_path / "assets"
    folder.mkdir()
    (folder / "ok.css").write_text("body { color: #333; }")
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really an image")
    (tmp_path / "secret.css").write_text("body { color: red; }")
    return folder


def _page(head: str = "", body: str = "") -> str:
    return f"<!doctype html><html><head>{head}</head><body><h1>Title</h1>{body}</body></html>"


def test_a_file_inside_the_folder_is_read(assets):
    part = render(_page('<link rel="stylesheet" href="ok.css">'), assets.as_uri() + "/",
                  [str(assets)])
    assert part.pages == 1 and part.pdf.startswith(b"%PDF-")
    assert part.bookmarks == [(1, "Title", 0)]


@pytest.mark.parametrize("reference", [
    '<link rel="stylesheet" href="http://example.com/remote.css">',
    '<link rel="stylesheet" href="https://example.com/remote.css">',
    '<link rel="stylesheet" href="../secret.css">',
    '<link rel="stylesheet" href="file:///etc/passwd">',
    '<link rel="stylesheet" href="data:text/css,body{color:red}">',
    '<link rel="stylesheet" href="missing.css">',
])
def test_a_stylesheet_from_anywhere_else_fails_the_render(assets, reference):
    with pytest.raises(RenderFailed):
        render(_page(reference), assets.as_uri() + "/", [str(assets)])


@pytest.mark.parametrize("source", [
    "http://example.com/logo.png", "../secret.css", "/etc/hostname",
    "data:image/png;base64,iVBORw0KGgo=", "missing.png", "broken.png",
])
def test_an_image_that_cannot_be_loaded_fails_the_render(assets, source):
    with pytest.raises(RenderFailed):
        render(_page(body=f'<img src="{source}" alt="x">'), assets.as_uri() + "/", [str(assets)])


def test_a_remote_font_fails_the_render(assets):
    head = '<style>@font-face { font-family: X; src: url("https://example.com/x.ttf"); }</style>'
    with pytest.raises(RenderFailed):
        render(_page(head), assets.as_uri() + "/", [str(assets)])


def test_the_fetcher_resolves_only_inside_its_roots(assets, tmp_path):
    fetcher = AssetFetcher([assets])
    assert fetcher.resolve((assets / "ok.css").as_uri()) == (assets / "ok.css").resolve()
    for url in [(tmp_path / "secret.css").as_uri(), (assets / ".." / "secret.css").as_uri(),
                "http://localhost/ok.css", "file://evil.example/etc/passwd"]:
        with pytest.raises(ValueError):
            fetcher.resolve(url)


@pytest.mark.parametrize("source", [
    "https://example.com/x.ttf", "file:///etc/passwd", "../secret.css", "missing.ttf",
])
def test_a_shared_stylesheet_is_fenced_like_a_part(assets, source):
    styles = Styles(css=(f'@font-face {{ font-family: X; src: url("{source}"); }}',),
                    base_url=assets.as_uri() + "/", roots=(str(assets),))
    with pytest.raises(RenderFailed):
        Renderer(styles)


def test_one_renderer_lays_out_many_parts_with_its_stylesheets(assets):
    styles = Styles(css=("h1 { bookmark-level: 2; break-before: page; }",
                         (assets / "ok.css").read_text()),
                    base_url=assets.as_uri() + "/", roots=(str(assets),))
    shared = renderer(styles)
    assert renderer(styles) is shared
    first = shared.render(_page(body="<h1>Second</h1>"))
    second = shared.render(_page())
    assert first.pages == 2 and first.bookmarks == [(2, "Title", 0), (2, "Second", 1)]
    assert second.pages == 1 and second.bookmarks == [(2, "Title", 0)]
    with pytest.raises(RenderFailed):
        shared.render(_page(body='<img src="http://example.com/logo.png" alt="x">'))


def test_building_the_app_leaves_weasyprint_unimported():
    """WeasyPrint takes about a second to import: only a process that renders loads it."""
    script = ("import sys; from roadmap import create_app; "
              "create_app({'TESTING': True, 'DATABASE_URL': 'sqlite://'}); "
              "sys.exit('weasyprint' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:] or "create_app imported WeasyPrint"


def test_lists_keep_their_markers_with_the_slimmer_user_agent_stylesheet(assets):
    """The layout's user-agent stylesheet leaves out the pseudo-element rules that matched every
    element (footnotes, notes, markers beyond list items: 80 MB of the 200-item portfolio's
    peak). WeasyPrint still has those rules (else an upgrade changed what is left out: look
    again), and lists printed through both paths (the stored PDF and the parts) keep their
    numbers and bullets."""
    import io

    from pypdf import PdfReader
    from weasyprint.html import UA

    from roadmap.exports import render as rendering

    assert "::footnote-call {" in UA and "::note-call {" in UA and "\n::marker {" in UA
    slim = rendering._EVERY_ELEMENTS_NOTE.sub("", UA)
    assert "::footnote" not in slim and "::note-" not in slim
    assert rendering._Document(string="<p>x</p>")._ua_stylesheets()[0] is (
        rendering._ua_stylesheet())
    body = "<ol><li>First step</li><li>Second step</li></ol><ul><li>A point</li></ul>"
    styles = Styles(css=(), base_url=assets.as_uri() + "/", roots=(str(assets),))
    for pdf in (render(_page(body=body), assets.as_uri() + "/", (str(assets),)).pdf,
                renderer(styles).render(_page(body=body)).pdf):
        text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        assert all(words in text for words in ("First step", "1. ", "2. ", "• "))

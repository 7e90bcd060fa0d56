"""Issue 18: a right-to-left override typed into a title must not reverse the app's own words
beside it in the PDF; what was typed is stored unchanged."""
from __future__ import annotations

import io

import pikepdf

from roadmap.exports import pdffile, render
from roadmap.exports.portfolio import ASSETS, setup


def _pages(app, html: str) -> list[str]:
    made = render.render(html, (ASSETS / "print.css").as_uri(), setup(app).roots).pdf
    with pikepdf.open(io.BytesIO(made)) as pdf:
        return pdffile.page_digests(pdf)


def test_an_override_in_typed_text_does_not_turn_the_words_after_it(app):
    page = ("<html lang='en-GB'><head><title>t</title></head><body>"
            "<h2>{title} (Reflection, draft)</h2><p>Signed by {name} on 7 December 2026</p>"
            "</body></html>")
    plain = _pages(app, page.format(title="My case", name="Dr Lee"))
    for control in ("\u202e", "\u202d", "\u202b", "\u2067", "\u2068"):
        attacked = _pages(app, page.format(title=f"My case{control}", name=f"{control}Dr Lee"))
        assert attacked == plain, f"U+{ord(control):04X} changed what the page shows"


def test_right_to_left_letters_still_read_right_to_left():
    assert render.without_bidi_controls("\u202eשלום\u202c (draft)") == "שלום (draft)"

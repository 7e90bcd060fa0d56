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


def _starts(app, body: str) -> dict[str, float]:
    """Where on the page (points from the left) each run of text in the PDF begins."""
    from pypdf import PdfReader

    made = render.render(f"<html lang='en-GB'><head><title>t</title></head><body>{body}</body>"
                         "</html>", (ASSETS / "print.css").as_uri(), setup(app).roots).pdf
    found: dict[str, float] = {}

    def seen(text, cm, tm, _font, _size):
        if text.strip():
            found.setdefault(text.strip(), tm[4] * cm[0] + cm[4])

    PdfReader(io.BytesIO(made)).pages[0].extract_text(visitor_text=seen)
    return found


def test_an_answer_written_in_a_right_to_left_script_is_set_right_to_left(app):
    """A paragraph typed in Hebrew starts at the right margin in the PDF, as it would on the
    page; an English one beside it still starts at the left, and one English paragraph with a
    Hebrew word in it keeps its direction."""
    from roadmap.framework import markdown

    starts = _starts(app, markdown.render("Knee review\n\nשלום עולם\n\nSaw Mr שלום today"))
    width = 595  # A4, points
    english = next(x for text, x in starts.items() if text.startswith("Knee"))
    hebrew = next(x for text, x in starts.items() if "עולם" in text or "םלוע" in text)
    mixed = next(x for text, x in starts.items() if text.startswith("Saw"))
    assert english < width / 4 and mixed < width / 4
    assert hebrew > width / 2, starts

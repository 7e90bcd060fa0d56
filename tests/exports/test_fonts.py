"""Whatever script a person writes in, the PDF prints it; a character no font has never fails it."""
from __future__ import annotations

import io
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from markupsafe import escape
from pypdf import PdfReader

from roadmap.exports import portfolio
from roadmap.exports.render import AssetFetcher, renderer
from roadmap.clock import today

WRITTEN = {  # what candidates and supervisors type, in the scripts of NHS staff's languages
    "Japanese": "名前と経過観察",
    "Chinese": "临床反思",
    "Korean": "임상 성찰",
    "emoji": "Good outcome 🙂 👍🏽",
    "Hindi": "चिंतन और सीख",
    "Bengali": "প্রতিফলন",
    "Tamil": "சிந்தனை",
    "Arabic": "تأمل سريري",
    "Urdu": "غور و فکر",
    "Hebrew": "הרהור קליני",
    "Amharic": "ማሰላሰል",
}
NO_FONT_HAS = "\U0010fffd\u0378"  # private use (plane 16) and an unassigned code point



@pytest.fixture
def app_config(app_config, tmp_path):
    app_config.update(EXPORT_DIR=str(tmp_path / "exports"), EXPORT_WORKERS=1)
    return app_config


def _text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def _letters(text: str) -> str:
    """The text's letters in logical order, without spaces or marks, in composed form: the
    PDF's text layer gives right-to-left lines in the order they are drawn, and splits some
    clusters differently, but every letter must be there."""
    text = unicodedata.normalize("NFC", text)
    return "".join(sorted(ch for ch in text if unicodedata.category(ch)[0] in "LNS"))


def _fonts(reader: PdfReader) -> set[str]:
    found = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            found.add(re.sub(r"^/([A-Z]{6}\+)?", "", str(font.get_object()["/BaseFont"])))
    return found


def test_titles_and_reflections_in_any_script_export_and_read_back(app, session, team,
                                                                   make_item):
    for label, words in WRITTEN.items():
        item = make_item("reflection", status="submitted", headings=("2",),
                         fields={"trigger": "event", "description": f"{label}: {words}"})
        item.title = words
    odd = make_item("reflection", status="draft", headings=("3",),
                    fields={"trigger": "event", "description": f"Odd {NO_FONT_HAS} end"})
    odd.title = f"Title with{NO_FONT_HAS}"
    session.commit()
    with app.app_context():
        pdf = portfolio.export_pdf(session, team.enrolment, today())
    reader, text = _text(pdf)
    every_letter = _letters(text)
    for label, words in WRITTEN.items():
        for word in words.split():
            letters = _letters(word)
            assert all(every_letter.count(ch) >= 2 * letters.count(ch) for ch in letters), label
    assert "Title with\ufffd\ufffd" in text and "Odd \ufffd\ufffd end" in text
    assert not set(NO_FONT_HAS) & set(text)
    fonts = _fonts(reader)  # the declared families, by the names they were declared under
    assert {"Roadmap-Sans", "Roadmap-Sans-Bold", "Roadmap-Mono", "Roadmap-CJK", "Roadmap-CJK-Bold",
            "Roadmap-Devanagari", "Roadmap-Bengali", "Roadmap-Tamil", "Roadmap-Ethiopic"} <= fonts
    assert any("Emoji" in name for name in fonts)


def test_the_renderer_reads_the_declared_font_files_and_no_other(app):
    with app.app_context():
        roots = portfolio.setup().roots
    fetcher = AssetFetcher(roots)
    declared = "/usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf"
    assert fetcher.resolve("file://" + declared)
    for other in ("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
                  "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf",
                  "/usr/share/fonts/truetype/noto/../../../../../etc/hostname"):
        with pytest.raises(ValueError):
            fetcher.resolve("file://" + other)


def test_a_machine_without_the_noto_fonts_prints_placeholders_not_errors(app, session, team,
                                                                        make_item, tmp_path):
    """Only DejaVu installed: every other script prints as U+FFFD, and the export works."""
    fonts = tmp_path / "fonts" / "truetype" / "dejavu"
    fonts.mkdir(parents=True)
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf"):
        (fonts / name).symlink_to(f"/usr/share/fonts/truetype/dejavu/{name}")
    app.config["EXPORT_FONT_DIR"] = str(tmp_path / "fonts")
    make_item("reflection", status="submitted").title = "名前 and चिंतन"
    session.commit()
    with app.app_context():
        pdf = portfolio.export_pdf(session, team.enrolment, today())
    reader, text = _text(pdf)
    assert "\ufffd\ufffd and \ufffd" in text
    assert _fonts(reader) <= {"DejaVuSans", "Roadmap-Sans", "Roadmap-Sans-Bold", "Roadmap-Mono"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60))
def test_no_text_at_all_fails_a_render(app, words):
    """Any characters, in a heading, a paragraph, bold, code and the running footer."""
    safe = escape(words)
    with app.test_request_context():
        setup = portfolio.setup()
        html = portfolio.document(setup, f"<h1>{safe}</h1><p>{safe}</p><p><b>{safe}</b> "
                                         f"<code>{safe}</code></p>", words, words, shared=True)
        part = renderer(portfolio.styles(setup)).render(html)
    assert part.pages >= 1


def test_a_one_off_document_declares_only_the_fonts_its_text_needs(app):
    """The verification statement renders alone: it copies the CJK font only for CJK text."""
    from roadmap.exports.render import render

    with app.test_request_context():
        setup = portfolio.setup()
        for name, families in (("Jo Candidate", set()), (f"名前 Jo{NO_FONT_HAS}", {"CJK"})):
            html = portfolio.document(setup, f"<h1>{escape(name)}</h1>", name, "Statement")
            declared = set(re.findall(r'font-family: "Roadmap ([^"]+)"; (?:font-weight: bold; )?src',
                                      html))
            assert declared == {"Sans", "Mono", *families}
            reader, text = _text(render(html, (portfolio.ASSETS / "print.css").as_uri(),
                                        setup.roots).pdf)
            assert name.replace(NO_FONT_HAS, "\ufffd\ufffd") in text

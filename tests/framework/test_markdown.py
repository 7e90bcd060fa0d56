"""Markdown in answers: safe, the same every time, and remembered only within a bound."""
from __future__ import annotations

from roadmap.framework import markdown


def test_markdown_renders_safely_and_the_same_when_remembered():
    text = "**Knee** review <script>alert(1)</script> [x](javascript:alert(1))"
    first, again = markdown.render(text), markdown.render(text)
    assert first == again
    assert "<strong>Knee</strong>" in first
    assert "<script>" not in str(first) and "href" not in str(first)  # inert text, no link


def test_long_texts_are_rendered_every_time_never_remembered():
    """What a process remembers stays small whatever people type (issue 18: the export's
    gathering renders hundreds of answers, mostly unchanged since the last export)."""
    before = markdown._remembered.cache_info().currsize
    huge = "word " * (markdown.REMEMBERED_LENGTH // 5 + 10)
    assert "word" in markdown.render(huge)
    assert markdown._remembered.cache_info().currsize == before
    markdown.render("a short answer, remembered")
    assert markdown._remembered.cache_info().currsize == before + 1
    assert markdown._remembered.cache_info().maxsize == 1024


def test_a_line_break_typed_in_a_box_is_kept():
    """A list typed without Markdown, one thing per line, reads as it was typed; a blank line
    still starts a new paragraph."""
    shown = str(markdown.render("Plan:\nIce twice a day\nReview in 2 weeks\n\nSafety-netted."))
    assert shown == ("<p>Plan:<br>\nIce twice a day<br>\nReview in 2 weeks</p>\n"
                     "<p>Safety-netted.</p>\n")


def test_a_paragraph_in_a_right_to_left_script_is_marked_so():
    """Each block takes the direction of its first letter, as a browser's dir=auto would;
    a left-to-right paragraph with a right-to-left word keeps its direction."""
    shown = str(markdown.render("- שלום\n- hello\n\n**مرحبا** world\n\nSaw Mr שלום"))
    assert '<li dir="rtl">שלום</li>' in shown and "<li>hello</li>" in shown
    assert '<p dir="rtl"><strong>مرحبا</strong> world</p>' in shown
    assert "<p>Saw Mr שלום</p>" in shown
    assert 'dir="rtl"' not in str(markdown.render('<p>&#1513;</p> "quoted" English'))

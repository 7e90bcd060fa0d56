"""The error summary: one line per problem, a message many fields share said once."""
from __future__ import annotations

from flask import render_template_string


def test_a_message_many_fields_share_is_one_line_saying_how_many(app):
    items = [{"text": "Enter a date", "href": "#when"}] + [
        {"text": "This may identify a patient", "href": f"#answer-{n}"} for n in range(16)]
    with app.test_request_context():
        page = render_template_string(
            '{% from "macros/forms.html" import summary_of %}{{ summary_of(items) }}', items=items)
    assert page.count("<li>") == 2
    assert "This may identify a patient (16 answers: each is marked below)" in page
    assert 'href="#answer-0"' in page and 'href="#answer-1"' not in page
    assert 'href="#when"' in page and "Enter a date (" not in page

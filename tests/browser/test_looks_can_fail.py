"""The guard of tests/browser/test_every_page.py can fail: pages made wrong on purpose, each
served by a route injected into a test app, are reported for exactly what is wrong with them."""
from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, render_template_string
from playwright.sync_api import Page

from .looks import look

CELLS = "".join(f'<td class="nhsuk-table__cell roadmap-nowrap">Headings with three items, {n}</td>'
                for n in range(12))
TABLE = ('<table class="nhsuk-table"><caption class="nhsuk-table__caption">Figures</caption>'
         '<tbody class="nhsuk-table__body"><tr class="nhsuk-table__row">' + CELLS
         + "</tr></tbody></table>")


def _page(heading: str, body: str) -> str:
    return ('{% extends "base.html" %}{% set title = "' + heading + '" %}{% block content %}'
            "<h1>" + heading + "</h1>" + body + "{% endblock %}")


# The card label's rule undone: nhsuk-frontend's own (a flex item that may shrink), and the
# reason cell's overflow-wrap inherited.
OLD_CARD_LABEL = (".nhsuk-table--responsive .nhsuk-table__heading "
                  "{ flex: 0 1 auto; max-width: none; overflow-wrap: inherit; }")

PAGES = {
    "fits": _page("Fits", "<p>Short words that wrap.</p>" + TABLE.replace(CELLS, CELLS[:CELLS.index("</td>") + 5])),
    # A table with no room: the page itself is wider than the window.
    "wide-table": _page("Wide table", TABLE),
    # The same table in a container narrower than it: the box scrolls, hiding columns.
    "narrowed-container": _page("Narrowed container", '<div class="nhsuk-table-container" '
                                'role="region" aria-label="Figures" tabindex="0">' + TABLE + "</div>"),
    # A link built as a string: joined to escaped text, it is escaped in turn and shows as text.
    "escaped-link": _page("Escaped link", """
        {% from "nhsuk/components/tables/macro.jinja" import table %}
        {% set cell = '<a href="' ~ url_for('home.index') ~ '">' ~ ("Aisha Khan" | e) ~ '</a>' %}
        {{ table({"responsive": true, "caption": "People", "head": [{"text": "Name"}],
                  "rows": [[{"header": "Name", "html": cell}]]}) }}"""),
    # A card label as it was before the cards kept their labels' words whole: the label may
    # shrink, and the long reason beside it (which may break anywhere) squeezes it letter by
    # letter ("Rea/son"), as the outsider saw on the cohort dashboard at 390 px.
    "squeezed-label": _page("Squeezed label", """
        <link rel="stylesheet" href="{{ url_for('test_only_style') }}">
        <table class="nhsuk-table nhsuk-table--responsive"><caption class="nhsuk-table__caption">
        Candidates</caption><thead class="nhsuk-table__head"><tr class="nhsuk-table__row">
        <th scope="col" class="nhsuk-table__header">Reason</th></tr></thead>
        <tbody class="nhsuk-table__body"><tr class="nhsuk-table__row">
        <td class="nhsuk-table__cell roadmap-reason"><span class="nhsuk-table__heading"
        aria-hidden="true">Reason</span><span>No primary supervisor; target date passed 41 days
        ago; no activity for 35 days; 2 items waiting on a supervisor, oldest for 19 days</span>
        </td></tr></tbody></table>"""),
    "two-h1s": _page("Signed off", "<h1>Signed off</h1>"),
    "untitled": ('<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title> </title>'
                 "</head><body><main><h1>Untitled</h1></main></body></html>"),
    "image-without-alt": _page("Image", "<img src=\"{{ url_for('nhsuk_asset', "
                               "filename='assets/images/favicon.svg') }}\">"),
}


@pytest.fixture
def wrong_pages(app: Flask) -> Flask:
    """The test app with /test-only/<name> serving each page of PAGES."""
    def show(name: str) -> Any:
        return render_template_string(PAGES[name])

    def style() -> Any:
        return app.response_class(OLD_CARD_LABEL, mimetype="text/css")

    show.allowed_roles = style.allowed_roles = "public"  # type: ignore[attr-defined]
    app.add_url_rule("/test-only/<name>", "test_only_page", show)
    app.add_url_rule("/test-only-style.css", "test_only_style", style)
    return app


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_a_page_that_is_right_passes(wrong_pages: Flask, page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/test-only/fits")
    assert look(page) == []


@pytest.mark.parametrize("name, width, expected", [
    ("wide-table", 390, "scrolls sideways: "),
    ("wide-table", 1280, "scrolls sideways: "),
    ("narrowed-container", 1280, "div.nhsuk-table-container holds"),
    ("narrowed-container", 320, "div.nhsuk-table-container holds"),
    ("escaped-link", 1280, "shows markup as text: ['<a href=\"/\">', '</a>']"),
    ("squeezed-label", 390, "breaks a word of a table label across lines: ['\"Reason\" in "),
    ("squeezed-label", 320, "breaks a word of a table label across lines: ['\"Reason\" in "),
    ("two-h1s", 1280, "has 2 h1 headings, not one: ['Signed off', 'Signed off']"),
    ("untitled", 1280, "has an empty <title>"),  # and axe's document-title
    ("image-without-alt", 1280, "image-alt (critical): Images must have alternative text"),
])
def test_each_kind_of_wrong_page_is_reported(wrong_pages: Flask, page: Page, name: str, width: int,
                                              expected: str) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"/test-only/{name}")
    problems = look(page)
    assert any(expected in problem for problem in problems), problems

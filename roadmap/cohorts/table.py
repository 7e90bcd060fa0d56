"""The dashboard's table as HTML: the columns a hub lead scans, the rest of each row's figures
folded into an expandable "Figures" beside the candidate's name.

Fifteen columns do not fit a 960-pixel page, let alone a phone. The table follows the NHS.UK
responsive table (each row a card under the desktop breakpoint, each cell carrying its column's
heading for that view), and every column stays sortable from the filter form; the CSV keeps
all fifteen.
"""
from __future__ import annotations

from typing import Callable

from markupsafe import Markup, escape

from roadmap.cohorts.dashboard import CandidateRow
from roadmap.cohorts.listing import BY_KEY, COLUMNS, TAG_COLOUR, Column

# The columns of the table, after the candidate's name; the others are the row's figures.
SHOWN = ("stage", "status", "reason", "primary", "backup", "signoff")
FIGURES = tuple(c.key for c in COLUMNS[1:] if c.key not in SHOWN)
_INDEX = {c.key: i for i, c in enumerate(COLUMNS)}
_HEADER = {c.key: escape(c.header) for c in COLUMNS}


def shown_columns() -> list[Column]:
    """The table's columns, in order: the candidate, then SHOWN."""
    return [COLUMNS[0], *(BY_KEY[key] for key in SHOWN)]


def _cell(key: str, content: str, classes: str = "") -> str:
    return (f'<td class="nhsuk-table__cell{classes}" role="cell"><span class="nhsuk-table__heading" '
            f'aria-hidden="true">{_HEADER[key]}</span><span>{content}</span></td>')


def _figures(name: Markup, texts: list[str]) -> str:
    rows = "".join(f'<div class="roadmap-figures__row"><dt>{_HEADER[key]}</dt>'
                   f'<dd>{escape(texts[_INDEX[key]]) or "None"}</dd></div>' for key in FIGURES)
    return ('<details class="nhsuk-details roadmap-figures"><summary class="nhsuk-details__summary">'
            '<span class="nhsuk-details__summary-text">Figures<span class="nhsuk-u-visually-hidden">'
            f' for {name}</span></span></summary><div class="nhsuk-details__text">'
            f'<dl class="roadmap-figures__list">{rows}</dl></div></details>')


def _supervisor(row: CandidateRow, key: str, text: str, url: Markup, name: Markup) -> str:
    """A supervisor's name, or a tag saying none is assigned, with a link to assign one."""
    missing = (row.primary if key == "primary" else row.backup) is None
    if not (missing and row.is_open):
        return _cell(key, escape(text))
    colour = "red" if key == "primary" else "orange"
    return _cell(key, f'<strong class="nhsuk-tag nhsuk-tag--{colour}">{escape(text)}</strong> '
                      f'<a href="{url}?kind={key}">Assign<span class="nhsuk-u-visually-hidden"> '
                      f'a {key} supervisor for {name}</span></a>')


def body_html(table: list[tuple[CandidateRow, list[str]]],
              supervisors_url: Callable[[int], str]) -> Markup:
    """The table's rows, every cell escaped.

    Built here rather than in Jinja because a cohort can hold hundreds of candidates and the
    page has a time budget (bench/dashboard.py): plain string joins are several times faster.
    """
    out = []
    for row, texts in table:
        url = escape(supervisors_url(row.enrolment_id))
        name = escape(texts[0])
        text = {key: texts[_INDEX[key]] for key in SHOWN}
        out.append(
            f'<tr class="nhsuk-table__row" role="row" data-enrolment="{row.enrolment_id}">'
            f'<th scope="row" class="nhsuk-table__header roadmap-card-title" role="rowheader">'
            f'<a href="{url}">{name}</a>{_figures(name, texts)}</th>'
            + _cell("stage", escape(text["stage"]))
            + _cell("status", f'<strong class="nhsuk-tag nhsuk-tag--{TAG_COLOUR[row.rag]}">'
                              f'{escape(text["status"])}</strong>')
            + _cell("reason", escape(text["reason"]), " roadmap-reason")
            + _supervisor(row, "primary", text["primary"], url, name)
            + _supervisor(row, "backup", text["backup"], url, name)
            + _cell("signoff", escape(text["signoff"]) or "None")
            + "</tr>")
    return Markup("\n".join(out))

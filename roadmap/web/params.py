"""Numbers in paths and query strings bounded before they reach a query; NUL refused."""
from __future__ import annotations

from typing import Any

from flask import Flask, abort, render_template, request
from werkzeug.routing import IntegerConverter

from roadmap.fields import MAX_ID, whole_number


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: 1 to 2^31-1, or the route does not match (a 404).

    Werkzeug's own takes any number of digits, and 10^23 then overflows the database's
    integer column: a 500 instead of "not found".
    """

    def __init__(self, url_map: Any, fixed_digits: int = 0, min: int | None = 1,  # noqa: A002
                 max: int | None = MAX_ID, signed: bool = False) -> None:  # noqa: A002
        super().__init__(url_map, fixed_digits, min, max, signed)


def init_app(app: Flask) -> None:
    """Make `int` in routes the bounded converter; call before any blueprint is registered."""
    app.url_map.converters["int"] = IdConverter

    @app.before_request
    def _refuse_nul() -> tuple[str, int] | None:
        # PostgreSQL cannot store a NUL character in text or JSON: refuse it before any
        # view copies it into a query, rather than fail there with a 500. Form and query
        # values lose their NULs as they are parsed (web/text.py): nothing typed is lost.
        if "\x00" in request.path or "\x00" in request.headers.get("User-Agent", ""):
            return render_template("errors/error.html", title="There is a problem with your request",
                                   message=NUL_MESSAGE), 400
        return None


NUL_MESSAGE = ("What you sent contains an invisible control character (NUL) that cannot be "
               "kept. Remove it, for example by typing the text again, then try again.")



def query_int(name: str, default: int, low: int = 1, high: int = MAX_ID) -> int:
    """A whole number from the query string: the default when absent or not a number,
    and a 404 when it is a number beyond what the page can show."""
    raw = request.args.get(name)
    if raw is None or not raw.strip().lstrip("+-").isdigit() or not raw.isascii():
        return default
    number = whole_number(raw, low, high)
    if number is None:
        abort(404)
    return number


def page_number() -> int:
    """`?page=`: 1 by default; a page beyond any list is not found."""
    return query_int("page", 1)

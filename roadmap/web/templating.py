"""Jinja set-up: our templates first, then the NHS.UK frontend macros; the one date filter."""
from __future__ import annotations

import datetime as dt
from typing import Union

from flask import Flask
from jinja2 import ChainableUndefined, ChoiceLoader, PackageLoader

from roadmap import clock
from roadmap.fields import DATE_EXAMPLE
from roadmap.pid import highlight, scan


def nhs_date(value: Union[dt.date, dt.datetime, None]) -> str:
    """The one filter for dates on pages and in the PDF: blank for none.

    A day reads "6 December 2026" and a moment "6 December 2026 at 2.05pm" in England, as the
    NHS.UK style guide writes them. The guide adds the weekday only where it helps someone
    book or keep an appointment; nothing here is one, so no page shows it.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return clock.in_words(value)
    return clock.long_date(value)


def pid_marked(text: object) -> object:
    """The text, escaped, with what may identify a patient highlighted; "" when nothing is
    (so a page beside a patient-details warning shows where, in what was typed: issue 22)."""
    if not isinstance(text, str) or not (found := scan(text)):
        return ""
    return highlight(text, found)


def init_app(app: Flask) -> None:
    """Chain the NHS.UK frontend macros after our templates; ChainableUndefined is required by them."""
    app.jinja_env.undefined = ChainableUndefined
    # Flask escapes only .html templates; the NHS.UK macros are .jinja files that print
    # params.value and params.text as given (and mark params.html | safe), so escape them too.
    app.jinja_env.autoescape = True
    app.jinja_loader = ChoiceLoader([app.jinja_loader, PackageLoader("nhsuk_frontend_jinja")])
    app.jinja_env.filters["nhs_date"] = nhs_date
    app.jinja_env.filters["day_count"] = clock.day_count  # "1 day", "3 days", "today"
    app.jinja_env.filters["pid_marked"] = pid_marked
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals["role_navigation"] = _role_navigation
    app.jinja_env.globals["date_example"] = DATE_EXAMPLE


def register_navigation(app: Flask, role: str, endpoint: str, text: str) -> None:
    """Add a header navigation link shown to people holding a role."""
    app.extensions.setdefault("roadmap.nav", []).append((role, endpoint, text))


def _role_navigation() -> list[dict[str, object]]:
    """Navigation links for the signed-in person's roles, each once."""
    from flask import current_app, request, url_for
    from flask_login import current_user

    if not current_user.is_authenticated:
        return []
    roles = {role.value for role in current_user.role_set}
    items, seen = [], set()
    for role, endpoint, text in current_app.extensions.get("roadmap.nav", []):
        if role in roles and endpoint not in seen:
            seen.add(endpoint)
            items.append({"href": url_for(endpoint), "text": text,
                          "current": request.endpoint == endpoint})
    return items

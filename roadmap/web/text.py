"""Form fields and query arguments as text a person could have typed: no NUL characters.

Nobody types a NUL, and PostgreSQL refuses to store text (or JSON) holding one, so a value
carrying it turned any save into an error page. Removing it where the request is parsed
covers every form, the autosave and every query at once.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict


def _clean(value: Any) -> Any:
    return value.replace("\x00", "") if isinstance(value, str) else value


class TextValues(ImmutableMultiDict):  # type: ignore[type-arg]
    """The request's form and query values, names and values without NUL characters."""

    def __init__(self, mapping: Any = None) -> None:
        if mapping is not None and not isinstance(mapping, (MultiDict, Mapping)):
            mapping = [(_clean(key), _clean(value)) for key, value in mapping]
        super().__init__(mapping)


class TextRequest(Request):
    """Flask's request with its form and query parsed into TextValues."""

    parameter_storage_class = TextValues


def init_app(app: Flask) -> None:
    """Parse every request's form and query as TextValues."""
    app.request_class = TextRequest

"""Bounds on what people and scripts may send, and the form fields every feature shares.

Anything outside them is a mistake to explain next to the field, never a value to hand to
the database: an id beyond the integer column overflows it, a year 9999 overflows the date
arithmetic that follows (a target date six months on).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, Optional

from wtforms import DateField, HiddenField
from wtforms.validators import StopValidation

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER: the type of every id and lock version column
MIN_YEAR, MAX_YEAR = 1900, 2100
DATE_RANGE_MESSAGE = f"Enter a date between {MIN_YEAR} and {MAX_YEAR}"
# Unicode categories that are invisible or move text: controls, format characters (bidi
# overrides and isolates, zero-width joiners), line and paragraph separators, unassigned
# code points.
HIDDEN = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}
_WHOLE = re.compile(r"\s*[+]?\d{1,10}\s*")  # ten digits hold every id; never int() a megabyte


def whole_number(value: Any, low: int = 1, high: int = MAX_ID) -> Optional[int]:
    """The whole number written in value, if it is one between low and high; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _WHOLE.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if low <= number <= high else None


def id_number(value: Any) -> int:
    """An id from a form (WTForms `coerce`): a whole number that can be a row's id.

    Zero is let through because pickers use it for "none chosen"; a ValueError becomes the
    field's error.
    """
    number = whole_number(value, low=0)
    if number is None:
        raise ValueError("Not a valid choice")
    return number


def date_in_range(day: Optional[dt.date]) -> bool:
    """True for no date, or a date between MIN_YEAR and MAX_YEAR."""
    return day is None or MIN_YEAR <= day.year <= MAX_YEAR


class HiddenNumberField(HiddenField):
    """A hidden whole number (an item's lock version, a chosen id): in range, else None.

    A form whose lock version is missing or garbled then counts as opened on another
    version, and the person is told the item changed and to reload it.
    """

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = whole_number(valuelist[0]) if valuelist else None


class BoundedDateField(DateField):
    """A date written as YYYY-MM-DD, in the years people's records can have."""

    def pre_validate(self, form: Any) -> None:
        if not date_in_range(self.data):
            self.data = None  # the rest of the form must not do arithmetic with it
            raise StopValidation(DATE_RANGE_MESSAGE)  # the one message, not "enter a date" too


def plain_text(value: Optional[str]) -> str:
    """Typed text without hidden characters (controls, bidi overrides), keeping newlines and tabs.

    A bidi override can make a reason read differently from what was signed, and an escape or
    bell character has no business in a record; line breaks are the writer's own.
    """
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in HIDDEN)

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

from wtforms import Field, HiddenField
from wtforms.utils import unset_value
from wtforms.validators import StopValidation

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER: the type of every id and lock version column
MIN_YEAR, MAX_YEAR = 1900, 2100
DATE_RANGE_MESSAGE = f"Enter a date between {MIN_YEAR} and {MAX_YEAR}"
DATE_EXAMPLE = "23 11 2026"  # the hint under every date input: day, month, year
DATE_MESSAGE = f"Enter a real date, for example {DATE_EXAMPLE}"
DATE_PARTS = ("day", "month", "year")
_WRITTEN = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y")
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


def parse_date(text: str) -> Optional[dt.date]:
    """A date written 23/11/2026, 2026-11-23 (or 23-11-2026, 23.11.2026, 23 11 2026); else None."""
    text = " ".join((text or "").split())[:40]
    for pattern in _WRITTEN:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


class DateInputField(Field):
    """A date typed in three boxes, day, month and year: the NHS.UK date input.

    The boxes post as `<name>-day`, `<name>-month` and `<name>-year`. A script may still post
    the whole date as `<name>` (23/11/2026 or 2026-11-23). Whatever is wrong gets one message
    beside the field: nothing typed is no date (a required field says so), anything else that
    is not a real date in the years records can have is refused as such.
    """

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        """Read the three boxes (or one value), remembering what was typed to show it again."""
        self.typed = {part: "" for part in DATE_PARTS}
        self.invalid = False
        super().process(formdata, data, extra_filters)
        if formdata is None or not any(f"{self.name}-{p}" in formdata for p in DATE_PARTS):
            return
        self.process_errors = []
        self.typed = {p: str(formdata.get(f"{self.name}-{p}") or "").strip()[:10]
                      for p in DATE_PARTS}
        self.raw_data = [" ".join(v for v in self.typed.values() if v)]
        self.data = None
        if not self.raw_data[0]:
            return
        day, month, year = (self.typed[p] for p in DATE_PARTS)
        if all(v.isascii() and v.isdigit() for v in (day, month, year)) \
                and len(day) <= 2 and len(month) <= 2 and len(year) == 4:
            try:
                self.data = dt.date(int(year), int(month), int(day))
            except ValueError:  # 31 February
                pass
        self.invalid = self.data is None

    def process_formdata(self, valuelist: list[Any]) -> None:
        """One value for the whole date, as a script sends it (none sent: the data stays)."""
        if not valuelist:
            return
        text = str(valuelist[0]).strip()
        self.data = parse_date(text) if text else None
        self.invalid = bool(text) and self.data is None
        if self.data is not None:  # shown again in the boxes, even if out of range
            self.typed = {"day": str(self.data.day), "month": str(self.data.month),
                          "year": str(self.data.year)}

    def pre_validate(self, form: Any) -> None:
        """One message for a date that is not real or out of range; the chain stops there."""
        if self.invalid:
            raise StopValidation(DATE_MESSAGE)
        if not date_in_range(self.data):
            self.data = None  # the rest of the form must not do arithmetic with it
            raise StopValidation(DATE_RANGE_MESSAGE)

    @property
    def given(self) -> bool:
        """True when anything was typed, real date or not."""
        return bool(self.data) or any(self.typed.values()) or self.invalid

    def parts(self) -> dict[str, str]:
        """What the three boxes show: what was typed, else the date's day, month and year."""
        if any(self.typed.values()) or self.invalid:
            return dict(self.typed)
        if isinstance(self.data, dt.date):
            return {"day": str(self.data.day), "month": str(self.data.month),
                    "year": str(self.data.year)}
        return {part: "" for part in DATE_PARTS}

    def _value(self) -> str:
        return self.data.isoformat() if isinstance(self.data, dt.date) else ""


class DateRequired:
    """A validator: the date must be given (a date typed wrong already has its own message)."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.field_flags = {"required": True}

    def __call__(self, form: Any, field: DateInputField) -> None:
        if field.data is None and not field.given:
            raise StopValidation(self.message)


def plain_text(value: Optional[str]) -> str:
    """Typed text without hidden characters (controls, bidi overrides), keeping newlines and tabs.

    A bidi override can make a reason read differently from what was signed, and an escape or
    bell character has no business in a record; line breaks are the writer's own.
    """
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in HIDDEN)

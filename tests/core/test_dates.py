"""Dates as people read them (the NHS.UK style) and as they type them (day, month, year)."""
from __future__ import annotations

import datetime as dt

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from roadmap import clock
from roadmap.fields import (DATE_MESSAGE, DATE_RANGE_MESSAGE, DateInputField, DateRequired,
                            parse_date)
from roadmap.web.templating import nhs_date

UTC = dt.timezone.utc


@pytest.mark.parametrize("value, words", [
    (dt.date(2026, 12, 6), "6 December 2026"),
    (dt.datetime(2026, 12, 6, 14, 5, tzinfo=UTC), "6 December 2026 at 2.05pm"),
    (dt.datetime(2026, 6, 1, 8, 0, tzinfo=UTC), "1 June 2026 at 9am"),  # summer time
    (dt.datetime(2026, 3, 3, 12, 0, tzinfo=UTC), "3 March 2026 at midday"),
    (dt.datetime(2026, 3, 3, 0, 0, tzinfo=UTC), "3 March 2026 at midnight"),
    (dt.datetime(2026, 3, 3, 0, 30, tzinfo=UTC), "3 March 2026 at 12.30am"),
    (None, ""),
])
def test_one_filter_writes_dates_and_moments_the_nhs_way(value, words):
    assert nhs_date(value) == words


class _Form(FlaskForm):
    class Meta:
        csrf = False

    day = DateInputField("Date observed", validators=[DateRequired("Enter the date you observed it")])
    maybe = DateInputField("Start date (optional)")


def _posted(app, **values) -> _Form:
    with app.test_request_context():
        form = _Form(formdata=MultiDict(values))
        form.validate()
        return form


@pytest.mark.parametrize("typed, day", [
    ({"day-day": "23", "day-month": "11", "day-year": "2026"}, dt.date(2026, 11, 23)),
    ({"day-day": " 3", "day-month": "03 ", "day-year": "2026"}, dt.date(2026, 3, 3)),
    ({"day": "23/11/2026"}, dt.date(2026, 11, 23)),  # a script sends the whole date
    ({"day": "2026-11-23"}, dt.date(2026, 11, 23)),
])
def test_a_real_date_is_read_from_three_boxes_or_one_value(app, typed, day):
    form = _posted(app, **typed)
    assert form.day.data == day and form.day.errors == []


@pytest.mark.parametrize("typed, message", [
    ({}, "Enter the date you observed it"),
    ({"day-day": "", "day-month": "", "day-year": ""}, "Enter the date you observed it"),
    ({"day-day": "31", "day-month": "2", "day-year": "2026"}, DATE_MESSAGE),
    ({"day-day": "3", "day-month": "", "day-year": "2026"}, DATE_MESSAGE),
    ({"day-day": "3", "day-month": "March", "day-year": "2026"}, DATE_MESSAGE),
    ({"day-day": "3", "day-month": "3", "day-year": "26"}, DATE_MESSAGE),
    ({"day-day": "1", "day-month": "1", "day-year": "9999"}, DATE_RANGE_MESSAGE),
    ({"day-day": "7", "day-month": "9223372036854775808", "day-year": "2026"}, DATE_MESSAGE),
    ({"day-day": "007", "day-month": "9", "day-year": "2026"}, DATE_MESSAGE),
    ({"day": "30/02/2026"}, DATE_MESSAGE),
    ({"day": "today"}, DATE_MESSAGE),
])
def test_an_empty_or_wrong_date_gets_exactly_one_message(app, typed, message):
    form = _posted(app, **typed)
    assert form.day.errors == [message] and form.day.data is None


def test_what_was_typed_is_shown_again_and_an_optional_date_may_be_blank(app):
    form = _posted(app, **{"day-day": "31", "day-month": "2", "day-year": "2026",
                           "maybe-day": "", "maybe-month": "", "maybe-year": ""})
    assert form.day.parts() == {"day": "31", "month": "2", "year": "2026"}
    assert form.maybe.errors == [] and form.maybe.data is None


def test_a_date_from_the_record_fills_the_boxes(app):
    with app.test_request_context():
        form = _Form(formdata=None, day=dt.date(2026, 5, 7))
    assert form.day.parts() == {"day": "7", "month": "5", "year": "2026"}


def test_the_same_reader_takes_the_csv_import_dates():
    assert parse_date("06/01/2026") == dt.date(2026, 1, 6)
    assert parse_date("31/02/2026") is None and parse_date("") is None
    assert clock.long_date(dt.date(2026, 1, 6)) == "6 January 2026"

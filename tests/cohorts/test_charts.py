"""The hub's charts: every month with its year, and an empty chart that says so."""
from __future__ import annotations

import datetime as dt
import re

from roadmap.cohorts import charts
from roadmap.cohorts.overview import hub_charts
from roadmap.cohorts.trends import Trends, month_starts


def _trends(today: dt.date, signoffs: list[int], wpbas: list[int]) -> Trends:
    months = month_starts(today)
    return Trends(months=months, signoffs=signoffs, monthly_target=None, annual_target=None,
                  signed_off_last_year=sum(signoffs), weeks_to_signoff=[], wpbas=wpbas,
                  wpbas_expected=[2] * len(months))


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_the_month_axis_carries_the_year_where_it_starts_and_changes():
    trends = _trends(dt.date(2026, 3, 15), [0] * 11 + [1], [3] * 12)
    made = hub_charts(trends)
    for chart in ("signoffs", "wpbas"):
        words = _texts(made[chart])
        assert words.count("2025") == 1 and words.count("2026") == 1, words  # April 2025, January
        assert "Apr" in words and "Jan" in words
        assert "April 2025: " in made[chart] and "March 2026: " in made[chart]  # the description


def test_an_empty_chart_says_no_data_yet_and_a_full_one_does_not():
    made = hub_charts(_trends(dt.date(2026, 3, 15), [0] * 12, [0] * 12))
    for chart in ("signoffs", "time_to_signoff", "wpbas", "regions", "outcomes"):
        assert charts.EMPTY in _texts(made[chart]), chart
        assert "<desc" in made[chart] and "No data yet." in made[chart], chart
    full = hub_charts(_trends(dt.date(2026, 3, 15), [1] * 12, [2] * 12))
    assert charts.EMPTY not in _texts(full["signoffs"]) + _texts(full["wpbas"])

"""The year the targets run over, the quarters of the trends, and the forecast's arithmetic."""
from __future__ import annotations

import datetime as dt

from roadmap.regions.forecast import forecast
from roadmap.regions.periods import quarters, year_of


def test_the_year_runs_from_april_to_march():
    year = year_of(dt.date(2026, 12, 6))
    assert (year.start, year.end) == (dt.date(2026, 4, 1), dt.date(2027, 3, 31))
    assert year.days_left == 115  # 25 in December, 31, 28, 31
    assert year_of(dt.date(2027, 3, 31)).start == dt.date(2026, 4, 1)
    assert year_of(dt.date(2027, 3, 31)).days_left == 0
    assert year_of(dt.date(2027, 4, 1)).start == dt.date(2027, 4, 1)
    assert year.words == "1 April 2026 to 31 March 2027"


def test_eight_quarters_end_with_todays():
    found = quarters(dt.date(2026, 12, 6))
    assert len(found) == 8
    assert (found[0].start, found[-1].start, found[-1].end) == (
        dt.date(2025, 1, 1), dt.date(2026, 10, 1), dt.date(2027, 1, 1))
    assert [q.label for q in found[:2]] == ["Jan to Mar 2025", "Apr to Jun 2025"]
    assert all(a.end == b.start for a, b in zip(found, found[1:]))
    assert quarters(dt.date(2026, 1, 1), 1)[0].label == "Jan to Mar 2026"


def test_the_forecast_adds_the_pace_of_the_last_12_months_for_the_days_left():
    year = year_of(dt.date(2026, 12, 6))
    plan = forecast(12, 30, year, 40)
    # 30 in 365 days is 0.0822 a day; 115 days left: 9.45 more; 21.45 by 31 March.
    assert round(plan.expected, 2) == 9.45
    assert round(plan.total, 2) == 21.45
    assert plan.pace_a_month == 2.5
    assert round(plan.against_target, 2) == -18.55
    assert plan.words("Oxford Hub") == ("Oxford Hub: 12 signed off so far this year, plus 30 in "
                                        "the last 12 months ÷ 365 days × 115 days left = 12 + 9.5 "
                                        "= 21.5, about 21.")
    assert forecast(0, 0, year, None).total == 0 and forecast(0, 0, year, None).against_target is None
    last_day = forecast(7, 365, year_of(dt.date(2027, 3, 31)), 7)
    assert (last_day.expected, last_day.against_target) == (0, 0)


def test_the_regions_forecast_is_the_sum_of_its_hubs():
    year = year_of(dt.date(2026, 6, 30))
    hubs = [forecast(3, 10, year, None), forecast(8, 21, year, None), forecast(0, 2, year, None)]
    region = forecast(11, 33, year, None)
    assert abs(region.total - sum(h.total for h in hubs)) < 1e-9

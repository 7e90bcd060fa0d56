"""No hidden figure of a region's tables can be worked out from what they show: not by
subtraction from a total (an outsider did it twice), not by combining the sums."""
from __future__ import annotations

import csv
import datetime as dt
import io

from hypothesis import HealthCheck, given, settings, strategies as st

from roadmap.regions.figures import STATES, HubFigures, Staff
from roadmap.regions.models import Region
from roadmap.regions.periods import quarters, year_of
from roadmap.regions.report import TOTAL, build, to_csv
from roadmap.regions.suppress import FEW_SIGNOFFS, FEWER_THAN_5, NOT_SHOWN
from tests.regions.attack import equations, hidden_cells, peel, pinned, solve

# The last day of a quarter (the quarters make up the last 12 months), the last day of the year
# (no days left), and a day inside a quarter.
DAYS = (dt.date(2026, 6, 30), dt.date(2027, 3, 31), dt.date(2026, 11, 17))
count = st.one_of(st.integers(0, 6), st.integers(0, 40))


@st.composite
def hub_figures(draw: st.DrawFn, hub_id: int, periods: int) -> HubFigures:
    """One hub's counts, consistent with one another as the database's are."""
    states = {key: draw(count) for key in STATES}
    open_ = sum(states.values())
    stage1 = draw(st.integers(0, open_))
    signed = [draw(count) for _ in range(periods)]
    last_12 = sum(signed[-4:])
    people = draw(count)
    return HubFigures(
        hub_id, f"Hub {hub_id}", draw(st.one_of(st.none(), st.integers(1, 60))),
        stages={"stage1": stage1, "stage2": open_ - stage1}, states=states,
        no_backup=draw(st.integers(0, open_)), signed_this_year=0,
        signed_last_12_months=last_12, signed_by_quarter=signed,
        enrolled_by_quarter=[draw(count) for _ in range(periods)],
        days_to_signoff=[draw(st.integers(0, 400)) for _ in range(min(last_12, 6))],
        staff=Staff(people, people * draw(st.sampled_from((0.5, 0.8, 1.0))),
                    draw(st.integers(0, 4 * people)), draw(st.integers(0, people))))


@st.composite
def regions(draw: st.DrawFn) -> tuple:
    """A region of two to four hubs on one of the days, with its staff the hubs' added up."""
    day = draw(st.sampled_from(DAYS))
    year, periods = year_of(day), quarters(day)
    hubs = [draw(hub_figures(i + 1, len(periods))) for i in range(draw(st.integers(2, 4)))]
    in_year = [i for i, q in enumerate(periods) if q.start >= year.start]
    for hub in hubs:
        hub.signed_this_year = sum(hub.signed_by_quarter[i] for i in in_year)
    staff = Staff(sum(h.staff.supervisors for h in hubs), sum(h.staff.fte for h in hubs),
                  sum(h.staff.carried for h in hubs), sum(h.staff.over_capacity for h in hubs))
    region = Region(name="Region", annual_signoff_target=draw(st.one_of(st.none(), st.integers(1, 99))))
    return region, hubs, staff, year, periods


COUNTS = ("open", "stage1", "stage2", *STATES, "no_backup", "this_year", "last_12", "supervisors",
          "carried", "over")


def _small_counts(report) -> set:
    """The cells of counts of people from 1 to 4, which must be hidden (a target of 3 or a
    median of 3 weeks is not one)."""
    return {(row.key, column) for row in [*report.hubs, report.total]
            for column, value in row.cells.items() if value in {"1", "2", "3", "4"}
            and (column in COUNTS or column.startswith(("signed_", "enrolled_")))}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(regions())
def test_no_hidden_figure_can_be_worked_out_from_what_is_shown(drawn):
    report = build(*drawn)
    hidden, found = hidden_cells(report), equations(report)
    assert not _small_counts(report)
    assert not peel(hidden, found), "worked out by subtraction"
    assert not solve(hidden, found), "worked out by combining the sums"
    assert not pinned(report, found), "pinned down by the bounds of fewer than 5"
    # The CSV hides the same cells as the pages, and the charts draw none of them.
    lines = list(csv.reader(io.StringIO(to_csv(report))))
    keys = [column.key for column in report.columns]
    for row, line in zip([*report.hubs, report.total], lines[1:]):
        assert {k for k, text in zip(keys, line[1:]) if text in (FEWER_THAN_5, NOT_SHOWN, FEW_SIGNOFFS)} == {
            column for key, column in hidden if key == row.key}
        assert all(row.shown[column] is None for key, column in hidden if key == row.key)


def _region(states: list[dict[str, int]], day: dt.date = DAYS[2]) -> tuple:
    """A region whose hubs have these states (every candidate in Stage 2) and nothing else
    small."""
    year, periods = year_of(day), quarters(day)
    hubs = [HubFigures(i + 1, f"Hub {i + 1}", 30, stages={"stage1": 0, "stage2": sum(s.values())},
                       states={**dict.fromkeys(STATES, 0), **s}, signed_this_year=20,
                       signed_last_12_months=40, signed_by_quarter=[5] * 4 + [10] * 4,
                       enrolled_by_quarter=[6] * len(periods), days_to_signoff=[70] * 40,
                       staff=Staff(10, 9.0, 30, 0))
            for i, s in enumerate(states)]
    return Region(name="Region", annual_signoff_target=90), hubs, Staff(30, 27.0, 90, 0), year, periods


# The outsider's table: two hubs of one candidate each, waiting for a supervisor, and a hub of
# five, two stalled and three waiting for the provider. The region's 7 candidates were shown.
OUTSIDERS = [{"supervisor": 1}, {"supervisor": 1}, {"stalled": 2, "provider": 3}]


def test_two_small_hubs_are_not_the_regions_total_less_the_hubs_shown():
    # 7 candidates less Hub 3's 5 left 2 for the two hubs shown as "fewer than 5": 1 each.
    report = build(*_region(OUTSIDERS))
    hub1, hub2, hub3 = report.hubs
    assert hub1.cells["open"] == hub2.cells["open"] == FEWER_THAN_5
    assert hub3.cells["open"] == NOT_SHOWN
    found = equations(report)
    assert not pinned(report, found) and not peel(hidden_cells(report), found)
    assert not solve(hidden_cells(report), found)


def test_the_regions_small_state_is_not_its_candidates_less_the_others():
    # The region's 7 candidates less its stalled and waiting for the provider (together Hub 3's
    # 5 candidates) left its 2 waiting for a supervisor, with no sum holding it alone.
    report = build(*_region(OUTSIDERS))
    total = report.total
    assert total.cells["supervisor"] == FEWER_THAN_5
    assert not solve(hidden_cells(report), equations(report))
    assert {total.cells["open"], report.hubs[2].cells["stalled"],
            report.hubs[2].cells["provider"]} & {NOT_SHOWN, FEWER_THAN_5}


def test_a_small_count_beside_the_regions_total_hides_the_next_smallest_only():
    report = build(*_region([{"on_track": 20, "stalled": 3}, {"on_track": 21, "stalled": 9},
                             {"on_track": 22, "stalled": 12}]))
    hub1, hub2, hub3 = report.hubs
    assert hub1.cells["stalled"] == FEWER_THAN_5 and hub2.cells["stalled"] == NOT_SHOWN
    assert hub3.cells["stalled"] == "12" and report.total.cells["stalled"] == "24"
    assert report.total.key == TOTAL
    assert not peel(hidden_cells(report), equations(report))
    assert not solve(hidden_cells(report), equations(report))

"""Small numbers are hidden, and a hidden one cannot be worked out from the figures around it."""
from __future__ import annotations

from roadmap.regions.suppress import FEW_SIGNOFFS, FEWER_THAN_5, NOT_SHOWN, Grid, Sum, protect
from tests.regions.attack import solve


def _column(values: dict[str, int]) -> tuple[Grid, list, Sum]:
    """Hubs in one column that add up to a total row."""
    grid = Grid({(hub, "n"): value for hub, value in values.items()})
    grid.values[("total", "n")] = sum(values.values())
    keys = [(hub, "n") for hub in values]
    return grid, keys + [("total", "n")], Sum(keys, ("total", "n"))


def test_counts_from_1_to_4_are_fewer_than_5_and_0_and_5_are_shown():
    grid, keys, _sum = _column({"a": 0, "b": 1, "c": 4, "d": 5, "e": 9})
    protect(grid, keys, [])
    assert [grid.text(key, "shown") for key in keys] == [
        "shown", FEWER_THAN_5, FEWER_THAN_5, "shown", "shown", "shown"]


def test_one_hidden_count_beside_a_total_hides_the_next_smallest():
    grid, keys, total = _column({"a": 3, "b": 12, "c": 7, "d": 0})
    protect(grid, keys, [total])
    # Without the second, a = 22 - 12 - 7 - 0: the smallest count above zero goes too.
    assert grid.hidden == {("a", "n"): FEWER_THAN_5, ("c", "n"): NOT_SHOWN}
    assert not grid.is_hidden(("total", "n")) and not grid.is_hidden(("d", "n"))


def test_the_second_hiding_would_be_missed_without_the_sums():
    grid, keys, _total = _column({"a": 3, "b": 12, "c": 7})
    protect(grid, keys, [])  # a guard that forgets the totals leaves a worked out by subtraction
    shown = {key: value for key, value in grid.values.items() if not grid.is_hidden(key)}
    assert shown[("total", "n")] - shown[("b", "n")] - shown[("c", "n")] == 3


def test_a_hidden_whole_needs_no_second_and_rows_and_columns_are_kept_together():
    grid, keys, total = _column({"a": 2, "b": 1})
    protect(grid, keys, [total])
    assert grid.hidden == {("a", "n"): FEWER_THAN_5, ("b", "n"): FEWER_THAN_5,
                           ("total", "n"): FEWER_THAN_5}
    # A row whose states add up to its candidates: one small state hides another state...
    grid = Grid({("a", "open"): 20, ("a", "x"): 2, ("a", "y"): 8, ("a", "z"): 10,
                 ("b", "open"): 30, ("b", "x"): 10, ("b", "y"): 10, ("b", "z"): 10,
                 ("total", "open"): 50, ("total", "x"): 12, ("total", "y"): 18, ("total", "z"): 20})
    row = lambda r: Sum([(r, "x"), (r, "y"), (r, "z")], (r, "open"))  # noqa: E731
    column = lambda c: Sum([("a", c), ("b", c)], ("total", c))  # noqa: E731
    protect(grid, list(grid.values), [row("a"), row("b"), row("total"),
                                      *(column(c) for c in ("open", "x", "y", "z"))])
    # ...and then each column with one hidden cell hides one of the other hub's: no row or
    # column is left with a single hidden figure.
    assert grid.hidden[("a", "x")] == FEWER_THAN_5 and grid.is_hidden(("a", "y"))
    assert grid.is_hidden(("b", "x")) and grid.is_hidden(("b", "y"))
    for total in [row("a"), row("b"), row("total"), *(column(c) for c in ("open", "x", "y", "z"))]:
        assert sum(grid.is_hidden(key) for key in total.members) != 1


def test_figures_worked_out_from_a_hidden_one_are_hidden_and_so_are_medians_of_few():
    grid = Grid({("a", "people"): 3, ("a", "fte"): 2.4, ("a", "median"): 20,
                 ("b", "people"): 6, ("b", "fte"): 4.0})
    protect(grid, [("a", "people"), ("b", "people")], [],
            derived={("a", "people"): [("a", "fte")], ("b", "people"): [("b", "fte")]},
            few=[("a", "median")])
    assert grid.hidden == {("a", "people"): FEWER_THAN_5, ("a", "fte"): NOT_SHOWN,
                           ("a", "median"): FEW_SIGNOFFS}


def test_sums_that_each_hide_two_figures_cannot_together_give_one_away():
    # x + y, y + z and x + z are shown: each sum has two hidden figures once x (2) hides y and
    # y hides z, yet x = (x + y - (y + z) + (x + z)) / 2. One of the sums must go as well.
    grid = Grid({("r", "x"): 2, ("r", "y"): 6, ("r", "z"): 9,
                 ("r", "xy"): 8, ("r", "yz"): 15, ("r", "xz"): 11})
    sums = [Sum([("r", "x"), ("r", "y")], ("r", "xy")), Sum([("r", "y"), ("r", "z")], ("r", "yz")),
            Sum([("r", "x"), ("r", "z")], ("r", "xz"))]
    protect(grid, [("r", "x"), ("r", "y"), ("r", "z")], sums)
    assert grid.hidden[("r", "x")] == FEWER_THAN_5
    assert grid.is_hidden(("r", "y")) and grid.is_hidden(("r", "z"))
    assert any(grid.is_hidden(total.whole) for total in sums)
    assert not solve(set(grid.hidden), [total.terms for total in sums])

"""The demo's story: threads' steps played in time order, each with the clock set to it."""
from __future__ import annotations

import datetime as dt

import pytest

from roadmap import clock
from roadmap.demo.story import Story, StoryError

START = dt.datetime(2026, 5, 1, 9, tzinfo=dt.timezone.utc)


def _thread(name: str, hours: list[int], seen: list):
    for hour in hours:
        yield START + dt.timedelta(hours=hour)
        seen.append((name, clock.now()))


def test_steps_of_every_thread_run_in_the_order_of_their_moments():
    seen: list = []
    story = Story(until=clock.now())
    story.spawn(_thread("a", [0, 5, 6], seen))
    story.spawn(_thread("b", [1, 2, 7], seen))
    assert story.run() == 6
    assert [name for name, _ in seen] == ["a", "b", "b", "a", "a", "b"]
    assert [at for _, at in seen] == sorted(at for _, at in seen)


def test_a_thread_may_not_go_back_in_time_nor_past_now():
    story = Story(until=clock.now())
    story.spawn(_thread("late", [3, 1], []))
    with pytest.raises(StoryError, match="before the step at"):
        story.run()
    with pytest.raises(StoryError, match="after now"):
        Story(until=START).spawn(_thread("future", [1], []))

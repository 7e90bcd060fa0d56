"""Months of a pilot in one run: steps played in time order, each with the clock set to it.

A thread of the story (a candidate's journey, one evidence item, a feedback round) is a
generator that yields the moment of its next step, then takes that step through the real
services. The story runs every thread's steps in the order of their moments, whatever thread
they belong to, with roadmap.clock set to each: so the audit log's events come in the order of
their times, and every time (an event's, a signature's, a response's) follows the dates of
the items. A thread may start others (`spawn`), such as an item's life beside the journey.
"""
from __future__ import annotations

import datetime as dt
import heapq
import itertools
from typing import Iterator

from roadmap import clock

Thread = Iterator[dt.datetime]


class StoryError(RuntimeError):
    """A thread asked for a moment the story cannot give it (earlier than its last, or later
    than the real now)."""


class Story:
    """Threads waiting for their next moment, taken earliest first (ties: first come)."""

    def __init__(self, until: dt.datetime) -> None:
        self.until = until  # the real now: no step may come after it
        self._waiting: list[tuple[dt.datetime, int, Thread]] = []
        self._order = itertools.count()
        self._now: dt.datetime | None = None  # the step being played

    def spawn(self, thread: Thread) -> None:
        """Start a thread: it runs until it yields its first moment (its first line, as a rule)."""
        try:
            first = next(thread)
        except StopIteration:
            return
        self._wait(thread, first, self._now)

    def _wait(self, thread: Thread, moment: dt.datetime, after: dt.datetime | None) -> None:
        if after is not None and moment < after:
            raise StoryError(f"a step asked for {moment.isoformat()}, before the step at "
                             f"{after.isoformat()}")
        if moment > self.until:
            raise StoryError(f"a step asked for {moment.isoformat()}, after now")
        heapq.heappush(self._waiting, (moment, next(self._order), thread))

    def run(self) -> int:
        """Play every step in time order; how many steps were played."""
        played = 0
        while self._waiting:
            moment, _, thread = heapq.heappop(self._waiting)
            self._now = moment
            with clock.set_to(moment):
                try:
                    following = next(thread)
                except StopIteration:
                    following = None
            played += 1
            if following is not None:
                self._wait(thread, following, moment)
        return played


def on(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A moment of a day in England (the clocks' change taken care of), in UTC."""
    local = dt.datetime.combine(day, dt.time(hour, minute), clock.LONDON)
    return local.astimezone(dt.timezone.utc)

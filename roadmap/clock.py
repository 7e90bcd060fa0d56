"""The one clock: now in UTC, today in England, and where a day begins and ends."""
from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from typing import Any, Iterator, Optional, Union
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
# A moment the clock has been set to (see `set_to`); None: the real time.
_SET: contextvars.ContextVar[Optional[dt.datetime]] = contextvars.ContextVar("roadmap_clock",
                                                                            default=None)


def now() -> dt.datetime:
    """The current moment, timezone-aware, in UTC (the moment set, inside `set_to`)."""
    return _SET.get() or dt.datetime.now(dt.timezone.utc)


@contextlib.contextmanager
def set_to(moment: dt.datetime) -> Iterator[dt.datetime]:
    """Within the block, every service reads this moment as now.

    For `roadmap demo`, which plays months of a pilot through the real services in one run:
    each step happens at its own moment, so the audit log's times, a signature's time and an
    item's date tell the same story. Never a moment later than the real now (events would be
    recorded in the future), and never used by a request.
    """
    if moment.tzinfo is None:
        raise ValueError("set the clock to an aware moment")
    moment = moment.astimezone(dt.timezone.utc)
    if moment > dt.datetime.now(dt.timezone.utc):
        raise ValueError(f"the clock cannot be set to {moment.isoformat()}, after now")
    token = _SET.set(moment)
    try:
        yield moment
    finally:
        _SET.reset(token)


def today() -> dt.date:
    """Today in England."""
    return now().astimezone(LONDON).date()


def start_of_day(day: dt.date) -> dt.datetime:
    """The moment a day begins in England, in UTC (midnight, whatever the clocks did)."""
    return dt.datetime.combine(day, dt.time(), LONDON).astimezone(dt.timezone.utc)


def day_of(moment: dt.datetime) -> dt.date:
    """The day in England a moment falls on."""
    return moment.astimezone(LONDON).date()


def moment(on: Union[dt.date, dt.datetime]) -> dt.datetime:
    """The moment a question about "on this day" is asked at: now, clamped into the day.

    Today means now (so a supervisor replaced this morning is not current this afternoon);
    a later day means its first moment; an earlier day its last, so whatever ended during
    it is over by then. A datetime is taken as it is.
    """
    if isinstance(on, dt.datetime):
        return on
    last = start_of_day(on + dt.timedelta(days=1)) - dt.timedelta(microseconds=1)
    return min(max(now(), start_of_day(on)), last)


def long_date(day: dt.date) -> str:
    """A date as the NHS.UK style guide writes it, e.g. 3 March 2026 (no weekday, no zero)."""
    return f"{day.day} {day:%B %Y}"


def days_since(moment: dt.datetime, on: Optional[dt.date] = None) -> int:
    """Days in England from the day a moment fell on to `on` (today): the one way every page
    counts a wait, so the hub and the supervisor read the same number for the same item (an
    item submitted at 8pm is 1 day old the next morning, not 0). A naive moment is UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return max(0, ((on or today()) - day_of(moment)).days)


def day_count(count: int) -> str:
    """A number of days in words: "1 day", "3 days", and a wait begun today "today"
    (never "0 days")."""
    if count <= 0:
        return "today"
    return f"{count} day{'' if count == 1 else 's'}"


def time_of_day(at: dt.time) -> str:
    """A time as the NHS.UK style guide writes it: 9am, 2.05pm, midday, midnight."""
    if (at.hour, at.minute) == (0, 0):
        return "midnight"
    if (at.hour, at.minute) == (12, 0):
        return "midday"
    hour = at.hour % 12 or 12
    minutes = f".{at.minute:02d}" if at.minute else ""
    return f"{hour}{minutes}{'am' if at.hour < 12 else 'pm'}"


def in_words(at: dt.datetime) -> str:
    """A moment as people in England read it, e.g. 3 March 2026 at 2.05pm."""
    local = at.astimezone(LONDON)
    return f"{long_date(local.date())} at {time_of_day(local.time())}"


def written(at: dt.datetime) -> str:
    """A moment as an audit event records it: ISO 8601 in UTC, to the microsecond."""
    return at.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")


def same_moment(text: Any, at: dt.datetime) -> bool:
    """True when a moment written in ISO 8601 (as an event or a snapshot keeps it) is `at`."""
    try:
        return dt.datetime.fromisoformat(str(text)) == at
    except (TypeError, ValueError):
        return False

"""The one clock, set to a moment: what every service then reads as now (roadmap demo's story)."""
from __future__ import annotations

import datetime as dt

import pytest

from roadmap import clock
from roadmap.audit import service as audit
from roadmap.db import utcnow

MOMENT = dt.datetime(2026, 3, 3, 23, 30, tzinfo=dt.timezone.utc)  # 23:30 GMT: still 3 March


def test_inside_set_to_every_service_reads_the_moment():
    with clock.set_to(MOMENT):
        assert clock.now() == MOMENT and utcnow() == MOMENT
        assert clock.today() == dt.date(2026, 3, 3)
    assert clock.now() > MOMENT  # the real time again


def test_set_to_refuses_a_naive_moment_and_one_after_now():
    with pytest.raises(ValueError):
        with clock.set_to(MOMENT.replace(tzinfo=None)):
            pass
    with pytest.raises(ValueError, match="after now"):
        with clock.set_to(clock.now() + dt.timedelta(minutes=1)):
            pass


def test_an_event_recorded_inside_set_to_has_that_time(session):
    with clock.set_to(MOMENT):
        event = audit.record(session, "test.happened")
    session.commit()
    session.expire_all()
    assert session.get(type(event), event.id).occurred_at == MOMENT

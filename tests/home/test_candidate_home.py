"""The candidate's home page: the target date warning and a plain link to the portfolio."""
from __future__ import annotations

import datetime as dt

from roadmap import clock
from roadmap.clock import today

WARNING = "Your Stage 2 target date has passed"


def _home(client, login, team) -> str:
    login(client, team.candidate)
    return client.get("/home").get_data(as_text=True)


def test_a_passed_target_date_is_a_warning_with_the_date(client, login, session, team):
    team.enrolment.target_on = today() - dt.timedelta(days=1)
    session.commit()
    page = _home(client, login, team)
    assert WARNING in page
    assert f"Your target was {clock.long_date(team.enrolment.target_on)}." in page


def test_a_target_date_ahead_gives_no_warning(client, login, session, team):
    team.enrolment.target_on = today()
    session.commit()
    assert WARNING not in _home(client, login, team)


def test_no_warning_once_stage_2_is_signed_off(client, login, session, team):
    team.enrolment.target_on = today() - dt.timedelta(days=30)
    team.enrolment.stage2_signed_off_on = today() - dt.timedelta(days=40)
    session.commit()
    assert WARNING not in _home(client, login, team)


def test_the_way_to_the_portfolio_is_a_link_not_a_green_button(client, login, team):
    page = _home(client, login, team)
    assert '<a href="/portfolio/">See where you stand in your portfolio</a>' in page
    assert 'class="nhsuk-button" href="/portfolio/"' not in page

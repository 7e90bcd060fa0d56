"""Too long and not-a-number answers on the evidence forms, over HTTP (issue 17, #10).

The candidate must be told which box is wrong, once, in words they can act on.
"""
from __future__ import annotations

import html
import re

from tests.portfolio.test_views import log_form

DEFAULTS = re.compile(r"Field cannot be longer|Not a valid (decimal|integer)|Enter \d+ characters"
                      r"|Write at most")


def _errors(page: str) -> list[str]:
    """The messages beside the fields, in page order."""
    found = re.findall(r'class="nhsuk-error-message"[^>]*>(.*?)</span>\s*</?', page, re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", m)).split()).removeprefix("Error: ")
            for m in found]


def test_hours_typed_with_a_comma_get_one_message_naming_the_field(client, login, world, session):
    login(client, world.candidate)
    response = client.post("/portfolio/evidence/new/learning_log",
                           data=log_form(world, session, answer_hours="1,5", title="T" * 201))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    errors = _errors(page)
    assert "Enter time spent (hours) as a number, like 1.5" in errors
    assert not any("must be between" in e for e in errors), errors
    assert "Title must be 200 characters or fewer" in errors
    assert not DEFAULTS.search(page)


def test_hours_left_empty_are_no_error_where_they_are_optional(client, login, world, session):
    """The number box's own message must not stand in for 'optional' (the browser test of the
    learning log found an empty hours box refused)."""
    login(client, world.candidate)
    response = client.post("/portfolio/evidence/new/learning_log",
                           data=log_form(world, session, answer_hours=""))
    assert response.status_code == 302, _errors(response.get_data(as_text=True))


def test_every_evidence_form_names_the_box_that_is_too_long(client, login, world, session):
    login(client, world.candidate)
    index = client.get("/portfolio/evidence/new").get_data(as_text=True)
    codes = sorted(set(re.findall(r"/portfolio/evidence/new/([a-z_]+)", index)))
    assert len(codes) == 14
    named = 0
    for code in codes:
        form_page = client.get(f"/portfolio/evidence/new/{code}").get_data(as_text=True)
        boxes = set(re.findall(r'<textarea[^>]*name="([^"]+)"', form_page))
        boxes |= set(re.findall(r'<input[^>]*type="text"[^>]*name="([^"]+)"', form_page))
        boxes |= set(re.findall(r'<input[^>]*name="([^"]+)"[^>]*type="text"', form_page))
        data = {name: "x" * 30_001 + ",5" for name in boxes if not name.endswith(("-day", "-month", "-year"))}
        data.update({"form_token": f"long-{code}", "action": "draft"})
        page = client.post(f"/portfolio/evidence/new/{code}", data=data).get_data(as_text=True)
        assert not DEFAULTS.search(page), code
        for message in _errors(page):
            if "characters" in message:
                assert re.fullmatch(r"\S.* must be [\d,]+ characters or fewer", message), message
                named += 1
    assert named >= 14  # every form refused at least its title

"""A newcomer's path over HTTP, from the demo data and its printed logins alone: the ready
candidate signs the Stage 2 declarations, their supervisor signs it off, the education
provider approves, and the statement verifies."""
from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from flask.testing import FlaskClient

from tests.demo.conftest import PASSWORD, Built
from tests.fixtures.apps import through_check


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """No audit sample: the reviewer's approval is the stage's last."""
    return {**app_config, "PROVIDER_SAMPLE_PERCENT": 0}


def _signed_in(client: FlaskClient, built: Built, email: str) -> FlaskClient:
    client.post("/sign-out")
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    if response.headers.get("Location", "").endswith("/sign-in/code"):
        response = client.post("/sign-in/code",
                               data={"code": pyotp.TOTP(built.secret(email)).now()})
    assert response.status_code == 302, response.data[:500]
    return client


def _text(response: Any) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'")


def test_a_newcomer_signs_off_stage2_as_candidate_supervisor_and_provider(app, client, demo_data):
    built = Built(app, demo_data)  # the data and the printed logins of `roadmap demo`
    ready = next(line for line in built.output.splitlines() if "ready: every gate met" in line)
    email = ready.split()[0]
    assert email == "candidate4@example.nhs.uk"

    home = _text(_signed_in(client, built, email).get("/home"))
    # Ready means ready: the hub lead agreed a later target, and the candidate's own wait reads
    # in their words.
    assert "target date has passed" not in home and "Waiting for your declaration" in home
    stage = re.search(r'href="(/stages/\d+/stage2)"', home).group(1)
    page = _text(client.get(stage))
    assert "Grace O'Neill" in page and 'value="candidate_own_work"' in page
    # Each signing act reads back on its check page first, then signs there (the password or
    # code was entered moments ago, at sign-in, so it is not asked again).
    assert "Check your declarations" in _text(client.post(
        stage, data={"declarations": "candidate_own_work"}, follow_redirects=True))
    signed = through_check(client, stage, {"declarations": "candidate_own_work"})
    assert signed.status_code == 302
    assert "Waiting for the supervisor" in _text(client.get(stage))

    _signed_in(client, built, "supervisor1@example.nhs.uk")
    page = _text(client.get(stage))
    assert 'value="supervisor_verified"' in page
    reasons = {name: "Ten WPBAs, each well evidenced; the candidate works four days a week."
               for name in set(re.findall(r'name="(reason-[\w-]+)"', page))}
    assert reasons == {"reason-wpba_pace": reasons.get("reason-wpba_pace")}  # the one unmet
    signed = through_check(client, stage, {"declarations": "supervisor_verified", **reasons})
    assert signed.status_code == 302, _text(signed)[:2000]
    assert "Waiting for the education provider" in _text(client.get(stage))

    _signed_in(client, built, "provider@example.ac.uk")
    queue = _text(client.get("/provider"))
    row = next(part for part in queue.split("<tr") if "Grace O'Neill" in part)
    review = re.search(r'href="(/provider/rounds/\d+)"', row).group(1)
    assert "Ten WPBAs, each well evidenced" in _text(client.get(review))  # the reason, shown
    approved = through_check(client, f"{review}/approve", {})
    assert approved.status_code == 302

    _signed_in(client, built, email)
    page = _text(client.get(stage))
    code = re.search(r"Verification code<br><strong>(RM-[A-Z2-9-]{17})</strong>", page).group(1)
    statement = _text(client.get(f"/verify/{code}"))
    assert "This verification statement is genuine" in statement
    assert "Declared by the candidate" in statement and "Grace O'Neill" in statement
    assert "Signed off by the supervisor" in statement and "Dr Priya Shah" in statement
    assert "Approved by the education provider" in statement
    assert "Cherwell University (demo) (reviewed by Ruth Adeyemi)" in statement
    assert "workplace-based assessments" in statement  # the unmet guidance, named

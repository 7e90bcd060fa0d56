"""Shared steps of the feedback tests: open a round, invite, answer through the links."""
from __future__ import annotations

from typing import Any

MSF_ANSWER = {"answer_professional_behaviour": "above", "answer_clinical_performance": "meets"}


def open_round(client: Any, evidence_id: int) -> None:
    """The candidate starts the round (their self-assessment is already complete)."""
    response = client.post(f"/feedback/rounds/{evidence_id}/open")
    assert response.status_code == 302, response.data[:500]


def invite(client: Any, evidence_id: int, number: int, group: str, name: str = "Rater") -> None:
    """The candidate asks one colleague."""
    response = client.post(f"/feedback/rounds/{evidence_id}/raters", data={
        "name": f"{name} {number}", "email": f"rater{number}@example.nhs.uk",
        "role": "Practice nurse" if group == "clinical" else "Receptionist", "group": group})
    assert response.status_code == 302, response.data[:3000]


def answer(app: Any, path: str, group: str, comment: str = "") -> Any:
    """A rater, not signed in, answers through their link."""
    rater = app.test_client()
    assert rater.get(path).status_code == 200
    return rater.post(path, data={**MSF_ANSWER, "answer_respondent_group": group,
                                  "answer_highlights": comment})

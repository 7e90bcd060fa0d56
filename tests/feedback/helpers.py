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


# An external assessor as they identify themselves on the public form.
ASSESSOR = {"name": "Dr Ext Assessor", "role": "GP partner", "registration_body": "GMC",
            "registration_number": "7654321", "email": "ext.assessor@example.nhs.uk",
            "declaration": "y"}


def ask_assessor(client: Any, evidence_id: int, email: str, name: str = "Ext Assessor") -> Any:
    """The candidate (signed in on this client) asks a colleague to assess an item."""
    return client.post(f"/feedback/items/{evidence_id}/assessor",
                       data={"name": name, "email": email})


def assessor_form(answers: dict[str, Any], lock_version: int, **identity: str) -> Any:
    """The public assessment form: the assessor's answers, who they are, the lock version."""
    from werkzeug.datastructures import MultiDict

    data = MultiDict({**ASSESSOR, **identity, "lock_version": str(lock_version)})
    for key in [k for k, v in identity.items() if v is None]:
        data.pop(key)
    for code, value in answers.items():
        for one in (value if isinstance(value, list) else [value]):
            if one is not None:
                data.add(f"answer_{code}", str(one))
    return data


def sign_by_ticket(client: Any, link: str, data: Any) -> Any:
    """The assessor completes the form, then, on the page that reads it back, declares (when
    the data says they do) and signs: the form's response if it went no further."""
    response = client.post(link, data=data)
    where = response.headers.get("Location", "")
    if response.status_code != 302 or not where.endswith("/check"):
        return response
    return client.post(where, data={"declaration": "y"} if data.get("declaration") else {})

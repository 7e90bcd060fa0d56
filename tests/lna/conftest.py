"""LNA tests: clients signed in as anyone, and the candidate's analysis sent.

The candidate, providers, reviewers and supervisors (`lna`) come from tests/fixtures/lna.py.
"""
from __future__ import annotations

import io
from typing import Any

import pytest
import sqlalchemy as sa

from tests.fixtures.lna import ANSWERS, PAGE, png


@pytest.fixture
def client_as(app, login):
    """A test client signed in as the person: `client_as(user)`."""
    def sign_in(user: Any) -> Any:
        client = app.test_client()
        login(client, user)
        return client
    return sign_in


@pytest.fixture
def sent(lna, client_as, session):
    """The candidate's analysis, answered, with one uploaded file, and sent; returns it."""
    from roadmap.lna.models import LearningNeedsAnalysis

    client = client_as(lna.candidate)
    assert client.get(PAGE).status_code == 200
    response = client.post(f"{PAGE}/files", data={"file": (io.BytesIO(png()), "msc.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    analysis = session.scalar(sa.select(LearningNeedsAnalysis))
    response = client.post(PAGE, data={**ANSWERS, "lock_version": analysis.lock_version,
                                       "action": "send"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    session.rollback()  # a fresh read: the app committed since
    return session.get(LearningNeedsAnalysis, analysis.id)

"""The fuzz world (the demo and its extras), and clients playing each role in it."""
from __future__ import annotations

from typing import Any, Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from roadmap.exports import jobs
from tests.fixtures.demo import DemoSnapshot
from tests.fuzz import world as worlds


@pytest.fixture
def fuzz_world(app: Flask, session: Session, demo_snapshot: DemoSnapshot) -> worlds.World:
    """The demo hub with live feedback links, a ticket, a signed Stage 2 and account links."""
    # Exports are queued for the worker, as in production: the fuzz attacks the request, and
    # rendering a portfolio for every example would take minutes.
    jobs.queue(app).immediate = False
    return worlds.build(app, session, demo_snapshot)


@pytest.fixture
def player(app: Flask, session: Session, fuzz_world: worlds.World) -> Callable[[str], FlaskClient]:
    """A client playing a role: signed in as that person, or an outsider part-way into sign-in."""

    def play(role: str) -> FlaskClient:
        client = app.test_client()
        if role == "anonymous":
            worlds.half_signed_in(client, fuzz_world.users["supervisor"])
        else:
            worlds.sign_in(app, session, client, fuzz_world.users[role])
        return client

    return play


@pytest.fixture
def restore(app: Flask, session: Session, fuzz_world: worlds.World) -> Callable[..., Any]:
    """Put a player back as it was: active, in its role, signed in."""

    def put_back(client: FlaskClient, role: str) -> None:
        if role == "anonymous":
            worlds.rearm(session, fuzz_world)
            worlds.half_signed_in(client, fuzz_world.users["supervisor"])
        else:
            worlds.restore(app, session, client, fuzz_world, role)

    return put_back

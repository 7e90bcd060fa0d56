"""The live server the browser tests use: a request still running when a test ends finishes,
and returns its database connection, before the test's app is put away."""
from __future__ import annotations

import threading
import time
from urllib.request import urlopen

import sqlalchemy as sa
from flask import Flask

from roadmap.db import Database
from tests.fixtures.apps import ConnectionsOut

from .server import serving


def test_leaving_the_block_waits_for_a_request_still_using_the_database(database_url: str) -> None:
    database = Database(database_url)
    out = ConnectionsOut(database.engine)
    started = threading.Event()
    web = Flask(__name__)

    @web.get("/slow")
    def slow() -> str:
        with database.sessions() as session:
            session.execute(sa.text("SELECT 1"))  # the connection is out of the pool from here
            started.set()
            time.sleep(0.5)
        return "done"

    answers: list[bytes] = []
    with serving(web) as url:
        client = threading.Thread(target=lambda: answers.append(urlopen(f"{url}/slow").read()))
        client.start()
        assert started.wait(10)
    connections_out_after_the_block = out.count
    client.join(timeout=10)
    database.engine.dispose()
    assert connections_out_after_the_block == 0
    assert answers == [b"done"]

"""The archival tests' signing key and the demo candidate's archival PDF, made once per test
process: the render takes seconds, and most tests only read the bytes or tamper with them.

The render depends on the demo's rows (copied row for row into each test's database, so ids,
hashes and the audit chain are the same in every test), the day and the signing key, which is
therefore one per process too. A test whose database must agree with the file (the server
check) asks for the demo's rows as well (the `enrolment` fixture).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from roadmap.credentials import keys
from roadmap.exports import jobs, parallel


@pytest.fixture(scope="module", autouse=True)
def _stop_workers():
    """Each module's render processes stop after it: the next may want another count."""
    yield
    parallel.shutdown()


def no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """Jobs are created and queued, but no worker takes them: they stay queued until a test
    moves them on (a worker busy with someone else's export, or killed)."""
    monkeypatch.setattr(jobs, "queue", lambda app=None: type("Q", (), {
        "enqueue": staticmethod(lambda task: None)})())
    monkeypatch.setattr(jobs, "task", lambda app: type("T", (), {"s": staticmethod(lambda j: j)}))


@pytest.fixture(scope="session")
def archival_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Ed25519 key the archival files of this process are signed with."""
    path = tmp_path_factory.mktemp("archival-keys") / "signing.pem"
    keys.generate(path)
    return path


@pytest.fixture(scope="session")
def archival_renders() -> dict[tuple[str, dt.date], bytes]:
    """The demo candidate's archival PDF by (signing key file, day): filled by `pdf`."""
    return {}

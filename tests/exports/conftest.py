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

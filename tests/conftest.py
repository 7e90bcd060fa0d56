"""The suite's fixtures, gathered from tests/fixtures/: an app on a fresh database per test
(SQLite, or PostgreSQL when asked), people, sign-in, email, the MSK roadmap and a team on it,
education providers waiting to review, a candidate's learning needs analysis, the demo."""
from __future__ import annotations

import pytest

pytest_plugins = ["tests.fixtures.databases", "tests.fixtures.storage", "tests.fixtures.apps",
                  "tests.fixtures.mailbox", "tests.fixtures.msk", "tests.fixtures.providers",
                  "tests.fixtures.lna", "tests.fixtures.demo", "tests.fixtures.collector"]


def pytest_report_header(config: pytest.Config) -> str:
    """Say which database and attachment store the run uses."""
    from tests.fixtures.databases import BACKEND
    from tests.fixtures.storage import STORAGE

    return f"roadmap test database: {BACKEND}; attachments: {STORAGE}"

"""The demo (tests/fixtures/demo.py) on a database of its own for a module whose tests read it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from flask import Flask

from roadmap import create_app, migrate
from tests.fixtures.apps import COMPILED_TEMPLATES, app_settings
from tests.fixtures.demo import DEMO_PASSWORD, DemoSnapshot, put_demo
from tests.fixtures.databases import (BACKEND, empty_database, forget_database,
                                      fresh_postgres_database, run_mark)

PASSWORD = DEMO_PASSWORD
CODE = re.compile(r"^(RM-[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5})  (.+?), (Stage \d[^ ]*)", re.M)


@dataclass
class Built:
    """The app with the demo in its database, and what `roadmap demo` printed."""

    app: Flask
    output: str

    def secret(self, email: str) -> str:
        """The authenticator secret the login table prints for an account."""
        line = next(line for line in self.output.splitlines() if line.startswith(email + " "))
        found = re.search(r"\s([A-Z2-7]{32})\s", line)
        assert found, line
        return found.group(1)

    def codes(self) -> dict[tuple[str, str], str]:
        """(candidate, "Stage 1" or "Stage 2") -> the verification code printed for it."""
        return {(name, stage.rstrip(":")): code for code, name, stage in CODE.findall(self.output)}


@pytest.fixture(scope="module")
def built(migrated_template: str, database_folder: Path, demo_snapshot: DemoSnapshot,
          tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Built]:
    """The demo on a database of the module's own, for tests that read it (and sign in)."""
    folder = tmp_path_factory.mktemp("demo")
    if BACKEND == "postgresql":
        url = fresh_postgres_database(f"roadmap_test_demo_{run_mark()}")
        migrate.upgrade(url)
    else:
        url = empty_database(migrated_template, database_folder, folder.name)
    app = create_app(app_settings(url, folder, request))
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    yield Built(app, put_demo(app, demo_snapshot))
    app.extensions["roadmap.db"].engine.dispose()
    forget_database(url)

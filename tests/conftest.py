"""Fixtures: an app on a fresh database per test (SQLite, or PostgreSQL when asked), factories."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from roadmap import create_app
from roadmap.db import make_engine, utcnow
from roadmap.models import Base

# The suite runs on SQLite by default; with TEST_DATABASE_URL set to a PostgreSQL URL it runs
# on PostgreSQL, in databases it creates beside that one (scripts/test runs both).
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKEND = "postgresql" if POSTGRES_URL.startswith("postgres") else "sqlite"
TEST_PASSWORD = "correct horse battery staple"


def pytest_report_header(config: pytest.Config) -> str:
    """Say which database the run uses."""
    return f"roadmap test database: {BACKEND}"


def postgres_admin_url() -> str:
    """The PostgreSQL URL the tests were given."""
    if not POSTGRES_URL:
        raise pytest.UsageError("TEST_DATABASE_URL must be a PostgreSQL URL")
    return POSTGRES_URL


def fresh_postgres_database(name: str) -> str:
    """Drop and create a PostgreSQL database beside the given one; return its URL."""
    admin = sa.engine.make_url(postgres_admin_url()).set(drivername="postgresql+psycopg")
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin.set(database=name).render_as_string(hide_password=False)


def _worker() -> str:
    """The xdist worker's name, so parallel workers use databases of their own."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database brought to head by the real migrations, once per run (and worker)."""
    from roadmap import migrate

    if BACKEND == "postgresql":
        url = fresh_postgres_database(f"roadmap_test_{_worker()}")
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("template") / "template.sqlite3")
    migrate.upgrade(url)
    return url


def _truncate_postgres(url: str) -> None:
    """Empty every table, triggers off (the audit log refuses TRUNCATE otherwise)."""
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_url(migrated_template: str, tmp_path: Path) -> str:
    """A database at head with no rows, private to this test."""
    if BACKEND == "postgresql":
        _truncate_postgres(migrated_template)
        return migrated_template
    source = Path(sa.engine.make_url(migrated_template).database or "")
    target = tmp_path / "roadmap.sqlite3"
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict[str, Any]:
    """Settings for the test app; tests may change them before asking for `app`."""
    return {"TESTING": True, "DATABASE_URL": database_url, "ARGON2_PROFILE": "fast",
            "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test-secret-key-" + "x" * 32,
            "MAIL_FOLDER": str(tmp_path / "mail")}


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    """The application on this test's database."""
    application = create_app(app_config)
    yield application
    application.extensions["roadmap.db"].engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for HTTP requests."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    """A runner for the `roadmap` CLI commands."""
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A database session for arranging and checking data; commit what others must see."""
    db_session = app.extensions["roadmap.db"].sessions()
    yield db_session
    db_session.rollback()
    db_session.close()


@pytest.fixture
def make_user(session: Session, app: Flask) -> Callable[..., Any]:
    """Create a user with roles and the test password; returns the User."""
    from roadmap.accounts.models import Role
    from roadmap.accounts.service import create_user

    counter = iter(range(1, 10_000))

    def make(email: str | None = None, roles: tuple[str, ...] = ("candidate",),
             full_name: str | None = None, password: str = TEST_PASSWORD,
             hub_id: int | None = None, totp_secret: str | None = None) -> Any:
        number = next(counter)
        user = create_user(session, email or f"user{number}@example.nhs.uk",
                           full_name or f"Test User {number}", [Role(r) for r in roles],
                           password, "fast", hub_id=hub_id)
        if totp_secret:
            user.totp_secret, user.totp_confirmed_at = totp_secret, utcnow()
        session.commit()
        return user

    return make


class QueryCounter:
    """Counts SQL statements sent through an engine while active."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine, self.statements = engine, []

    def _count(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            self.statements.append(statement)

    def __enter__(self) -> "QueryCounter":
        sa.event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc: Any) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._count)

    @property
    def count(self) -> int:
        """How many statements ran."""
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], QueryCounter]:
    """A context manager counting the SQL statements the app sends."""
    return lambda: QueryCounter(app.extensions["roadmap.db"].engine)


@pytest.fixture
def login(session: Session) -> Callable[..., Any]:
    """Sign a user in through the real forms (password, then the app's code where needed)."""
    import pyotp

    def sign_in(client: FlaskClient, user: Any, password: str = TEST_PASSWORD) -> Any:
        response = client.post("/sign-in", data={"email": user.email, "password": password})
        if response.headers.get("Location", "").endswith("/sign-in/code"):
            response = client.post("/sign-in/code",
                                   data={"code": pyotp.TOTP(user.totp_secret).now()})
        assert response.status_code == 302, response.data[:2000]
        return response

    return sign_in


class Mailbox:
    """Messages a real SMTP server on localhost received."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, smtp_session: Any, envelope: Any) -> str:  # noqa: N802
        import email
        from email import policy

        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[Any]:
        """Messages addressed to one recipient."""
        return [m for m in self.messages if m["To"] == address]

    def link(self, message: Any) -> str:
        """The first http(s) link in a message's body, as a path."""
        import re
        from urllib.parse import urlsplit

        match = re.search(r"https?://\S+", message.get_content())
        assert match, message.get_content()
        return urlsplit(match.group(0)).path


@pytest.fixture
def mailbox(app: Flask) -> Iterator[Mailbox]:
    """Start an SMTP server (aiosmtpd) on localhost and send the app's email through it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{port}"
    app.config["BASE_URL"] = "http://roadmap.test"
    yield box
    controller.stop()

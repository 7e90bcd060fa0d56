"""Fixtures: an app on a fresh database per test (SQLite, or PostgreSQL when asked), factories."""
from __future__ import annotations

import os
import shutil
import uuid
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
# Attachments go to a local folder by default; with TEST_STORAGE=s3 every app built from
# `app_config` keeps them in a bucket on a moto S3 server on localhost (one per test worker).
STORAGE = os.environ.get("TEST_STORAGE", "local")
if STORAGE not in {"local", "s3"}:
    raise pytest.UsageError("TEST_STORAGE must be local or s3")
S3_REGION = "eu-west-2"


def pytest_report_header(config: pytest.Config) -> str:
    """Say which database and attachment store the run uses."""
    return f"roadmap test database: {BACKEND}; attachments: {STORAGE}"


def postgres_admin_url() -> str:
    """The PostgreSQL URL the tests were given."""
    if not POSTGRES_URL:
        raise pytest.UsageError("TEST_DATABASE_URL must be a PostgreSQL URL")
    return POSTGRES_URL


# One id per test run, shared by its xdist workers (and by every import of this module, as
# `conftest` and as `tests.conftest`), so two runs on one server never share, or drop, each
# other's databases. Every database a run makes has it in its name, and is dropped at the end.
_RUN = (os.environ.get("PYTEST_XDIST_TESTRUNUID")
        or os.environ.setdefault("TEST_RUN_ID", uuid.uuid4().hex))[:8]


def _admin_engine() -> sa.Engine:
    admin = sa.engine.make_url(postgres_admin_url()).set(drivername="postgresql+psycopg")
    return sa.create_engine(admin, isolation_level="AUTOCOMMIT")


def fresh_postgres_database(name: str) -> str:
    """Drop and create a PostgreSQL database beside the given one; return its URL."""
    engine = _admin_engine()
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return engine.url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session", autouse=True)
def _drop_made_databases() -> Iterator[None]:
    """Leave the server as the run found it: drop the databases this run and worker made."""
    yield
    if BACKEND != "postgresql":
        return
    engine = _admin_engine()
    with engine.connect() as connection:
        made = connection.scalars(sa.text(
            "SELECT datname FROM pg_database WHERE datname LIKE 'roadmap\\_test\\_%' "
            "AND (right(datname, length(:mark)) = :mark OR strpos(datname, :mark || '_') > 0)"),
            {"mark": f"_{_worker()}"}).all()
        for name in made:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def _worker() -> str:
    """This run and xdist worker, so parallel workers and parallel runs use their own databases."""
    return f"{_RUN}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


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


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """An S3 server (moto) on localhost for this worker, fake credentials in the environment.

    The credentials reach the app the way real ones do, through boto3's standard chain.
    """
    from moto.server import ThreadedMotoServer

    fake = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": S3_REGION, "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    saved = {name: os.environ.get(name) for name in [*fake, "AWS_SESSION_TOKEN", "AWS_PROFILE"]}
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE"):
        os.environ.pop(name, None)
    os.environ.update(fake)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def s3_bucket(s3_endpoint: str) -> str:
    """A bucket of this worker's own on the moto server; each test writes under its own prefix."""
    import boto3

    name = f"roadmap-test-{_worker()}".lower()
    boto3.client("s3", endpoint_url=s3_endpoint, region_name=S3_REGION).create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": S3_REGION})
    return name


def storage_settings(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """The attachment store settings of a test app: none (local folder), or a bucket."""
    if STORAGE != "s3":
        return {"ATTACHMENT_DIR": str(tmp_path / "attachments")}
    return {"STORAGE": "s3", "S3_BUCKET": request.getfixturevalue("s3_bucket"),
            "S3_ENDPOINT_URL": request.getfixturevalue("s3_endpoint"),
            "S3_PREFIX": f"{tmp_path.name}/"}


@pytest.fixture
def app_config(database_url: str, tmp_path: Path,
               request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings for the test app; tests may change them before asking for `app`."""
    return {"TESTING": True, "DATABASE_URL": database_url, "ARGON2_PROFILE": "fast",
            "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test-secret-key-" + "x" * 32,
            "MAIL_FOLDER": str(tmp_path / "mail"), **storage_settings(request, tmp_path)}


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
        from roadmap.accounts.models import User

        response = client.post("/sign-in", data={"email": user.email, "password": password})
        if response.headers.get("Location", "").endswith("/sign-in/code"):
            # A code works once: sign in as someone who waited for their app's next code, so a
            # test may sign the same person in twice within one 30-second step. (On a connection
            # of its own: the test's session may hold a read snapshot older than the sign-in.)
            with session.get_bind().engine.begin() as connection:
                connection.execute(sa.update(User).where(User.id == user.id)
                                   .values(totp_last_step=None))
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

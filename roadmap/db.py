"""Engine, session, declarative base, naming convention and SQLite pragmas."""
from __future__ import annotations

import contextvars
import datetime as dt
import logging
import re
from typing import Any, Callable, Optional, TypeVar

import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool

from roadmap import clock

T = TypeVar("T")
log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Set for requests and commands that write: SQLite then takes the write lock at BEGIN,
# so two writers queue on busy_timeout instead of deadlocking into "database is locked".
write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)


# How long an SQLite writer waits for the ones ahead. SQLite's busy handler polls, so it is no
# fair queue: on a slow, busy machine one writer can lose several turns in a row (5 s gave a
# 503 under test load in CI). Half gunicorn's 60 s worker timeout.
SQLITE_BUSY_MS = 30_000


def utcnow() -> dt.datetime:
    """The current moment, timezone-aware, in UTC: the one clock's (roadmap.clock.now)."""
    return clock.now()


class UTCDateTime(sa.types.TypeDecorator):
    """Store aware datetimes as UTC; read them back aware whatever the database keeps."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[dt.datetime], dialect: Any) -> Optional[dt.datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use roadmap.db.utcnow() or an aware value")
        return value.astimezone(dt.timezone.utc)

    def process_result_value(self, value: Optional[dt.datetime], dialect: Any) -> Optional[dt.datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class Base(DeclarativeBase):
    """Declarative base for every model, with the constraint naming convention."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}


# Statements that need SQLite's write lock (a savepoint too: it is taken to write, and a
# later upgrade would release it).
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|SAVEPOINT)\b", re.I)
_READING = "roadmap.sqlite_reading"


def _configure_sqlite(engine: Engine) -> None:
    """Pragmas on every connection; BEGIN taken over so writes wait for the lock, never fail.

    A request that means to write begins IMMEDIATE and queues on busy_timeout. A read begins
    deferred, so readers never queue; if it writes after all (a session touch, a record that
    someone opened something), its reads are committed and the write lock is taken before
    the first write. A deferred read transaction cannot wait to become a writer: SQLite
    refuses it at once with "database is locked" when anyone committed since it began.
    Reads then writes behave as PostgreSQL's default READ COMMITTED does.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = write_intent.get()
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        connection.info[_READING] = not immediate

    @event.listens_for(engine, "before_cursor_execute")
    def _before_write(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if connection.info.get(_READING) and _WRITES.match(statement):
            connection.info[_READING] = False
            raw = connection.connection.dbapi_connection
            raw.execute("COMMIT")  # only reads so far: nothing is lost
            raw.execute("BEGIN IMMEDIATE")  # waits up to busy_timeout for the writer ahead

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection: Any) -> None:
        connection.info[_READING] = False


def make_engine(url: str, echo: bool = False) -> Engine:
    """Create the engine for a URL: SQLite with its pragmas, or PostgreSQL through psycopg 3."""
    sa_url = sa.engine.make_url(url)
    if sa_url.drivername == "postgresql" or sa_url.drivername == "postgres":
        sa_url = sa_url.set(drivername="postgresql+psycopg")
    if sa_url.get_backend_name() == "sqlite":
        engine = sa.create_engine(sa_url, echo=echo, poolclass=NullPool,
                                  connect_args={"timeout": SQLITE_BUSY_MS / 1000})
        _configure_sqlite(engine)
        return engine
    return sa.create_engine(sa_url, echo=echo, pool_pre_ping=True)


class Database:
    """The engine and session factory one application uses."""

    def __init__(self, url: str, echo: bool = False) -> None:
        self.engine = make_engine(url, echo)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        """True when the database is an SQLite file."""
        return self.engine.dialect.name == "sqlite"


def init_app(app: Flask) -> None:
    """Attach the database to the app; one session per request, one commit per request."""
    app.extensions["roadmap.db"] = Database(app.config["DATABASE_URL"], app.config["SQL_ECHO"])
    # Each session knows its app's settings, for the rules that need one outside a request
    # (which key signs a credential when a stage completes).
    app.extensions["roadmap.db"].sessions.configure(info={"settings": app.config})

    @app.before_request
    def _mark_writes() -> None:
        from flask import request
        g.write_token = write_intent.set(request.method not in {"GET", "HEAD", "OPTIONS"})

    @app.after_request
    def _commit(response: Any) -> Any:
        session: Optional[Session] = g.pop("db_session", None)
        if session is not None:
            try:
                if response.status_code < 400:
                    session.commit()
                else:
                    session.rollback()
            finally:
                session.close()
        for work in g.pop("db_apart", []):
            best_effort(work)
        return response

    @app.teardown_request
    def _close(_exc: Optional[BaseException]) -> None:
        session: Optional[Session] = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()
        token = g.pop("write_token", None)
        if token is not None:
            write_intent.reset(token)


def database(app: Optional[Flask] = None) -> Database:
    """The Database of an app (the current one by default)."""
    return (app or current_app).extensions["roadmap.db"]


def get_session() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = database().sessions()
    return g.db_session


def run_committed(work: "Callable[[Session], T]") -> "T":
    """Run a command's work in its own session, commit it, and always close the session."""
    session = database().sessions()
    try:
        result = work(session)
        session.commit()
        return result
    finally:
        session.close()


def after_request_apart(work: "Callable[[Session], object]") -> None:
    """Run work in its own short transaction once the request's own has ended, best effort."""
    g.setdefault("db_apart", []).append(work)


def best_effort(work: "Callable[[Session], object]", wait_ms: int = 1000) -> bool:
    """Run work in its own session and commit it, waiting at most wait_ms for a lock.

    A database error is logged, never raised: what is done this way may be skipped.
    """
    session = database().sessions()
    token = write_intent.set(False)  # begun deferred, so the wait is set before the lock is asked for
    try:
        if session.get_bind().dialect.name == "sqlite":
            session.execute(sa.text(f"PRAGMA busy_timeout={int(wait_ms)}"))
        else:
            session.execute(sa.text(f"SET LOCAL lock_timeout = {int(wait_ms)}"))
        work(session)
        session.commit()
        return True
    except sa.exc.DBAPIError as error:
        session.rollback()
        log.warning("skipped a best-effort write: %s", error.orig or error)
        return False
    finally:
        session.close()
        write_intent.reset(token)


def discard_session() -> None:
    """Roll back and close the request's session, whatever state a failure left it in."""
    session: Optional[Session] = g.pop("db_session", None)
    if session is None:
        return
    try:
        session.rollback()
    except sa.exc.SQLAlchemyError:
        log.warning("could not roll back the failed request's session", exc_info=True)
    finally:
        session.close()


def writes_when_read(view: "Callable[..., T]") -> "Callable[..., T]":
    """Mark a view that writes even on GET (it records who opened what).

    On SQLite the request's transaction then starts with BEGIN IMMEDIATE, so it waits its
    turn for the write lock instead of failing when it upgrades a read to a write. Put it
    outside the access decorator: the sign-in check is the transaction's first statement.
    """
    from functools import wraps

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        token = write_intent.set(True)
        try:
            return view(*args, **kwargs)
        finally:
            write_intent.reset(token)

    return wrapper

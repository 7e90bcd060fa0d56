"""Generate the national dataset and write it fast: COPY on PostgreSQL, big batches on SQLite.

`generate()` is what bench/seed.py runs and what tests/core/test_bench_seed.py runs at a tiny scale.
"""
from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any, Callable, Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bench.portfolios import Framework, portfolio
from bench.world import Ids, World, at, build
from roadmap.audit.service import GENESIS_HASH, event_hash
from roadmap.framework.definitions import scale_levels
from roadmap.framework.models import Capability, EvidenceType, FrameworkVersion, Stage
from roadmap.models import Base

Progress = Callable[[str, int], Callable[[int], None]]  # (label, total) -> advance(n)
BATCH = 5_000


def _quiet(label: str, total: int) -> Callable[[int], None]:
    return lambda n: None


def load_framework(connection: Connection, version_id: int) -> Framework:
    """The framework version as plain data for the generator."""
    types = {t.code: t for t in connection.execute(sa.select(
        EvidenceType.id, EvidenceType.code, EvidenceType.name, EvidenceType.definition)
        .where(EvidenceType.framework_version_id == version_id))}
    capabilities = dict(connection.execute(sa.select(Capability.code, Capability.id).where(
        Capability.framework_version_id == version_id).order_by(Capability.position)).all())
    document, digest = connection.execute(sa.select(FrameworkVersion.document, FrameworkVersion.content_hash)
                                          .where(FrameworkVersion.id == version_id)).one()
    stages = {code: requirements for code, requirements in connection.execute(
        sa.select(Stage.code, Stage.requirements).where(Stage.framework_version_id == version_id))}
    return Framework(types, capabilities, scale_levels(document or {}), stages, digest)


def _offsets(connection: Connection) -> tuple[dict[str, int], int, str]:
    """The highest id in each table with an id, and the audit chain's last id and hash."""
    found = {}
    for table in Base.metadata.sorted_tables:
        if "id" in table.c and isinstance(table.c.id.type, sa.Integer):
            found[table.name] = connection.scalar(sa.select(sa.func.max(table.c.id))) or 0
    last = connection.execute(sa.text("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1")).first()
    return found, (last[0] if last else 0), (last[1] if last else GENESIS_HASH)


def chain(events: list[tuple], last_id: int, last_hash: str) -> Iterator[dict[str, Any]]:
    """The events in time order as audit rows, each hash over its content and the one before."""
    events.sort(key=lambda e: (e[0], e[1]))
    prev = last_hash
    # The generator puts only JSON values (text, numbers, None, lists) in event data, so the
    # data is stored as given; audit.record's round trip through JSON would change nothing.
    for number, (when, _seq, actor, action, stype, sid, enrolment, data) in enumerate(events, last_id + 1):
        digest = event_hash(prev, number, when, actor, action, stype, sid, enrolment, data)
        yield {"id": number, "occurred_at": when, "actor_id": actor, "action": action,
               "subject_type": stype, "subject_id": sid, "enrolment_id": enrolment,
               "data": data, "prev_hash": prev, "hash": digest}
        prev = digest


def _copy(connection: Connection, table: sa.Table, rows: Iterable[dict[str, Any]],
          advance: Callable[[int], None]) -> int:
    """Write rows with PostgreSQL COPY (psycopg 3), JSON columns as text."""
    columns = [c.name for c in table.columns]
    json_columns = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
    raw = connection.connection.driver_connection
    count = 0
    with raw.cursor() as cursor:
        names = ", ".join(f'"{c}"' for c in columns)
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([json.dumps(row.get(c)) if c in json_columns and row.get(c) is not None
                                else row.get(c) for c in columns])
                count += 1
                if count % BATCH == 0:
                    advance(BATCH)
    advance(count % BATCH)
    return count


def _insert(connection: Connection, table: sa.Table, rows: Iterable[dict[str, Any]],
            advance: Callable[[int], None]) -> int:
    """Write rows through SQLAlchemy in big executemany batches (SQLite)."""
    columns = [c.name for c in table.columns]
    batch: list[dict[str, Any]] = []
    count = 0
    for row in rows:
        batch.append({c: row.get(c) for c in columns})
        if len(batch) == BATCH:
            connection.execute(table.insert(), batch)
            count += len(batch)
            advance(len(batch))
            batch = []
    if batch:
        connection.execute(table.insert(), batch)
        count += len(batch)
        advance(len(batch))
    return count


def _reset_sequences(connection: Connection) -> None:
    """PostgreSQL: move each id sequence past the ids written explicitly."""
    for table in Base.metadata.sorted_tables:
        if "id" in table.c and isinstance(table.c.id.type, sa.Integer) and table.c.id.primary_key:
            connection.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"))


def sign_ins(world: World, today: dt.date, now: dt.datetime, rng: random.Random) -> None:
    """Past sign-ins (the app logs each one): about twice a week while a person is active."""
    people = [(c.person.id, c.enrolled_on, c.stage2_on or c.quiet_from or today) for c in world.candidates]
    start = today - dt.timedelta(days=760)
    people += [(s.id, start, today) for s in world.supervisors]
    people += [(lead.id, start, today) for lead, _hub, _cohorts in world.leads]
    for user_id, first, last in people:
        day = first
        while day < last:
            when = min(now, at(day, rng))
            world.event(when, "signin", user_id, "user", user_id, None,
                        {"ip": f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"})
            day += dt.timedelta(days=rng.randint(1, 6))


def generate(connection: Connection, version_id: int, scale: float, today: dt.date,
             password_hash: str, key: str, seed: int = 9,
             progress: Progress = _quiet) -> tuple[dict[str, int], World]:
    """Build the dataset at a scale and write it in the connection's transaction; row counts."""
    fw = load_framework(connection, version_id)
    starts, last_id, last_hash = _offsets(connection)
    ids = Ids(starts)
    world = build(scale, today, password_hash, key, ids, version_id, seed)
    now = dt.datetime.combine(today, dt.time(7), tzinfo=dt.timezone.utc)
    rng = random.Random(seed + 1)
    advance = progress("portfolios", len(world.candidates))
    for candidate in world.candidates:
        portfolio(world, ids, fw, candidate, today, now, rng)
        advance(1)
    sign_ins(world, today, now, rng)
    world.busy = {row["submitted_to_id"] for row in world.rows.get("evidence", [])
                  if row["status"] == "submitted"}
    for row in world.rows.get("evidence", []):
        world.items[row["enrolment_id"]] = world.items.get(row["enrolment_id"], 0) + 1
    postgres = connection.dialect.name == "postgresql"
    write = _copy if postgres else _insert
    written: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        rows = world.rows.pop(table.name, None)
        if table.name == "audit_events":
            rows = chain(world.events, last_id, last_hash)
            total = len(world.events)
        elif rows is None:
            continue
        else:
            total = len(rows)
        written[table.name] = write(connection, table, rows, progress(table.name, total))
    if postgres:
        _reset_sequences(connection)
    return written, world


def accounts(world: World, password: str, key: str, limit: int = 400) -> dict[str, Any]:
    """Sign-in accounts for the load test: candidates, supervisors with work waiting, hub leads."""
    from bench.world import totp_secret

    def entry(email: str, **extra: Any) -> dict[str, Any]:
        return {"email": email, "totp_secret": totp_secret(key, email), **extra}

    busy = world.busy
    active = [c for c in world.candidates if c.status == "active" and c.stage1_on is not None]
    return {
        "password": password, "totp_key": key,
        "candidates": [entry(c.person.email, enrolment_id=c.enrolment_id, items=world.items.get(c.enrolment_id, 0))
                       for c in active[:limit]],
        "supervisors": [entry(s.email) for s in world.supervisors if not busy or s.id in busy][:limit],
        "hub_leads": [entry(lead.email, hub_id=hub, cohorts=cohorts) for lead, hub, cohorts in world.leads],
        "admin": entry(world.admin.email) if world.admin else None,
    }

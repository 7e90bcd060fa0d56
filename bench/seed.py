"""Seed a database with national-scale Roadmap data (issue 9), directly and quickly.

    .venv/bin/python bench/seed.py --scale 1 --database-url postgresql://postgres@127.0.0.1:5432/roadmap_bench_1

--scale is a percentage of the national figures (10,000 candidates, 3,000 supervisors,
42 training hubs, about 240,000 WPBAs a year and millions of audit events). The schema is
made with the real migrations; a database that already holds people is refused unless
--replace is given (which drops everything in it first). Every account has the same password
(one argon2id hash, computed once) and an authenticator secret derived from --key and its
email; the sign-in accounts for bench/load.py are written to --accounts as JSON.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Callable, Optional

import click
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import framework  # noqa: E402
from bench.national import accounts, generate  # noqa: E402
from roadmap import migrate  # noqa: E402
from roadmap.accounts.passwords import hash_password  # noqa: E402
from roadmap.db import make_engine  # noqa: E402

PASSWORD = "bench-password-for-load-tests"


def _has_people(url: str) -> bool:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("users"):
                return False
            return bool(connection.scalar(sa.text("SELECT COUNT(*) FROM users")))
    finally:
        engine.dispose()


def _drop_everything(url: str) -> None:
    """Empty the database completely, so the migrations start from nothing."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        engine.dispose()
        path = Path(sa.engine.make_url(url).database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def _name(url: str) -> str:
    """A short name for a database: PostgreSQL's database name or the SQLite file's stem."""
    parsed = sa.engine.make_url(url)
    name = parsed.database or "database"
    return Path(name).stem if parsed.get_backend_name() == "sqlite" else name


class Bars:
    """One click progress bar per step, opened on first use and closed when the next starts."""

    def __init__(self) -> None:
        self.bar: Optional[object] = None

    def __call__(self, label: str, total: int) -> Callable[[int], None]:
        self.close()
        self.bar = click.progressbar(length=max(total, 1), label=f"{label:<24}", file=sys.stderr,
                                     show_pos=True, width=30)
        self.bar.__enter__()  # type: ignore[attr-defined]
        return self.bar.update  # type: ignore[attr-defined]

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)  # type: ignore[attr-defined]
            self.bar = None


def main(argv: Optional[list[str]] = None) -> int:
    """Parse the options, prepare the database, generate, write, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, choices=(1, 10, 100), required=True,
                        help="percentage of the national figures: 1, 10 or 100")
    parser.add_argument("--database-url", required=True, help="postgresql://... or sqlite:///path")
    parser.add_argument("--replace", action="store_true", help="drop whatever the database holds first")
    parser.add_argument("--accounts", default=None,
                        help="where to write the sign-in accounts JSON (default: instance/bench-accounts-<database>.json)")
    parser.add_argument("--key", default="roadmap-bench", help="derives every account's authenticator secret")
    parser.add_argument("--seed", type=int, default=9, help="random seed (same seed, same data)")
    parser.add_argument("--argon2-profile", default="owasp", choices=("owasp", "fast"))
    args = parser.parse_args(argv)
    url = args.database_url
    if _has_people(url):
        if not args.replace:
            print(f"refusing: {url} already holds people; give --replace to drop everything in it",
                  file=sys.stderr)
            return 2
        _drop_everything(url)
    started = time.perf_counter()
    migrate.upgrade(url)
    engine = make_engine(url)
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        version_id = framework(session).id
        session.commit()
    password_hash = hash_password(PASSWORD, args.argon2_profile)  # once, shared by every account
    bars = Bars()
    today = dt.date.today()
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("SET LOCAL synchronous_commit = off"))
        written, world = generate(connection, version_id, args.scale / 100, today, password_hash,
                                  args.key, args.seed, bars)
        bars.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("ANALYZE"))
    elapsed = time.perf_counter() - started
    target = Path(args.accounts or Path(__file__).resolve().parent.parent / "instance"
                  / f"bench-accounts-{_name(url)}.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({"database_url": url, "scale": args.scale,
                                  **accounts(world, PASSWORD, args.key)}, indent=1))
    print(f"\nseeded {args.scale:g}% on {engine.dialect.name} in {elapsed:.1f} s")
    for name, count in sorted(written.items(), key=lambda item: -item[1]):
        print(f"  {name:<26}{count:>12,}")
    print(f"  {'total rows':<26}{sum(written.values()):>12,}")
    print(f"sign-in accounts for bench/load.py: {target}")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

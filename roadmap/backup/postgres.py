"""PostgreSQL: pg_dump from one exported snapshot; pg_restore piped into psql in one transaction."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Optional

import sqlalchemy as sa

from roadmap.backup.manifest import BackupError, State, read_state
from roadmap.db import make_engine

SAFE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
HEX_HASH = re.compile(r"[0-9a-f]{64}")
CHECK_MARK = "roadmap backup check: "
INSTALL_HINT = ("install the PostgreSQL client tools (Debian: apt-get install postgresql-client"
                "{suffix})")

# Runs first inside the restore's transaction: removes every object of ours in the public
# schema. DROP fires no row or TRUNCATE triggers, so the append-only audit log goes too;
# extension members are left to their extension.
DROP_EVERYTHING = """
DO $roadmap$
DECLARE
  object_name text;
  object_kind text;
BEGIN
  FOR object_name, object_kind IN SELECT format('%I.%I', n.nspname, c.relname),
        CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
          WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                        AND d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'))
      ORDER BY c.relkind = 'S'
  LOOP
    IF to_regclass(object_name) IS NOT NULL THEN  -- an earlier CASCADE may have taken it already
      EXECUTE format('DROP %s %s CASCADE', object_kind, object_name);
    END IF;
  END LOOP;
  FOR object_name IN SELECT p.oid::regprocedure::text FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'public'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                        AND d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', object_name);
  END LOOP;
  FOR object_name IN SELECT format('%I.%I', n.nspname, t.typname) FROM pg_type t
      JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'r')
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                        AND d.objid = t.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP TYPE IF EXISTS %s CASCADE', object_name);
  END LOOP;
END
$roadmap$;
"""


def tool(name: str, server_major: Optional[int] = None) -> tuple[str, int]:
    """The path and major version of a client tool; refused when missing or older than needed."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (or not on PATH); "
                          + INSTALL_HINT.format(suffix=f"-{server_major}" if server_major else ""))
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", output)
    if match is None:
        raise BackupError(f"could not tell the version of {path} (it printed {output.strip()!r})")
    major = int(match.group(1))
    if server_major is not None and major < server_major:
        raise BackupError(f"{name} {major} is older than the PostgreSQL {server_major} server; "
                          + INSTALL_HINT.format(suffix=f"-{server_major}"))
    return path, major


def connection_args(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and an environment carrying it.

    The password goes in PGPASSWORD so that it never shows in the process list.
    """
    parsed = sa.engine.make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def server_major(connection: sa.Connection) -> int:
    """The server's major version (150020 -> 15)."""
    return int(connection.scalar(sa.text("SHOW server_version_num"))) // 10000


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        for line in detail:
            if CHECK_MARK in line:
                raise BackupError("the dump does not hold what the backup's manifest says ("
                                  + line.split(CHECK_MARK, 1)[1].strip()
                                  + "); the restore was rolled back and the database is unchanged")
        summary = " / ".join(detail[-5:]) or f"exit {result.returncode}"
        raise BackupError(f"{what} failed: {summary}")


def dump(url: str, out: Path) -> tuple[State, dict[str, str]]:
    """pg_dump --format=custom into OUT, counting rows in the very snapshot pg_dump reads.

    A REPEATABLE READ transaction exports its snapshot and stays open while pg_dump imports
    it, so the manifest's counts and the dump agree however busy the application is.
    """
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                major = server_major(connection)
                pg_dump, tool_major = tool("pg_dump", major)
                snapshot = connection.scalar(sa.text("SELECT pg_export_snapshot()"))
                state = read_state(connection)
                conninfo, env = connection_args(url)
                _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", "--no-password",
                      f"--file={out}", f"--dbname={conninfo}"], env, "pg_dump")
    finally:
        engine.dispose()
    return state, {"server": str(major), "pg_dump": str(tool_major)}


def manifest_checks(tables: dict[str, int], last_audit_hash: Optional[str]) -> str:
    """SQL that aborts the restore's transaction when the dump differs from the manifest:
    a table's row count, or the last audit event's hash."""
    lines = ["DO $roadmap$", "DECLARE found bigint;", "BEGIN"]
    for table, expected in sorted(tables.items()):
        if not SAFE_NAME.fullmatch(table) or not isinstance(expected, int):
            raise BackupError(f"the backup's manifest names an impossible table: {table!r}")
        lines += [
            f"  IF to_regclass('public.\"{table}\"') IS NULL THEN",
            f"    RAISE EXCEPTION '{CHECK_MARK}table {table}: the manifest lists it, "
            "the dump lacks it';",
            "  END IF;",
            f"  SELECT count(*) INTO found FROM public.\"{table}\";",
            f"  IF found <> {expected} THEN",
            f"    RAISE EXCEPTION '{CHECK_MARK}table {table}: the manifest says {expected} rows, "
            "the dump holds % rows', found;",
            "  END IF;",
        ]
    if "audit_events" in tables:
        if last_audit_hash is not None and not HEX_HASH.fullmatch(last_audit_hash):
            raise BackupError("the backup's manifest holds an impossible audit hash")
        expected = f"'{last_audit_hash}'" if last_audit_hash else "NULL"
        lines += [
            "  IF (SELECT hash FROM public.audit_events ORDER BY id DESC LIMIT 1) "
            f"IS DISTINCT FROM {expected} THEN",
            f"    RAISE EXCEPTION '{CHECK_MARK}the last audit event''s hash differs from the "
            "manifest''s';",
            "  END IF;",
        ]
    return "\n".join(lines + ["END", "$roadmap$;", ""])


def restore(url: str, dump_file: Path, dump_major: Optional[int], tables: dict[str, int],
            last_audit_hash: Optional[str]) -> None:
    """Replace everything in the public schema with the dump, all in one transaction.

    pg_restore turns the dump into an SQL script; psql runs DROP_EVERYTHING, then the script,
    inside one BEGIN ... COMMIT and stops at the first error, so a failed restore leaves the
    database exactly as it was.
    """
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            major = server_major(connection)
    finally:
        engine.dispose()
    pg_restore, restore_major = tool("pg_restore", major)
    if dump_major and restore_major < dump_major:
        raise BackupError(f"the backup was made with pg_dump {dump_major}, and pg_restore "
                          f"{restore_major} cannot read it; "
                          + INSTALL_HINT.format(suffix=f"-{dump_major}"))
    psql, _ = tool("psql", major)
    conninfo, env = connection_args(url)
    prefix, script = dump_file.with_name("drop-everything.sql"), dump_file.with_name("restore.sql")
    prefix.write_text(DROP_EVERYTHING, encoding="utf-8")
    # Last inside the transaction: a dump that does not hold what the manifest says rolls back.
    checks = dump_file.with_name("check-manifest.sql")
    checks.write_text(manifest_checks(tables, last_audit_hash), encoding="utf-8")
    # The whole script first: were pg_restore piped straight into psql and stopped halfway,
    # psql would commit the half it had read.
    _run([pg_restore, "--no-owner", "--no-acl", f"--file={script}", str(dump_file)], env,
         "pg_restore (reading the dump)")
    _run([psql, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction",
          "--no-password", f"--dbname={conninfo}", f"--file={prefix}", f"--file={script}",
          f"--file={checks}", f"--output={os.devnull}"], env, "the restore (psql)")

"""Run Roadmap (with the bare Flask app at /bare) under gunicorn on loopback for a benchmark.

Worker choice for 2 cores: 2 gthread workers (one process per core, so Python's GIL never
caps us at one core) with 4 threads each, so a request waiting on PostgreSQL or on argon2
(which releases the GIL) does not hold up the next one. More processes than cores would
only add context switches and memory beside PostgreSQL and locust on the same two cores.
"""
from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def find_accounts(database_url: str, given: Optional[str] = None) -> dict[str, Any]:
    """The sign-in accounts bench/seed.py wrote for this database."""
    candidates = [Path(given)] if given else sorted((ROOT / "instance").glob("bench-accounts-*.json"))
    for path in candidates:
        if path.is_file():
            data = json.loads(path.read_text())
            if given or data.get("database_url") == database_url:
                data["_path"] = str(path)
                return data
    raise SystemExit(f"no accounts file for {database_url}: run bench/seed.py first, or give --accounts")


class Server:
    """gunicorn serving bench/wsgi.py against a database, started and stopped by us."""

    def __init__(self, database_url: str, workers: int = 2, threads: int = 4) -> None:
        self.database_url, self.workers, self.threads = database_url, workers, threads
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.folder = tempfile.TemporaryDirectory(prefix="roadmap-load-")
        self.process: Optional[subprocess.Popen[bytes]] = None

    def __enter__(self) -> "Server":
        folder = Path(self.folder.name)
        env = {k: v for k, v in os.environ.items() if not k.startswith("ROADMAP_")}
        env.update(ROADMAP_DATABASE_URL=self.database_url, ROADMAP_SECRET_KEY=secrets.token_hex(32),
                   ROADMAP_MAIL_FOLDER=str(folder / "mail"), ROADMAP_ATTACHMENT_DIR=str(folder / "files"),
                   ROADMAP_EXPORT_DIR=str(folder / "exports"), ROADMAP_BASE_URL=self.url)
        self.log = open(folder / "gunicorn.log", "wb")
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--chdir", str(ROOT), "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--worker-class", "gthread", "--threads", str(self.threads),
             "--log-level", "warning", "bench.wsgi:app"], env=env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
            if self.process.poll() is not None:
                break
        self.__exit__()
        raise SystemExit(f"gunicorn did not start; its log: {folder / 'gunicorn.log'}")

    def __exit__(self, *_: Any) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()
        self.folder.cleanup()


def _cpu(pid: int) -> float:
    """CPU seconds (user and system) a process has used, from /proc; 0 once it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class CpuMeter:
    """Samples, once a second, the CPU used by gunicorn's processes and by the database's
    server processes for our database, so the cost per request can be told apart from the
    load other programs put on the machine."""

    def __init__(self, server: Server) -> None:
        import threading

        self.server, self.samples = server, []  # (time, app seconds, database seconds)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._db_pids: set[int] = set()

    def _database_pids(self) -> set[int]:
        import psycopg
        import sqlalchemy as sa

        url = sa.engine.make_url(self.server.database_url)
        if url.get_backend_name() != "postgresql":
            return set()
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(plain, autocommit=True) as connection:
            return {row[0] for row in connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (url.database,))}

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            assert self.server.process is not None
            master = self.server.process.pid
            self._db_pids |= self._database_pids()
            self.samples.append((time.time(), sum(_cpu(p) for p in [master, *_children(master)]),
                                 sum(_cpu(p) for p in self._db_pids)))

    def __enter__(self) -> "CpuMeter":
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._stop.set()
        self._thread.join()

    def between(self, start: float, end: float) -> tuple[float, float]:
        """CPU seconds of the app and of the database from one moment to another."""
        inside = [s for s in self.samples if start <= s[0] <= end] or self.samples[-1:]
        first, last = inside[0], inside[-1]
        return last[1] - first[1], last[2] - first[2]

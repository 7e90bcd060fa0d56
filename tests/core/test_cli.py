"""The `roadmap` command as scripts use it: help with no settings, output alone on stdout and
logs on stderr, one line for a database that is not set up, and exit 0 on success every time."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import click
import pypdf
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from click.testing import CliRunner

from roadmap import migrate
from roadmap.__main__ import main
from roadmap.cli import WITHOUT_SCHEMA, commands
from roadmap.db import make_engine
from tests.fixtures.databases import BACKEND, fresh_postgres_database, run_mark

ROOT = Path(__file__).resolve().parents[2]
SECRET = "command-line-test-secret-" + "z" * 32
NOT_SET_UP = "Error: The database is not set up: run `roadmap db upgrade` first.\n"
BEHIND = "Error: The database is behind this version of Roadmap: run `roadmap db upgrade` first.\n"

# Walks the whole command tree inside one clean process (a process per command would take a
# minute here) and reports each command's --help: exit code and first line.
WALK_HELP = """
import json, click
from click.testing import CliRunner
from roadmap.__main__ import main

def paths(group, ctx, prefix):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield [*prefix, name]
        if isinstance(command, click.Group):
            yield from paths(command, ctx, [*prefix, name])

with click.Context(main, info_name="roadmap") as ctx:
    found = [[], *paths(main, ctx, [])]
report = {}
for path in found:
    result = CliRunner().invoke(main, [*path, "--help"], prog_name="roadmap")
    report[" ".join(path)] = [result.exit_code, result.output]
print(json.dumps(report))
"""


def _bare(home: Path) -> dict[str, str]:
    """No settings at all: only PATH and HOME, and where this checkout's code is."""
    return {"PATH": os.environ["PATH"], "HOME": str(home), "PYTHONPATH": str(ROOT)}


def _settings(app_config: dict[str, Any], tmp_path: Path, **more: str) -> dict[str, str]:
    """The environment of a production command on this test's database and attachment store."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith("ROADMAP_")}
    store = {f"ROADMAP_{key}": str(app_config[key]) for key in
             ("STORAGE", "S3_BUCKET", "S3_ENDPOINT_URL", "S3_PREFIX") if key in app_config}
    return {**keep, "PYTHONPATH": str(ROOT), "ROADMAP_ENV": "production",
            "ROADMAP_BASE_URL": "https://roadmap.example.nhs.uk",
            "ROADMAP_SECRET_KEY": SECRET, "ROADMAP_DATABASE_URL": app_config["DATABASE_URL"],
            "ROADMAP_ATTACHMENT_DIR": str(tmp_path / "attachments"),
            "ROADMAP_EXPORT_DIR": str(tmp_path / "exports"),
            "ROADMAP_MAIL_FOLDER": str(tmp_path / "mail"), **store, **more}


def _roadmap(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `roadmap ARGS` in its own process, as a script would."""
    return subprocess.run([sys.executable, "-m", "roadmap", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=180, check=False)


def _log_lines(stderr: str) -> list[dict[str, Any]]:
    """Every stderr line, each of which must be one JSON log record."""
    return [json.loads(line) for line in stderr.splitlines() if line.strip()]


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    return {**app_config, "ATTACHMENT_DIR": str(tmp_path / "attachments"),
            "EXPORT_DIR": str(tmp_path / "exports")}


def test_roadmap_help_lists_every_command_with_no_settings(tmp_path: Path) -> None:
    result = _roadmap(_bare(tmp_path), tmp_path, "--help")
    assert result.returncode == 0 and result.stderr == ""
    listed = result.stdout.split("Commands:")[1]
    for name in ("audit", "backup", "db", "demo", "export", "feedback", "framework", "notify",
                 "restore", "serve", "users", "run"):
        assert f"\n  {name} " in listed
    assert list(tmp_path.iterdir()) == [], "help writes nothing"


def test_every_subcommand_help_works_with_no_settings(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", WALK_HELP], env=_bare(tmp_path), cwd=tmp_path,
                            capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"db upgrade", "framework show", "export pdf", "export worker", "users create",
            "backup", "restore", "serve"} <= set(report)
    for path, (code, output) in report.items():
        assert code == 0, f"roadmap {path} --help: {output}"
        assert output.startswith(f"Usage: roadmap {path}".rstrip() + " "), path
        assert "Roadmap cannot start" not in output


def test_json_output_is_json_alone_with_the_logs_on_stderr(runner: Any, app_config: dict[str, Any],
                                                           tmp_path: Path) -> None:
    assert runner.invoke(args=["framework", "load"]).exit_code == 0
    result = _roadmap(_settings(app_config, tmp_path), tmp_path,
                      "framework", "show", "msk-fcp", "--json")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["slug"] == "msk-fcp" and len(shown["domains"]) == 4
    logged = _log_lines(result.stderr)
    assert logged and all({"time", "level", "logger", "message"} <= set(line) for line in logged)


def test_the_export_worker_logs_on_stderr_and_stops_cleanly(app_config: dict[str, Any],
                                                            tmp_path: Path) -> None:
    errors = tmp_path / "worker.log"
    with errors.open("w") as sink:
        worker = subprocess.Popen([sys.executable, "-m", "roadmap", "export", "worker"],
                                  env=_settings(app_config, tmp_path), cwd=tmp_path,
                                  stdout=subprocess.PIPE, stderr=sink, text=True)
    try:
        deadline = time.monotonic() + 120
        while "export worker ready" not in errors.read_text() and worker.poll() is None:
            assert time.monotonic() < deadline, errors.read_text()
            time.sleep(0.2)
        worker.send_signal(signal.SIGTERM)
        stdout, _ = worker.communicate(timeout=60)
    finally:
        worker.kill()
    assert worker.returncode == 0, errors.read_text()
    assert stdout == ""
    messages = [line["message"] for line in _log_lines(errors.read_text())]
    assert "export worker ready: waiting for jobs" in messages
    assert messages[-1] == "export worker stopped"


@pytest.fixture
def blank_database(tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all, of the run's kind (dropped with the run's others)."""
    if BACKEND == "postgresql":
        yield fresh_postgres_database(f"roadmap_test_{run_mark()}_cli_blank")
    else:
        yield f"sqlite:///{tmp_path / 'blank.sqlite3'}"


def _one_before_head() -> str:
    script = ScriptDirectory.from_config(migrate.alembic_config(""))
    [head] = script.get_heads()
    down = script.get_revision(head).down_revision
    assert isinstance(down, str)
    return down


@pytest.mark.parametrize("state, args, expected", [
    ("blank", ["export", "worker"], NOT_SET_UP),
    ("behind", ["audit", "verify"], BEHIND),
])
def test_a_database_not_at_head_gets_one_line_and_exit_2(
        blank_database: str, app_config: dict[str, Any], tmp_path: Path,
        state: str, args: list[str], expected: str) -> None:
    if state == "behind":
        migrate.upgrade(blank_database, _one_before_head())
    env = _settings({**app_config, "DATABASE_URL": blank_database}, tmp_path)
    result = _roadmap(env, tmp_path, *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert [line for line in result.stderr.splitlines() if not line.startswith("{")] == [
        expected.rstrip("\n")]


def test_a_database_upgraded_by_newer_code_is_named_not_touched(blank_database: str) -> None:
    engine = make_engine(blank_database)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
        connection.execute(sa.text("INSERT INTO alembic_version VALUES ('f00dcafe0001')"))
    with engine.connect() as connection:
        problem = migrate.schema_problem(connection)
    engine.dispose()
    assert problem == ("The database was upgraded by a newer version of Roadmap (revision "
                       "f00dcafe0001): run this command with that version.")


def _leaves(command: click.Command, path: str = "") -> Iterator[str]:
    name = f"{path} {command.name}".strip()
    if isinstance(command, click.Group):
        for child in command.commands.values():
            yield from _leaves(child, name)
    else:
        yield name


# One invocation of every command that needs the schema, with valid arguments.
NEEDS_SCHEMA = {
    "framework load": ["framework", "load"],
    "framework list": ["framework", "list"],
    "framework show": ["framework", "show", "msk-fcp"],
    "users create": ["users", "create", "--email", "new@example.nhs.uk", "--role", "admin"],
    "users disable": ["users", "disable", "new@example.nhs.uk"],
    "audit verify": ["audit", "verify"],
    "notify reminders": ["notify", "reminders"],
    "feedback remind": ["feedback", "remind"],
    "demo": ["demo"],
    "export pdf": ["export", "pdf", "--email", "candidate1@example.nhs.uk", "--out", "c.pdf"],
    "export zip": ["export", "zip", "--email", "candidate1@example.nhs.uk", "--out", "c.zip"],
    "export worker": None,  # runs until stopped: checked in its own process above
    "credential revoke": ["credential", "revoke", "nobody", "--reason", "a test"],
}


def test_every_command_that_needs_the_schema_checks_it_first(
        blank_database: str, app_config: dict[str, Any], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    ours = {path for command in commands() for path in _leaves(command)}
    free = {path for path in ours
            if any(path == name or path.startswith(f"{name} ") for name in WITHOUT_SCHEMA)}
    assert ours - free == set(NEEDS_SCHEMA), "a new command: say here how to run it"
    for name in [k for k in os.environ if k.startswith("ROADMAP_")]:
        monkeypatch.delenv(name)
    env = _settings({**app_config, "DATABASE_URL": blank_database}, tmp_path)
    monkeypatch.chdir(tmp_path)
    for path, args in NEEDS_SCHEMA.items():
        if args is None:
            continue
        result = CliRunner().invoke(main, args, env={k: v for k, v in env.items()
                                                      if k.startswith("ROADMAP_")})
        assert result.exit_code == 2 and result.stdout == "", path
        assert NOT_SET_UP.rstrip("\n") in result.stderr.splitlines(), path
    assert not (tmp_path / "mail").exists(), "nothing was sent"


def test_export_check_needs_the_schema_only_to_ask_the_service(
        blank_database: str, app_config: dict[str, Any], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A verifier checks a file offline with no database; asking the service needs its schema."""
    for name in [k for k in os.environ if k.startswith("ROADMAP_")]:
        monkeypatch.delenv(name)
    env = {k: v for k, v in _settings({**app_config, "DATABASE_URL": blank_database},
                                      tmp_path).items() if k.startswith("ROADMAP_")}
    file = tmp_path / "portfolio.pdf"
    file.write_bytes(b"not a pdf at all")
    offline = CliRunner().invoke(main, ["export", "check", str(file), "--offline"], env=env)
    assert offline.exit_code == 1 and "The file is not a PDF." in offline.output
    online = CliRunner().invoke(main, ["export", "check", str(file)], env=env)
    assert online.exit_code == 2
    assert "The database is not set up" in online.stderr and "--offline" in online.stderr


def test_export_pdf_exits_0_every_time(team: Any, app_config: dict[str, Any],
                                       tmp_path: Path) -> None:
    """The PDF export used to crash at exit (exit 139) in about half the runs, file written."""
    email = team.candidate.email  # the smallest portfolio: nothing in it yet

    def export(run: int) -> None:
        """One `roadmap export pdf` in its own process, checked."""
        # A fresh export folder each time, so nothing comes from the rendered-part cache and
        # every run lays out and writes with WeasyPrint; one renderer process is the fastest.
        out = tmp_path / f"portfolio-{run}.pdf"
        env = _settings(app_config, tmp_path, ROADMAP_EXPORT_WORKERS="1",
                        ROADMAP_EXPORT_DIR=str(tmp_path / f"exports-{run}"))
        result = _roadmap(env, tmp_path, "export", "pdf", "--email", email, "--out", str(out))
        assert result.returncode == 0, f"run {run + 1}: exit {result.returncode} {result.stderr}"
        assert result.stdout.startswith(f"wrote {out} (") and result.stdout.count("\n") == 1
        assert len(pypdf.PdfReader(out).pages) > 1

    # Each run costs what starting any export costs (imports, fonts, WeasyPrint's set-up: about
    # 6 s of CPU), whatever the portfolio: two at a time, each its own process as before. Four
    # runs, not twenty: with the fix removed (release_caches made a no-op) the crash no longer
    # happened in 6 of 6 runs on the libraries of December 2026, so more runs bought no more
    # certainty, only two minutes of the suite's time.
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(export, range(4)))


def test_export_pdf_to_a_missing_folder_says_so_in_one_line(team: Any, app_config: dict[str, Any],
                                                             tmp_path: Path) -> None:
    out = tmp_path / "no-such-folder" / "portfolio.pdf"
    result = _roadmap(_settings(app_config, tmp_path), tmp_path, "export", "pdf",
                      "--email", team.candidate.email, "--out", str(out))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"cannot write {out}: the folder" in result.stderr and not out.exists()

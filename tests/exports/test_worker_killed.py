"""A job worker killed outright (`kill -9`, the out-of-memory killer) leaves no process behind:
its fork server, render processes and resource tracker would otherwise stay up, re-parented to
init, holding about 400 MB until someone finds them (a clean SIGTERM always stopped them)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _processes() -> dict[int, tuple[int, str]]:
    """Every live process on the machine: pid -> (parent pid, start time). Zombies count as
    gone: nothing is left of them but their exit status."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # the name may hold spaces and brackets
        if fields[0] != "Z":
            found[int(entry.name)] = (int(fields[1]), fields[19])
    return found


def _descendants(pid: int) -> dict[int, tuple[int, str]]:
    """The processes below `pid`, each with its parent and start time (a pid may be reused)."""
    processes, below, level = _processes(), {}, {pid}
    while level:
        level = {child for child, (parent, _) in processes.items() if parent in level}
        below.update({child: processes[child] for child in level})
    return below


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:160].decode()
    except OSError:
        return "(gone)"


def test_a_worker_killed_outright_takes_its_render_processes_with_it(
        app_config: dict[str, Any], tmp_path: Path) -> None:
    settings = {"DATABASE_URL": app_config["DATABASE_URL"], "EXPORT_DIR": str(tmp_path / "exports"),
                "ATTACHMENT_DIR": str(tmp_path / "attachments"),
                "MAIL_FOLDER": str(tmp_path / "mail"), "EXPORT_WORKERS": "2"}
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("ROADMAP_")},
           "PYTHONPATH": str(ROOT), "ROADMAP_ENV": "development",
           **{f"ROADMAP_{key}": value for key, value in settings.items()}}
    log = tmp_path / "export-worker.log"
    with log.open("w") as sink:
        worker = subprocess.Popen([sys.executable, "-m", "roadmap", "export", "worker"], env=env,
                                  cwd=tmp_path, stdout=sink, stderr=subprocess.STDOUT)
    try:
        deadline, settled = time.monotonic() + 120, 0
        # Ready, with a render process under the fork server (two levels down), seen on two
        # looks half a second apart: while the fork server imports WeasyPrint, a short-lived
        # program it runs (ctypes looking for a library) is two levels down for a moment.
        while settled < 2:
            below = _descendants(worker.pid)
            ready = "waiting for jobs" in log.read_text() and len(below) >= 3 and any(
                parent != worker.pid for parent, _ in below.values())
            settled = settled + 1 if ready else 0
            assert worker.poll() is None and time.monotonic() < deadline, (below, log.read_text())
            time.sleep(0.5)
        below = _descendants(worker.pid)
        assert len(below) >= 3, below  # resource tracker, fork server, a render process
        worker.kill()
        worker.wait()
        deadline = time.monotonic() + 5
        while True:
            processes = _processes()
            left = {pid for pid, (_, started) in below.items()
                    if processes.get(pid, (0, ""))[1] == started}
            if not left or time.monotonic() > deadline:
                break
            time.sleep(0.1)
    finally:
        worker.kill()
        worker.wait()
    survivors = {pid: _command(pid) for pid in left}
    for pid in left:  # after a failure, not for the rest of the machine's uptime
        os.kill(pid, signal.SIGKILL)
    assert not survivors, survivors

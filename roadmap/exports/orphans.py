"""Render processes end with the process they render for, however that process ends.

The render pool (parallel.py) runs in processes forked by multiprocessing's fork server, and
each of them holds the pipes that keep the fork server and the resource tracker running. A job
worker that stops cleanly shuts the pool down; one killed outright (kill -9, the out-of-memory
killer) left all three running, re-parented to init, about 400 MB until someone noticed.

So each render process watches the process that made the pool and exits as soon as it has
ended. Their pipes close with them; the fork server (which exits when no process holds its
"alive" pipe any more) and the resource tracker (which exits when its pipe closes) follow.

Why not prctl(PR_SET_PDEATHSIG): that signal comes when the parent *thread* ends, not the
parent process. The fork server's parent thread is whichever thread first hands a part to the
pool (in the worker, a warm-up thread that ends within seconds: the signal would break the
pool), and a render process's parent is the fork server, not the worker.

Linux only: a pidfd (Linux 5.3) becomes readable when its process ends, with no polling and
no pid reuse. Where there is none, nothing changes.
"""
from __future__ import annotations

import os
import select
import threading


def exit_with(pid: int) -> None:
    """Exit this process as soon as process `pid` has ended (the pool's initializer).

    Never raises: an initializer that raises breaks the whole pool, and every export with it.
    """
    try:
        watched = os.pidfd_open(pid)
    except ProcessLookupError:  # it ended before this process got here
        os._exit(1)
    except (AttributeError, OSError):  # not Linux, or a kernel without pidfds
        return
    try:
        threading.Thread(target=_exit_when_readable, args=(watched,), daemon=True,
                         name="exit-with-parent").start()
    except RuntimeError:  # no thread to spare: render unwatched rather than not at all
        os.close(watched)


def _exit_when_readable(watched: int) -> None:
    select.select([watched], [], [])
    os._exit(1)

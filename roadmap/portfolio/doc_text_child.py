"""The child that reads an uploaded document's text: `python -m roadmap.portfolio.doc_text_child
<media type> <seconds>`, the file's bytes on stdin, the text as JSON on stdout.

It runs in a fresh interpreter (roadmap.portfolio.doc_text starts it with subprocess), never a
fork of the worker: a gunicorn gthread worker has other threads, and a forked copy inherits
their locks held (logging's, the import lock, a database pool's) with nobody left to release
them, so the child can hang before it reads a byte. A new interpreter shares no lock, no
database connection and no secret in the environment (it is given none).

First thing, before it imports a parser or reads the file, it limits itself: address space
(a bomb that balloons dies with MemoryError, not the machine), CPU seconds (a file that spins is
killed by the kernel even if the parent's timer failed), no file it could write, few open files.
Whatever goes wrong, it answers "could not be read"; it exits non-zero only if it cannot answer.
"""
from __future__ import annotations

import resource
import sys

MEMORY = 768 * 1024 * 1024  # bytes of address space: the interpreter, pypdf and the file, twice
OPEN_FILES = 64


def limit(seconds: float) -> None:
    """The child's own limits, set before anything hostile is touched."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    cpu = int(seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (OPEN_FILES, OPEN_FILES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(argv: list[str]) -> int:
    """Read stdin's bytes as the media type named, within the seconds named; print the JSON."""
    media_type, seconds = argv[0], float(argv[1])
    limit(seconds)
    import json

    from roadmap.portfolio import doc_text

    try:
        data = sys.stdin.buffer.read()
        answer = doc_text.as_json(doc_text.read(data, media_type, seconds))
    except BaseException:  # noqa: BLE001  hostile bytes, MemoryError: the same answer
        answer = json.dumps({"unreadable": "it could not be read"})
    sys.stdout.write(answer)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""What a real browser needs: the app served on 127.0.0.1 and a free port, and Chromium's flags."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Iterator

from flask import Flask
from werkzeug.serving import ThreadedWSGIServer

# Headless Debian Chromium on a closed network: without these it floods it with requests at start.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
FINISH_SECONDS = 10.0  # how long the connections still open at the end may take to finish


class LiveServer(ThreadedWSGIServer):
    """Werkzeug's threaded server, counting the connections it is still handling.

    Each connection is handled in a thread of its own that nobody waits for: one still running
    when the test ends (a request the page sent as it closed) would return its database
    connection to the pool after the app's engine was disposed, to the old pool, which the
    garbage collector then finds holding an open psycopg connection, in some later test.
    """

    def __init__(self, app: Flask) -> None:
        super().__init__("127.0.0.1", 0, app)
        self.open_connections = 0
        self.changed = threading.Condition()

    def process_request(self, request: Any, client_address: Any) -> None:
        """Counted here, in the serving thread: once `shutdown` returns, every connection
        taken is counted, whether or not its thread has started."""
        with self.changed:
            self.open_connections += 1
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._finished()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._finished()

    def _finished(self) -> None:
        with self.changed:
            self.open_connections -= 1
            self.changed.notify_all()

    def finish(self, timeout: float) -> int:
        """Wait until every connection is finished, at most `timeout` seconds; how many are
        still open."""
        with self.changed:
            self.changed.wait_for(lambda: self.open_connections == 0, timeout)
            return self.open_connections


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve the app in a thread while the block runs; yields its base URL.

    On leaving, waits for the requests still being handled, so none uses the app's database
    after the test (which disposes of the app's engine then).
    """
    server = LiveServer(app)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        still_open = server.finish(FINISH_SECONDS)
        server.server_close()
        if still_open:
            raise RuntimeError(f"the live server still handled {still_open} connection(s) "
                               f"{FINISH_SECONDS:.0f} s after the test ended")

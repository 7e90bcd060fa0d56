"""Send one fuzz request as a browser or a script would, and keep what went wrong."""
from __future__ import annotations

import functools
import io
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import quote_plus

from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import EnvironBuilder, stream_encode_multipart

from tests.fuzz.crawl import Variant

ROADMAP = Path(__file__).resolve().parents[2] / "roadmap"
Pairs = list[tuple[str, Any]]


@functools.lru_cache(maxsize=16)
def _quoted_big(value: Any) -> str:
    """A huge value (hostile.BIG, LONG_QUERY) percent-encoded once a run, not once a request:
    encoding three megabytes of CJK costs what a small request does."""
    return quote_plus(value)


def _quoted(value: Any) -> str:
    return _quoted_big(value) if len(value) > 1000 else quote_plus(value)


def request(method: str, path: str, pairs: Pairs, multipart: bool) -> EnvironBuilder:
    """The request, repeated names and raw bytes kept; files as uploads."""
    if method == "GET":
        query = "&".join(f"{quote_plus(k)}={_quoted(v)}" for k, v in pairs)
        return EnvironBuilder(path=path, query_string=query)
    if multipart or any(isinstance(v, tuple) for _, v in pairs):
        data = MultiDict()
        for name, value in pairs:
            if isinstance(value, tuple):
                value = FileStorage(io.BytesIO(value[0]), filename=value[1])
            elif isinstance(value, bytes):
                value = value.decode("latin-1")
            data.add(name, value)
        # Encoded in memory: the test client's own encoder leaves a temporary file open for
        # bodies over 500 kB (werkzeug issue 1785).
        stream, length, boundary = stream_encode_multipart(data, use_tempfile=False)
        return EnvironBuilder(path=path, method="POST", input_stream=stream, content_length=length,
                              content_type=f"multipart/form-data; boundary={boundary}")
    body = "&".join(f"{quote_plus(k)}={_quoted(v)}" for k, v in pairs)
    return EnvironBuilder(path=path, method="POST", data=body,
                          content_type="application/x-www-form-urlencoded")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}...({len(value)} long)"


def _where(error: BaseException) -> str:
    """The deepest line of our own code the error passed through."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if str(ROADMAP) in f.filename]
    if not frames:
        return "outside roadmap/"
    last = frames[-1]
    return f"{Path(last.filename).relative_to(ROADMAP.parent)}:{last.lineno}"


@dataclass
class Sender:
    """Sends a target's requests with one client; keeps the first example of each failure.

    `after_success` runs after a request the app accepted, to undo what cannot be reused
    (a one-time link, the player's own session or rights)."""

    client: Any
    after_success: Callable[[], None]
    found: dict[str, str] = field(default_factory=dict)

    def send(self, method: str, variant: Variant, pairs: Pairs) -> Optional[bool]:
        """Send; None when the request cannot even be encoded (no server would receive it)."""
        try:
            builder = request(method, variant.path, pairs, variant.multipart)
        except (ValueError, TypeError):
            return None
        sent = f"{method} {variant.path} " + ", ".join(f"{k}={_short(v)}" for k, v in pairs)
        try:
            response = self.client.open(builder)
        except Exception as error:  # noqa: BLE001  (the app raised: that is the finding)
            key = f"{type(error).__name__} at {_where(error)}"
            self.found.setdefault(key, f"{key}: {str(error)[:200]}\n    {sent}")
            return False
        response.close()  # a streamed download holds its file open until closed
        if response.status_code >= 500:
            self.found.setdefault(str(response.status_code), f"{response.status_code}\n    {sent}")
            return False
        if response.status_code < 400 and method == "POST":
            self.after_success()
        return True

"""File names for downloads: whose, what and when, so a folder of them still makes sense.

`Content-Disposition` carries two names: a plain ASCII one every browser understands, and the
UTF-8 one (RFC 6266, `filename*`) that keeps accents and other scripts, which browsers prefer.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Iterable
from urllib.parse import quote

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')  # never in a file name on any system
_NOT_WORD = re.compile(r"[^A-Za-z0-9]+")


def file_name(words: Iterable[str], day: dt.date, extension: str) -> str:
    """The name as people read it: the words and the date joined by hyphens, e.g.
    "Zoë-Ó-Briain-portfolio-2026-12-06.pdf"."""
    parts = [_UNSAFE.sub(" ", str(w)).strip() for w in words]
    stem = "-".join(" ".join(p.split()).replace(" ", "-") for p in parts if p)
    return f"{stem[:120]}-{day.isoformat()}.{extension}".lstrip("-")


def ascii_name(name: str) -> str:
    """The name in plain ASCII: accents dropped, anything else a hyphen."""
    stem, _, extension = name.rpartition(".")
    plain = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    return f"{_NOT_WORD.sub('-', plain).strip('-') or 'download'}.{_NOT_WORD.sub('', extension)}"


def attachment(words: Iterable[str], day: dt.date, extension: str) -> str:
    """A Content-Disposition value that saves the download under a meaningful name."""
    name = file_name(words, day, extension)
    return f'attachment; filename="{ascii_name(name)}"; filename*=UTF-8\'\'{quote(name, safe="")}'

"""Attachments in a local folder, two levels deep by content hash (sha[:2]/sha)."""
from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import BinaryIO

from roadmap.storage.base import MissingObject, StorageError, Store, checked


def write_atomically(target: Path, data: bytes) -> None:
    """Write beside the target, then rename: a reader sees the whole file or none."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


class LocalStore(Store):
    """A folder on this machine (ATTACHMENT_DIR, or instance/attachments)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        """The file of a key, two levels deep so that no folder grows too large."""
        key = checked(key)
        return self.root / key[:2] / key

    def put(self, key: str, data: bytes) -> None:
        target = self.path(key)
        if target.exists():
            return  # the same content is already kept
        write_atomically(target, data)

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            raise MissingObject(key) from None

    def open(self, key: str) -> BinaryIO:
        try:
            return self.path(key).open("rb")
        except FileNotFoundError:
            raise MissingObject(key) from None

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def check(self) -> None:
        probe = self.root / f".check-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe.write_bytes(b"ok")
            probe.unlink()
        except OSError as error:
            raise StorageError(f"the attachment folder cannot be written: {error}") from error

    def describe(self) -> str:
        return "local folder"

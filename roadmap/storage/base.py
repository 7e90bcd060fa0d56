"""What every attachment store offers, and the errors it raises."""
from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import BinaryIO

# Keys are content hashes (lower-case hex SHA-256) or other plain names: never a path, so no
# key can reach outside the store's folder or prefix.
_KEY = re.compile(r"^[0-9a-z][0-9a-z._-]{2,127}$")


class StorageError(RuntimeError):
    """The store cannot be reached, read or written; the message says which and where."""


class MissingObject(LookupError):
    """No object is kept under this key."""


def checked(key: str) -> str:
    """The key itself, if it is a plain name a store may use."""
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class Store(ABC):
    """Where attachments are kept, by content hash. Writes are atomic and idempotent."""

    @abstractmethod
    def put(self, key: str, data: bytes) -> None:
        """Keep `data` under `key`; a key already kept is left as it is (content-addressed)."""

    @abstractmethod
    def get(self, key: str) -> bytes:
        """The bytes kept under `key`; MissingObject if there are none."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A readable binary stream of the object, to send without holding it all in memory.

        The caller closes it. MissingObject if there is no such object.
        """

    @abstractmethod
    def exists(self, key: str) -> bool:
        """Whether an object is kept under `key`."""

    @abstractmethod
    def check(self) -> None:
        """Return quietly if the store can be read and written; StorageError saying why not."""

    @abstractmethod
    def describe(self) -> str:
        """A short name of the store for health checks and logs, e.g. "s3 bucket roadmap"."""

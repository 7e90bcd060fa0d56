"""Where attachments are kept: a local folder (the default) or an S3-compatible bucket.

`current()` is the app's store, built on first use from its settings and kept for the app's
life; everything that reads or writes attachment bytes goes through it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Optional

from flask import Flask, current_app

from roadmap.storage.base import MissingObject, StorageError, Store
from roadmap.storage.local import LocalStore

__all__ = ["MissingObject", "StorageError", "Store", "LocalStore", "build", "current",
           "local_folder"]
_EXTENSION = "roadmap.storage"


def local_folder(config: Mapping[str, Any], instance_path: str) -> Path:
    """The folder of the local store: ATTACHMENT_DIR, or instance/attachments."""
    configured = config.get("ATTACHMENT_DIR")
    return Path(configured) if configured else Path(instance_path) / "attachments"


def build(config: Mapping[str, Any], instance_path: str) -> Store:
    """A store from settings (already checked by roadmap.config at start)."""
    if config.get("STORAGE", "local") == "s3":
        from roadmap.storage.s3 import S3Store  # boto3 loads only when it is used

        return S3Store(config["S3_BUCKET"], config.get("S3_PREFIX") or "",
                       config.get("S3_ENDPOINT_URL"), config.get("S3_REGION"))
    return LocalStore(local_folder(config, instance_path))


def current(app: Optional[Flask] = None) -> Store:
    """The store of an app (the current one by default), built once and kept."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    store = app.extensions.get(_EXTENSION)
    if store is None:
        store = app.extensions.setdefault(_EXTENSION, build(app.config, app.instance_path))
    return store

"""Roadmap: portfolio, supervision and sign-off for the FCP Roadmap to Practice.

The package itself holds nothing but a lazy door to the factory (`roadmap:create_app()` for
gunicorn and tests), so importing a small module such as `roadmap.db` loads no feature.
"""
from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    """`from roadmap import create_app` loads the factory, and with it every feature, on demand."""
    if name == "create_app":
        from roadmap.app import create_app

        return create_app
    raise AttributeError(f"module 'roadmap' has no attribute {name!r}")

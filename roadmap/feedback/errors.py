"""What can go wrong with feedback rounds and tickets, in words the person can act on."""
from __future__ import annotations

from typing import Optional


class FeedbackError(Exception):
    """A rule stopped the action; `problems` maps a form field to its message."""

    def __init__(self, message: str, problems: Optional[dict[str, str]] = None) -> None:
        super().__init__(message)
        self.problems = problems or {}

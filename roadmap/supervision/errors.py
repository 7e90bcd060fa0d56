"""What can go wrong when supervising, in words a supervisor can act on."""
from __future__ import annotations


class SupervisionError(Exception):
    """A rule stopped the action; the message is for the person who tried it."""


class NotAllowed(SupervisionError):
    """This person may not do this to this item (rule D5: only current supervisors sign)."""


class Conflict(SupervisionError):
    """Someone else changed the item first (a stale form, or two people signing at once)."""


class Incomplete(SupervisionError):
    """Something required is missing; `problems` maps a field or check to its message."""

    def __init__(self, message: str, problems: dict[str, str]) -> None:
        super().__init__(message)
        self.problems = problems

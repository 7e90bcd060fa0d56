"""What makes a password acceptable: long enough and not easy to guess. No composition rules."""
from __future__ import annotations

from typing import Iterable, Optional

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 256
# zxcvbn estimates guesses from lists of common passwords, words, names, keyboard patterns,
# sequences and the person's own details; 3 means about 10^10 guesses or more.
MIN_SCORE = 3


def password_problem(password: str, personal: Iterable[Optional[str]] = ()) -> Optional[str]:
    """Why a new password cannot be used, in words for the person; None when it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Your password must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"Your password must be {MAX_LENGTH} characters or fewer"
    context = ["roadmap", "nhs", "fcp", "password"]
    for value in personal:
        if value:
            context += [value, *value.replace("@", " ").replace(".", " ").split()]
    # Scoring the first 64 characters is enough: longer passwords are never the weak ones.
    result = zxcvbn(password[:64], user_inputs=context)
    if result["score"] < MIN_SCORE:
        hint = result["feedback"].get("warning") or "It is a common or easily guessed password"
        return f"Choose a password that is harder to guess. {hint.rstrip('.')}."
    return None

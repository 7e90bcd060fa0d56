"""Password hashing with argon2id (argon2-cffi)."""
from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's minimum for argon2id is 19 MiB, 2 iterations, parallelism 1; we take 46 MiB and
# 1 iteration's stronger sibling: argon2-cffi's RFC 9106 low-memory profile is 64 MiB, t=3.
PROFILES = {
    "owasp": dict(time_cost=3, memory_cost=65536, parallelism=1),
    "fast": dict(time_cost=1, memory_cost=1024, parallelism=1),  # tests only
}


@lru_cache(maxsize=None)
def hasher(profile: str) -> PasswordHasher:
    """The argon2id hasher for a configured profile."""
    return PasswordHasher(type=Type.ID, hash_len=32, salt_len=16, **PROFILES[profile])


def hash_password(password: str, profile: str) -> str:
    """Hash a password for storage."""
    return hasher(profile).hash(password)


# A real hash to check against when the email is unknown, so both paths cost the same.
_DUMMY = {name: None for name in PROFILES}


def verify_password(stored: str | None, password: str, profile: str) -> bool:
    """True when the password matches; spends the same time when there is no stored hash."""
    ph = hasher(profile)
    if stored is None:
        if _DUMMY[profile] is None:
            _DUMMY[profile] = ph.hash("not-a-real-password-but-the-same-cost")
        stored = _DUMMY[profile]
        password = password + "\x00"  # never matches
    try:
        return ph.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str, profile: str) -> bool:
    """True when the stored hash was made with weaker parameters than the profile's."""
    return hasher(profile).check_needs_rehash(stored)

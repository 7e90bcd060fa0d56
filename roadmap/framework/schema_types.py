"""The building blocks every part of a roadmap file is made of: codes, titles, strict models."""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

def _number_to_str(value: Any) -> Any:
    """Let authors write `code: 3` for `code: "3"`; YAML reads the former as a number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _code(max_length: int) -> Any:
    """A code: letters, digits, dots, dashes and underscores, as short as its database column."""
    return Annotated[str, BeforeValidator(_number_to_str),
                     Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=max_length)]


def one_of(what: str, allowed: tuple[str, ...]) -> Any:
    """A string from a closed set, refused with the set named."""
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"unknown {what} {value!r} ({', '.join(allowed)})")
        return value
    return Annotated[str, AfterValidator(check)]


Code = _code(40)
Code10 = _code(10)
Code20 = _code(20)
Text = Annotated[str, Field(min_length=1)]
Title = Annotated[str, Field(min_length=1, max_length=200)]


class Strict(BaseModel):
    """No unknown keys, no silent type coercion, surrounding whitespace trimmed."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)

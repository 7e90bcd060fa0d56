"""Limits on typed answers, with messages that name the field, in the NHS style.

WTForms' own messages ("Field cannot be longer than 200 characters.", "Not a valid decimal
value.") name no field: in an error summary of sixteen boxes nobody can tell which one is
meant. Every length and number limit in a form goes through this module, so each message
reads "<Label> must be 5,000 characters or fewer", and a number that is not a number gets one
message, not a second about its range as well.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Optional, Union

from wtforms import DecimalField, Field, IntegerField
from wtforms.validators import Length, NumberRange, StopValidation, ValidationError

_OPTIONAL = re.compile(r"\s*\(optional\)\s*$", re.IGNORECASE)
Number = Union[int, float, Decimal]


def field_name(field: Field) -> str:
    """The field's label as the subject of a sentence: without "(optional)"."""
    return _OPTIONAL.sub("", str(field.label.text)).strip() or "The answer"


def too_long(name: str, most: int) -> str:
    """"Reason must be 2,000 characters or fewer"."""
    return f"{name} must be {most:,} characters or fewer"


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:] if name[1:2].islower() or len(name) == 1 else name


class MaxLength(Length):
    """At most `most` characters; the message names the field (or `name`, when the label is a
    question that cannot start a sentence)."""

    def __init__(self, most: int, name: Optional[str] = None) -> None:
        super().__init__(max=most)
        self.name = name

    def __call__(self, form: Any, field: Field) -> None:
        if field.data and len(field.data) > self.max:
            raise ValidationError(too_long(self.name or field_name(field), self.max))


def _figure(value: Number) -> str:
    return f"{value:,}"


class Between(NumberRange):
    """A number from `low` to `high`; the message names the field. Nothing (or something that
    is not a number, which has its own message) is left to the field's other checks."""

    def __init__(self, low: Optional[Number] = None, high: Optional[Number] = None,
                 name: Optional[str] = None) -> None:
        super().__init__(min=low, max=high)
        self.name = name

    def __call__(self, form: Any, field: Field) -> None:
        data = field.data
        if data is None:
            return
        low, high = self.min, self.max
        if (low is None or data >= low) and (high is None or data <= high):
            return
        name = self.name or field_name(field)
        if low is not None and high is not None:
            raise ValidationError(f"{name} must be between {_figure(low)} and {_figure(high)}")
        if low is not None:
            raise ValidationError(f"{name} must be {_figure(low)} or more")
        raise ValidationError(f"{name} must be {_figure(high)} or fewer")


class _OneMessage:
    """Mixin: what was typed is not a number → one message, and no further checks."""

    example = "1.5"
    kind = "a number"
    subject: Optional[str] = None  # what the message calls the field, when not its label

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and not str(valuelist[0]).strip():
            self.data = None  # left empty: whether it may be is the validators' to say
            return
        try:
            super().process_formdata(valuelist)  # type: ignore[misc]
        except ValueError:
            self.data = None
            subject = self.subject or _lower_first(field_name(self))  # type: ignore[arg-type]
            raise ValueError(f"Enter {subject} as {self.kind}, "
                             f"like {self.example}")

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:  # type: ignore[attr-defined]
            raise StopValidation()


class NumberField(_OneMessage, DecimalField):
    """A decimal number ("1.5"); "1,5" or "ten" get "Enter time spent as a number, like 1.5"."""

    def __init__(self, *args: Any, example: str = "1.5", subject: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.example, self.subject = example, subject


class WholeNumberField(_OneMessage, IntegerField):
    """A whole number; anything else gets "Enter <label> as a whole number, like 12"."""

    kind = "a whole number"

    def __init__(self, *args: Any, example: str = "12", subject: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.example, self.subject = example, subject

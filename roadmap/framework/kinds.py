"""The kinds of question a form definition may ask: one entry each in KINDS.

A new kind is its name in the schema's list (form_schema.FormField.kind), one entry here, and a
macro of the same name in templates/portfolio/_kinds.html that renders it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Optional

from wtforms import (Field, RadioField, SelectField, SelectMultipleField,
                     StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (Optional as Opt, StopValidation,
                                ValidationError)

from roadmap.clock import long_date
from roadmap.form_limits import Between, MaxLength, NumberField, too_long
from roadmap.fields import DATE_RANGE_MESSAGE, DateInputField, date_in_range
from roadmap.framework.markdown import render

Spec = dict[str, Any]  # one question of a definition, as the schema wrote it


class MaxWords:
    """At most so many words."""

    def __init__(self, most: int) -> None:
        self.most = most

    def __call__(self, form: Any, field: Field) -> None:
        """Refuse an answer of more words than the definition allows."""
        if field.data and len(str(field.data).split()) > self.most:
            raise ValidationError(f"{field.label.text} must be {self.most} words or fewer")


class RequiredOnSubmit:
    """Required only when the candidate asks to submit; a draft may be incomplete."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.field_flags = {}

    def __call__(self, form: Any, field: Field) -> None:
        """Refuse a blank answer on a form that is being submitted."""
        if getattr(form, "submitting", False) and field.data in (None, "", [], (), "None"):
            raise StopValidation(self.message)


def _finite(form: Any, field: Field) -> None:
    """Refuse "NaN" and "Infinity", which Decimal reads as numbers."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(f"{field.label.text} must be a number")


def _one_of(choices: list[SelectChoice]) -> Any:
    """A validator: the answer is one of the choices (a posted value may be anything)."""
    codes = {choice.value for choice in choices}

    def check(form: Any, field: Field) -> None:
        if field.data not in (None, "", "None") and field.data not in codes:
            raise ValidationError(f"Select one of the options for {field.label.text.lower()}")

    return check


# The WTForms field of each kind, given the question, its choices and its required check.

def _words(spec: Spec) -> list[Any]:
    return [MaxWords(spec["max_words"])] if spec.get("max_words") else []


# The most characters a typed answer may have, by kind, unless the question says `longest`
# (definitions.fields gives the assessor's answers a shorter limit).
LONGEST = {"text": 500, "textarea": 20_000}


def longest(spec: Spec) -> int:
    """The most characters the question's typed answer may have."""
    return spec.get("longest") or LONGEST[spec["kind"]]


def _length(spec: Spec) -> MaxLength:
    return MaxLength(longest(spec), name=spec["label"])


def _text_field(spec: Spec, choices: list[SelectChoice], checks: list[Any]) -> Field:
    return StringField(spec["label"], validators=[*checks, *_words(spec), _length(spec)])


def _textarea_field(spec: Spec, choices: list[SelectChoice], checks: list[Any]) -> Field:
    return TextAreaField(spec["label"], validators=[*checks, *_words(spec), _length(spec)])


def _date_field(spec: Spec, choices: list[SelectChoice], checks: list[Any]) -> Field:
    return DateInputField(spec["label"], validators=[*checks, Opt()])


def _number_field(spec: Spec, choices: list[SelectChoice], checks: list[Any]) -> Field:
    label, low, high = spec["label"], spec.get("min"), spec.get("max")
    return NumberField(label, places=None, validators=[
        *checks, Opt(), _finite, Between(low, high, name=label)])


def _select_field(spec: Spec, choices: list[SelectChoice], checks: list[Any]) -> Field:
    return SelectField(spec["label"], choices=[SelectChoice("", "Choose one")] + choices,
                       validate_choice=False, validators=[*checks, _one_of(choices)])


def _radios_field(spec: Spec, choices: list[SelectChoice], checks: list[Any]) -> Field:
    return RadioField(spec["label"], choices=choices, validate_choice=False,
                      validators=[*checks, _one_of(choices)])


def _checkboxes_field(spec: Spec, choices: list[SelectChoice], checks: list[Any]) -> Field:
    return SelectMultipleField(spec["label"], choices=choices, validators=checks)


# The message when a required question is left blank, from its label.

def _lower_first(label: str) -> str:
    return label[0].lower() + label[1:]


def _enter(label: str) -> str:
    return f"Enter {_lower_first(label)}".rstrip("?")


def _select(label: str) -> str:
    return f"Select {_lower_first(label)}".rstrip("?")


def _select_some(label: str) -> str:
    return f"Select at least one option for {label.lower()}"


# What is wrong with a kept answer that is not blank (the services' check), given the codes
# the question allows; None when nothing is.

def _text_problem(spec: Spec, value: Any, allowed: list[str]) -> Optional[str]:
    if not isinstance(value, str):
        return "Enter text"
    if len(value) > longest(spec):
        return too_long(spec["label"], longest(spec))
    limit = spec.get("max_words")
    if limit and len(value.split()) > limit:
        return f"Use {limit} words or fewer (you have {len(value.split())})"
    return None


def _date_problem(spec: Spec, value: Any, allowed: list[str]) -> Optional[str]:
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return "Enter a real date"
    return None if date_in_range(day) else DATE_RANGE_MESSAGE


def _number_problem(spec: Spec, value: Any, allowed: list[str]) -> Optional[str]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "Enter a number"
    if spec.get("min") is not None and value < spec["min"]:
        return f"Enter a number of {spec['min']} or more"
    if spec.get("max") is not None and value > spec["max"]:
        return f"Enter a number of {spec['max']} or less"
    return None


def _one_problem(message: str) -> Callable[[Spec, Any, list[str]], Optional[str]]:
    return lambda spec, value, allowed: message if value not in allowed else None


def _some_problem(spec: Spec, value: Any, allowed: list[str]) -> Optional[str]:
    if not isinstance(value, list) or not set(value) <= set(allowed):
        return "Choose from the options"
    return None


# A kept answer as the form field's data, and the field's data as kept.

def _same(value: Any) -> Any:
    return value


def _day(value: Any) -> Optional[dt.date]:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def _trimmed(data: Any) -> Any:
    """Text without surrounding spaces; blank (or a radio's "None") is no answer."""
    if isinstance(data, str):
        data = data.strip() or None
        if data == "None":
            return None
    return data


def _iso(data: Optional[dt.date]) -> Optional[str]:
    return data.isoformat() if data else None


def _plain_number(data: Optional[Decimal]) -> Any:
    if data is None:
        return None
    return int(data) if data == int(data) else float(data)


def _codes(data: Any) -> list[Any]:
    return list(data or [])


# A given answer as pages and the PDF show it, given the labels of the question's codes.

def _markdown(value: Any, labels: dict[str, str]) -> Any:
    return render(str(value))


def _long_date(value: Any, labels: dict[str, str]) -> Any:
    try:
        return long_date(dt.date.fromisoformat(value))
    except (TypeError, ValueError):
        return str(value)


def _labelled(value: Any, labels: dict[str, str]) -> Any:
    if isinstance(value, list):
        return ", ".join(labels.get(v, str(v)) for v in value)
    return labels.get(value, str(value))


@dataclass(frozen=True)
class Kind:
    """What the application does for one kind of question: ask it, check, keep and show it."""

    field: Callable[[Spec, list[SelectChoice], list[Any]], Field]  # the WTForms field
    problem: Callable[[Spec, Any, list[str]], Optional[str]]  # a kept answer's problem
    required: Callable[[str], str] = _enter  # the message when a required answer is blank
    to_form: Callable[[Any], Any] = _same  # a kept answer as the field's data
    to_keep: Callable[[Any], Any] = _trimmed  # the field's data as kept
    show: Callable[[Any, dict[str, str]], Any] = _labelled  # an answer as pages print it
    options: int = 0  # options the schema asks for at least; 0: it takes none
    scale: bool = False  # answered with a level of a named scale
    counted: bool = False  # one choice of a list: a feedback round counts each answer
    text: bool = False  # typed words: Markdown when shown, may have max_words, scanned (D9)
    always_scanned: bool = False  # no definition may turn the patient-identifier scan off
    bounds: bool = False  # may have min and max


KINDS: dict[str, Kind] = {
    "text": Kind(_text_field, _text_problem, show=_markdown, text=True),
    "textarea": Kind(_textarea_field, _text_problem, show=_markdown, text=True,
                     always_scanned=True),
    "date": Kind(_date_field, _date_problem, to_form=_day, to_keep=_iso, show=_long_date),
    "number": Kind(_number_field, _number_problem, to_form=_decimal, to_keep=_plain_number,
                   bounds=True),
    "select": Kind(_select_field, _one_problem("Choose one of the options"), required=_select,
                   options=1, counted=True),
    "radios": Kind(_radios_field, _one_problem("Choose one of the options"), required=_select,
                   options=2, counted=True),
    "checkboxes": Kind(_checkboxes_field, _some_problem, required=_select_some,
                       to_keep=_codes, options=1),
    "rating": Kind(_radios_field, _one_problem("Choose a rating from the scale"),
                   required=_select, scale=True, counted=True),
}


def question_field(spec: Spec, choices: list[tuple[str, str]]) -> Field:
    """The unbound WTForms field that asks a question, given its (code, label) choices."""
    kind = KINDS[spec["kind"]]
    message = spec.get("required_message") or kind.required(spec["label"])
    checks = [RequiredOnSubmit(message)] if spec.get("required") else []
    return kind.field(spec, [SelectChoice(code, text) for code, text in choices], checks)

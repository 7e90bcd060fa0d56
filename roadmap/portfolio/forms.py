"""Forms built from the framework's definitions: one WTForms field per candidate question."""
from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any, Optional

from flask_wtf import FlaskForm
from wtforms import (DecimalField, Field, HiddenField, RadioField,
                     SelectField, SelectMultipleField, StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (DataRequired, Length, NumberRange, Optional as Opt,
                                StopValidation, ValidationError)

from roadmap.fields import BoundedDateField, HiddenNumberField, id_number
from roadmap.framework.models import Capability, EvidenceType
from roadmap.portfolio import definitions

PREFIX = "answer_"


def new_token() -> str:
    """A one-time token for a form, so a double click does the work once."""
    return secrets.token_urlsafe(24)


class MaxWords:
    """At most so many words."""

    def __init__(self, most: int) -> None:
        self.most = most

    def __call__(self, form: Any, field: Field) -> None:
        if field.data and len(str(field.data).split()) > self.most:
            raise ValidationError(f"{field.label.text} must be {self.most} words or fewer")


class RequiredOnSubmit:
    """Required only when the candidate asks to submit; a draft may be incomplete."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.field_flags = {}

    def __call__(self, form: Any, field: Field) -> None:
        if getattr(form, "submitting", False) and field.data in (None, "", [], (), "None"):
            raise StopValidation(self.message)


class EvidenceForm(FlaskForm):
    """The fields every item has; the definition's questions are added per type."""

    title = StringField("Title", validators=[DataRequired("Enter a title"), Length(max=200)])
    occurred_on = BoundedDateField("Date", validators=[RequiredOnSubmit("Enter the date"), Opt()])
    capabilities = SelectMultipleField("Capability headings", coerce=id_number, validate_choice=False)
    lock_version = HiddenNumberField()
    form_token = HiddenField()

    submitting = False
    questions: list[tuple[dict[str, Any], str]] = []  # (field definition, form field name)


def _message(spec: dict[str, Any]) -> str:
    if spec["kind"] in ("radios", "select", "rating"):
        return f"Select {spec['label'][0].lower() + spec['label'][1:]}".rstrip("?")
    if spec["kind"] == "checkboxes":
        return f"Select at least one option for {spec['label'].lower()}"
    return f"Enter {spec['label'][0].lower() + spec['label'][1:]}".rstrip("?")


def _field(spec: dict[str, Any], scales: dict[str, dict[str, Any]]) -> Field:
    """One WTForms field for a question of the definition."""
    kind, label = spec["kind"], spec["label"]
    checks: list[Any] = [RequiredOnSubmit(_message(spec))] if spec.get("required") else []
    if kind in ("text", "textarea"):
        if spec.get("max_words"):
            checks.append(MaxWords(spec["max_words"]))
        checks.append(Length(max=20_000 if kind == "textarea" else 500))
        return (TextAreaField if kind == "textarea" else StringField)(label, validators=checks)
    if kind == "date":
        return BoundedDateField(label, validators=[*checks, Opt()])
    if kind == "number":
        low, high = spec.get("min"), spec.get("max")
        return DecimalField(label, places=None, validators=[
            *checks, Opt(), _finite, NumberRange(min=low, max=high, message=(
                f"{label} must be between {low} and {high}"
                if low is not None and high is not None else None))])
    choices = [SelectChoice(code, text) for code, text in definitions.choices(spec, scales)]
    if kind == "checkboxes":
        return SelectMultipleField(label, choices=choices, validators=checks)
    if kind == "select":
        return SelectField(label, choices=[SelectChoice("", "Choose one")] + choices,
                           validate_choice=False, validators=[*checks, _one_of(choices)])
    return RadioField(label, choices=choices, validate_choice=False,
                      validators=[*checks, _one_of(choices)])


def _finite(form: Any, field: Field) -> None:
    """Refuse "NaN" and "Infinity", which Decimal reads as numbers."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(f"{field.label.text} must be a number")


def _one_of(choices: list[SelectChoice]) -> Any:
    codes = {choice.value for choice in choices}

    def check(form: Any, field: Field) -> None:
        if field.data not in (None, "", "None") and field.data not in codes:
            raise ValidationError(f"Select one of the options for {field.label.text.lower()}")

    return check


def _questions(evidence_type: EvidenceType, template_code: Optional[str],
               scales: dict[str, dict[str, Any]], parties: list[str]) -> dict[str, Any]:
    """Class attributes: one field per question of the parties' sections, and their list."""
    attrs: dict[str, Any] = {}
    questions = []
    for spec in definitions.fields(evidence_type.definition, template_code, parties):
        name = PREFIX + spec["code"]
        attrs[name] = _field(spec, scales)
        questions.append((spec, name))
    attrs["questions"] = questions
    return attrs


def evidence_form_class(evidence_type: EvidenceType, template_code: Optional[str],
                        scales: dict[str, dict[str, Any]]) -> type[EvidenceForm]:
    """A form class for the candidate's sections of one type (and template)."""
    attrs = _questions(evidence_type, template_code, scales, [definitions.CANDIDATE])
    return type(f"{evidence_type.code.title()}Form", (EvidenceForm,), attrs)


def outcome_field(capability_id: int) -> str:
    """The name of the outcome choice of a heading."""
    return f"outcome_{capability_id}"


def build(evidence_type: EvidenceType, template_code: Optional[str],
          scales: dict[str, dict[str, Any]], capabilities: list[Capability],
          outcomes: Optional[dict[int, list[Any]]] = None, **kwargs: Any) -> EvidenceForm:
    """A bound form for the type, with the headings (and outcomes) of the enrolment's framework."""
    cls = evidence_form_class(evidence_type, template_code, scales)
    for capability in capabilities:
        choices = (outcomes or {}).get(capability.id)
        if choices:
            setattr(cls, outcome_field(capability.id), SelectField(
                f"Outcome for {capability.code}. {capability.title}", validate_choice=False,
                choices=[SelectChoice("", "No particular outcome")]
                + [SelectChoice(str(o.id), f"{o.code} {o.text}") for o in choices]))
    form = cls(**kwargs)
    form.capabilities.choices = [SelectChoice(c.id, f"{c.code} {c.title}") for c in capabilities]
    form.outcome_names = {c.id: outcome_field(c.id) for c in capabilities if (outcomes or {}).get(c.id)}
    return form


def chosen_outcomes(form: EvidenceForm, capability_ids: Any) -> dict[int, int]:
    """{heading id: outcome id} for the linked headings whose outcome was chosen."""
    chosen = {}
    for capability_id, name in getattr(form, "outcome_names", {}).items():
        value = form[name].data
        if capability_id in capability_ids and value and str(value).isdigit():
            chosen[capability_id] = int(value)
    return chosen


def load_answers(form: EvidenceForm, answers: dict[str, Any]) -> None:
    """Put saved answers into the form's fields."""
    for spec, name in form.questions:
        value = answers.get(spec["code"])
        if value is None:
            continue
        field = form[name]
        if spec["kind"] == "date":
            try:
                field.data = dt.date.fromisoformat(value)
            except (TypeError, ValueError):
                field.data = None
        elif spec["kind"] == "number":
            field.data = Decimal(str(value))
        else:
            field.data = value


def answers_of(form: EvidenceForm) -> dict[str, Any]:
    """The form's answers as stored: ISO dates, numbers, codes, lists of codes, text."""
    answers: dict[str, Any] = {}
    for spec, name in form.questions:
        data = form[name].data
        if spec["kind"] == "date":
            data = data.isoformat() if data else None
        elif spec["kind"] == "number":
            data = (int(data) if data == int(data) else float(data)) if data is not None else None
        elif spec["kind"] == "checkboxes":
            data = list(data or [])
        elif isinstance(data, str):
            data = data.strip() or None
            if data == "None":
                data = None
        answers[spec["code"]] = data
    return answers


class QuestionsForm(FlaskForm):
    """Only the questions of one party, e.g. the assessor's part of a WPBA."""

    lock_version = HiddenNumberField()
    submitting = True  # required questions are required: this form is always acted on
    questions: list[tuple[dict[str, Any], str]] = []


def questions_form(evidence_type: EvidenceType, template_code: Optional[str],
                   scales: dict[str, dict[str, Any]], parties: list[str], **kwargs: Any) -> QuestionsForm:
    """A bound form for the questions the given parties answer."""
    attrs: dict[str, Any] = {}
    questions = []
    for spec in definitions.fields(evidence_type.definition, template_code, parties):
        name = PREFIX + spec["code"]
        attrs[name] = _field(spec, scales)
        questions.append((spec, name))
    attrs["questions"] = questions
    return type(f"{evidence_type.code.title()}QuestionsForm", (QuestionsForm,), attrs)(**kwargs)

"""Forms built from the framework's definitions: one WTForms field per candidate question."""
from __future__ import annotations

import secrets
from typing import Any, Collection, Optional

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional as Opt
from roadmap.form_limits import MaxLength

from roadmap.fields import DateInputField, HiddenNumberField, id_number
from roadmap.framework import definitions
from roadmap.framework.kinds import RequiredOnSubmit
from roadmap.framework.models import Capability, EvidenceType

PREFIX = "answer_"


def new_token() -> str:
    """A one-time token for a form, so a double click does the work once."""
    return secrets.token_urlsafe(24)


class EvidenceForm(FlaskForm):
    """The fields every item has; the definition's questions are added per type."""

    title = StringField("Title", validators=[DataRequired("Enter a title"), MaxLength(200)])
    occurred_on = DateInputField("Date", validators=[RequiredOnSubmit("Enter the date"), Opt()])
    capabilities = SelectMultipleField("Capability headings", coerce=id_number, validate_choice=False)
    lock_version = HiddenNumberField()
    form_token = HiddenField()

    submitting = False
    questions: list[tuple[dict[str, Any], str]] = []  # (field definition, form field name)


def _questions(evidence_type: EvidenceType, template_code: Optional[str],
               scales: dict[str, dict[str, Any]], parties: list[str],
               headings: Optional[definitions.Headings] = None,
               skip: Collection[str] = ()) -> dict[str, Any]:
    """Class attributes: one field per question of the parties' sections, and their list."""
    attrs: dict[str, Any] = {}
    questions = []
    for spec in definitions.fields(evidence_type.definition, template_code, parties, headings,
                                   skip):
        name = PREFIX + spec["code"]
        attrs[name] = definitions.form_field(spec, scales)
        questions.append((spec, name))
    attrs["questions"] = questions
    return attrs


def evidence_form_class(evidence_type: EvidenceType, template_code: Optional[str],
                        scales: dict[str, dict[str, Any]],
                        skip: Collection[str] = ()) -> type[EvidenceForm]:
    """A form class for the candidate's sections of one type (and template), but `skip`."""
    attrs = _questions(evidence_type, template_code, scales, [definitions.CANDIDATE], skip=skip)
    return type(f"{evidence_type.code.title()}Form", (EvidenceForm,), attrs)


def outcome_field(capability_id: int) -> str:
    """The name of the outcome choice of a heading."""
    return f"outcome_{capability_id}"


def build(evidence_type: EvidenceType, template_code: Optional[str],
          scales: dict[str, dict[str, Any]], capabilities: list[Capability],
          outcomes: Optional[dict[int, list[Any]]] = None, skip: Collection[str] = (),
          **kwargs: Any) -> EvidenceForm:
    """A bound form for the type, with the headings (and outcomes) of the enrolment's framework;
    the sections in `skip` are not asked (yet)."""
    cls = evidence_form_class(evidence_type, template_code, scales, skip)
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
        if value is not None:
            form[name].data = definitions.form_data(spec, value)


def answers_of(form: EvidenceForm) -> dict[str, Any]:
    """The form's answers as stored: ISO dates, numbers, codes, lists of codes, text."""
    return {spec["code"]: definitions.kept(spec, form[name].data) for spec, name in form.questions}


class QuestionsForm(FlaskForm):
    """Only the questions of one party, e.g. the assessor's part of a WPBA."""

    lock_version = HiddenNumberField()
    submitting = True  # required questions are required: this form is always acted on
    questions: list[tuple[dict[str, Any], str]] = []


def questions_form(evidence_type: EvidenceType, template_code: Optional[str],
                   scales: dict[str, dict[str, Any]], parties: list[str],
                   headings: Optional[definitions.Headings] = None,
                   **kwargs: Any) -> QuestionsForm:
    """A bound form for the questions the given parties answer (with a grade for each of
    `headings` where the type asks the assessor to grade the headings the item is linked to)."""
    attrs = _questions(evidence_type, template_code, scales, parties, headings)
    return type(f"{evidence_type.code.title()}QuestionsForm", (QuestionsForm,), attrs)(**kwargs)

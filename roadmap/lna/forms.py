"""The analysis's forms: the candidate's questions (from the framework), and the confirmation."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from roadmap.form_limits import MaxLength

from roadmap.fields import HiddenNumberField
from roadmap.framework import definitions
from roadmap.lna.confirming import ROUTES, EvidenceChoice
from roadmap.lna.definition import Requirement
from roadmap.portfolio.forms import PREFIX


class AnalysisForm(FlaskForm):
    """The candidate's answers; the questions are added from the framework's definition."""

    lock_version = HiddenNumberField()
    confirm_pid = BooleanField("I have checked my answers and none of them identifies a patient")

    submitting = False
    questions: list[tuple[dict[str, Any], str]] = []  # (question, form field name)


def analysis_form(definition: dict[str, Any], scales: definitions.Scales,
                  **kwargs: Any) -> AnalysisForm:
    """A bound form asking the candidate's questions of the analysis."""
    attrs: dict[str, Any] = {}
    questions = []
    for spec in definitions.fields(definition, None, [definitions.CANDIDATE]):
        attrs[PREFIX + spec["code"]] = definitions.form_field(spec, scales)
        questions.append((spec, PREFIX + spec["code"]))
    attrs["questions"] = questions
    return type("LearningNeedsForm", (AnalysisForm,), attrs)(**kwargs)


class ConfirmForm(FlaskForm):
    """The route, and per requirement: credit it or not, with what evidence, and why."""

    route = RadioField("Which route is the candidate on?", validate_choice=False,
                       choices=[SelectChoice(code, label) for code, label in ROUTES.items()])
    lock_version = HiddenNumberField()
    confirm_pid = BooleanField("I have checked the notes and none of them identifies a patient")

    names: list[tuple[Requirement, str, str, str]] = []  # (requirement, credit, evidence, note)


def confirm_form(requirements: list[Requirement], choices: list[EvidenceChoice],
                 **kwargs: Any) -> ConfirmForm:
    """A bound confirmation form with three fields for each requirement that may be credited."""
    attrs: dict[str, Any] = {}
    names = []
    options = [SelectChoice("", "Choose the evidence")] + [SelectChoice(c.value, c.label)
                                                          for c in choices]
    for number, requirement in enumerate(requirements):
        credit, evidence, note = f"credit_{number}", f"evidence_{number}", f"note_{number}"
        attrs[credit] = BooleanField(f"Credit: {requirement.label}")
        attrs[evidence] = SelectField("Evidence", choices=options, validate_choice=False)
        attrs[note] = TextAreaField("The earlier study that meets it",
                                    validators=[MaxLength(2000)])
        names.append((requirement, credit, evidence, note))
    attrs["names"] = names
    return type("ConfirmAnalysisForm", (ConfirmForm,), attrs)(**kwargs)

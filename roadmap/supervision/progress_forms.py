"""Forms of progress reviews: the educational supervisor's review and the candidate's response."""
from __future__ import annotations

from typing import Any, Iterable

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from roadmap.form_limits import MaxLength

from roadmap.fields import DateInputField
from roadmap.framework.models import Capability
from roadmap.supervision.progress_reviews import COMMENT_LIMIT, LEVELS, TEXT_LIMIT

CONFIRM_PID = "I have checked what I wrote and none of it identifies a patient"


def _limit(most: int) -> MaxLength:
    return MaxLength(most)


class ProgressReviewForm(FlaskForm):
    """The date, concerns and agreed actions; `progress_review_form` adds one pair per heading."""

    reviewed_on = DateInputField("Date of the review",
                                 validators=[DataRequired("Enter the date of the review")])
    concerns: Any  # these three come after the headings, as on the page: see _after_headings
    agreed_actions: Any
    confirm_pid: Any
    headings: list[tuple[Capability, Any, Any]]

    def progress(self) -> dict[str, tuple[Any, str]]:
        """Heading code -> (the progress chosen, the comment), as the service takes them."""
        return {cap.code: (level.data, comment.data or "") for cap, level, comment in self.headings}

    def field_for(self, key: str) -> Any:
        """The field a service problem names: a field's name, `heading:<code>` or `comment:<code>`."""
        kind, _, code = key.partition(":")
        for cap, level, comment in self.headings:
            if cap.code == code:
                return level if kind == "heading" else comment
        return getattr(self, key, None)


def _after_headings() -> dict[str, Any]:
    """The fields below the headings, made after them: WTForms orders fields by when they
    were made, and the error summary must list problems in the order of the page."""
    return {"concerns": TextAreaField("Concerns (optional)",
                                      validators=[Optional(), _limit(TEXT_LIMIT)]),
            "agreed_actions": TextAreaField("Actions agreed with the candidate (optional)",
                                            validators=[Optional(), _limit(TEXT_LIMIT)]),
            "confirm_pid": BooleanField(CONFIRM_PID)}


def progress_review_form(caps: Iterable[Capability], **options: Any) -> ProgressReviewForm:
    """The review form with, for each heading, the progress seen and an optional comment."""
    caps = list(caps)

    class Form(ProgressReviewForm):
        pass

    choices = [SelectChoice(code, label) for code, label in LEVELS.items()]
    for cap in caps:
        setattr(Form, f"progress_{cap.id}", RadioField(
            f"{cap.code}. {cap.title}", choices=choices, validate_choice=False,
            validators=[DataRequired(f"Choose the progress on {cap.code}. {cap.title}")]))
        setattr(Form, f"comment_{cap.id}", TextAreaField(
            f"Comment on {cap.code}. {cap.title} (optional)",
            validators=[Optional(), _limit(COMMENT_LIMIT)]))
    for name, field in _after_headings().items():
        setattr(Form, name, field)
    form = Form(**options)
    form.headings = [(cap, form[f"progress_{cap.id}"], form[f"comment_{cap.id}"]) for cap in caps]
    return form


class ResponseForm(FlaskForm):
    """The candidate's one response to a review."""

    response = TextAreaField("Your response", validators=[
        DataRequired("Enter your response"), _limit(TEXT_LIMIT)])
    confirm_pid = BooleanField(CONFIRM_PID)

    def field_for(self, key: str) -> Any:
        """The field a service problem names."""
        return getattr(self, key, None)

"""Forms of the provider pages: providers and reviewers (administrators), approve or refer back."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Optional
from roadmap.form_limits import MaxLength

from roadmap.providers.decisions import REASON_LONGEST
from roadmap.supervision.progress_forms import CONFIRM_PID


def _strip(value: Any) -> Any:
    """A typed value without the spaces around it."""
    return value.strip() if isinstance(value, str) else value


class ProviderForm(FlaskForm):
    """A new education provider."""

    name = StringField("Name", filters=[_strip], validators=[
        DataRequired("Enter the provider's name"),
        MaxLength(200)])


class ReviewerForm(FlaskForm):
    """Someone who will review for a provider: an existing account, or a person to invite."""

    full_name = StringField("Full name", filters=[_strip], validators=[
        DataRequired("Enter the reviewer's full name"), MaxLength(200)])
    email = EmailField("Work email address", filters=[_strip], validators=[
        DataRequired("Enter the reviewer's work email address"),
        Email("Enter an email address in the correct format, like name@example.ac.uk"),
        MaxLength(254)])


class ApproveForm(FlaskForm):
    """Approve the round (who they are is confirmed on the check page, as a supervisor's)."""


class ReferForm(FlaskForm):
    """Refer the round back: an overall reason, and a reason per heading where chosen.

    The heading reasons are fields named `heading-<code>`, one per heading the round rated;
    the view reads them from the request, as the headings come from the round.
    """

    reason = TextAreaField("Why are you referring it back?", filters=[_strip], validators=[
        Optional(), MaxLength(REASON_LONGEST, name="The reason")])
    confirm_pid = BooleanField(CONFIRM_PID)
    pid_shown = HiddenField()  # the digest of the findings the box was ticked under

"""Forms of the region pages: a region's name and target, and a regional lead to add."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Optional
from roadmap.form_limits import Between, MaxLength, WholeNumberField


def _strip(value: Any) -> Any:
    """A typed value without the spaces around it."""
    return value.strip() if isinstance(value, str) else value


class RegionForm(FlaskForm):
    """A region's name and its own annual Stage 2 sign-off target."""

    name = StringField("Name", filters=[_strip], validators=[
        DataRequired("Enter the region's name"),
        MaxLength(200)])
    annual_signoff_target = WholeNumberField(
        "Stage 2 sign-offs a year (target, optional)", subject="the target", example="40",
        validators=[Optional(), Between(0, 100000, name="The target")])


class LeadForm(FlaskForm):
    """Someone who will lead the region: an existing account, or a person to invite."""

    full_name = StringField("Full name", filters=[_strip], validators=[
        DataRequired("Enter the regional lead's full name"), MaxLength(200)])
    email = EmailField("Work email address", filters=[_strip], validators=[
        DataRequired("Enter the regional lead's work email address"),
        Email("Enter an email address in the correct format, like name@example.nhs.uk"),
        MaxLength(254)])

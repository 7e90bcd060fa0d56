"""Forms of the region pages: a region's name and target, and a regional lead to add."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, StringField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional


def _strip(value: Any) -> Any:
    """A typed value without the spaces around it."""
    return value.strip() if isinstance(value, str) else value


class RegionForm(FlaskForm):
    """A region's name and its own annual Stage 2 sign-off target."""

    name = StringField("Name", filters=[_strip], validators=[
        DataRequired("Enter the region's name"),
        Length(max=200, message="Enter 200 characters or fewer")])
    annual_signoff_target = IntegerField(
        "Stage 2 sign-offs a year (target, optional)", validators=[
            Optional(), NumberRange(min=0, max=100000,
                                    message="Enter a whole number from 0 to 100000")])


class LeadForm(FlaskForm):
    """Someone who will lead the region: an existing account, or a person to invite."""

    full_name = StringField("Full name", filters=[_strip], validators=[
        DataRequired("Enter the regional lead's full name"), Length(max=200)])
    email = EmailField("Work email address", filters=[_strip], validators=[
        DataRequired("Enter the regional lead's work email address"),
        Email("Enter an email address in the correct format, like name@example.nhs.uk"),
        Length(max=254)])

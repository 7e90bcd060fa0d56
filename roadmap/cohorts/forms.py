"""Forms of the hub pages: hubs, employers, cohorts, enrolment, CSV import, supervisors."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms.fields.choices import SelectChoice
from wtforms import (BooleanField, EmailField, HiddenField, RadioField, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, Email, Optional
from roadmap.form_limits import Between, MaxLength, WholeNumberField

from roadmap.fields import DateInputField, DateRequired, id_number
from roadmap.supervision.progress_forms import CONFIRM_PID


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class HubForm(FlaskForm):
    """A training hub's name, region and annual Stage 2 sign-off target."""

    name = StringField("Name", filters=[_strip], validators=[
        DataRequired("Enter the hub's name"), MaxLength(200)])
    # The view offers the regions; 0 is "no region". An id no longer offered is refused there.
    region_id = SelectField("Region (optional)", coerce=id_number, validate_choice=False, default=0)
    annual_signoff_target = WholeNumberField(
        "Stage 2 sign-offs a year (target, optional)", subject="the target", example="40",
        validators=[Optional(), Between(0, 10000, name="The target")])


class EmployerForm(FlaskForm):
    """A provider organisation, practice or PCN that employs candidates."""

    name = StringField("Employer name", filters=[_strip], validators=[
        DataRequired("Enter the employer's name"), MaxLength(200)])


class CohortForm(FlaskForm):
    """A new cohort."""

    name = StringField("Cohort name", filters=[_strip], validators=[
        DataRequired("Enter a name for the cohort"), MaxLength(200)])
    starts_on = DateInputField("Start date (optional)")


class EnrolForm(FlaskForm):
    """One candidate to enrol."""

    full_name = StringField("Full name", filters=[_strip], validators=[
        DataRequired("Enter the candidate's full name"), MaxLength(200)])
    email = EmailField("Work email address", filters=[_strip], validators=[
        DataRequired("Enter the candidate's work email address"),
        Email("Enter an email address in the correct format, like name@example.nhs.uk")])
    profession = StringField("Profession (optional)", filters=[_strip],
                             validators=[Optional(), MaxLength(80)])
    employer_id = SelectField("Employer", coerce=id_number, validate_choice=False, default=0)
    provider_id = SelectField("Education provider", coerce=id_number, validate_choice=False,
                              default=0)
    framework_version_id = SelectField("Roadmap", coerce=id_number, validate_choice=False)
    route = RadioField("Route", choices=[SelectChoice("portfolio", "Portfolio route"),
                                         SelectChoice("taught", "Taught route")],
                       default="portfolio", validators=[DataRequired("Select the route")])
    enrolled_on = DateInputField("Enrolment date",
                                 validators=[DateRequired("Enter the enrolment date")])
    stage2_started_on = DateInputField("Stage 2 start date (optional)")
    target_on = DateInputField("Stage 2 target date (optional)")


class ImportForm(FlaskForm):
    """A CSV file to check."""

    file = FileField("CSV file")
    framework_version_id = SelectField("Roadmap", coerce=id_number, validate_choice=False)


class AssignForm(FlaskForm):
    """A primary or backup supervisor from a date, with their FTE and a handover note."""

    kind = RadioField("Supervisor role", choices=[SelectChoice("primary", "Primary supervisor"),
                                                  SelectChoice("backup", "Backup supervisor")],
                      validators=[DataRequired("Select primary or backup supervisor")])
    supervisor_id = SelectField("Supervisor", coerce=id_number, validate_choice=False, default=0)
    fte = StringField("Supervisor's FTE for Roadmap supervision (optional)", filters=[_strip])
    starts_on = DateInputField("Start date", validators=[DateRequired("Enter the start date")])
    handover_note = TextAreaField("Handover note (optional)", filters=[_strip],
                                  validators=[Optional(), MaxLength(2000)])
    confirm_pid = BooleanField(CONFIRM_PID)
    confirm_over_capacity = HiddenField(default="")


class EducationalForm(FlaskForm):
    """An educational supervisor from a date: reads and reviews progress, signs nothing."""

    supervisor_id = SelectField("Educational supervisor", coerce=id_number, validate_choice=False,
                                default=0)
    starts_on = DateInputField("Start date", validators=[DateRequired("Enter the start date")])
    handover_note = TextAreaField("Handover note (optional)", filters=[_strip],
                                  validators=[Optional(), MaxLength(2000)])
    confirm_pid = BooleanField(CONFIRM_PID)


class ProviderChoiceForm(FlaskForm):
    """The education provider that approves the enrolment's stages after the supervisor."""

    provider_id = SelectField("Education provider", coerce=id_number, validate_choice=False,
                              default=0)


class TargetForm(FlaskForm):
    """A new Stage 2 target date, agreed with the employer."""

    target_on = DateInputField("New target date",
                               validators=[DateRequired("Enter the new target date")])

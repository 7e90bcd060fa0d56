"""Sign-in forms."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms import EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional
from roadmap.form_limits import MaxLength

from roadmap.fields import id_number


def _strip(value: str | None) -> str | None:
    """People paste emails with spaces around them."""
    return value.strip() if isinstance(value, str) else value


class SignInForm(FlaskForm):
    """Email address and password."""

    email = EmailField("Email address", filters=[_strip], validators=[
        DataRequired("Enter your email address"),
        Email("Enter an email address in the correct format, like name@example.nhs.uk"),
    ])
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])


class TwoFactorForm(FlaskForm):
    """The 6-digit code from the authenticator app."""

    code = StringField("Security code", validators=[
        DataRequired("Enter the 6-digit code from your authenticator app"),
        Length(min=6, max=20, message="Enter the 6-digit code from your authenticator app, or a recovery code"),
    ])


class NewPasswordForm(FlaskForm):
    """A new password, typed twice; the policy is checked by the view with the person's details."""

    password = PasswordField("New password", validators=[DataRequired("Enter a new password")])
    confirm = PasswordField("Confirm new password", validators=[
        DataRequired("Enter the new password again"),
        EqualTo("password", message="The passwords do not match"),
    ])


class ChangePasswordForm(NewPasswordForm):
    """The current password, then a new one."""

    current = PasswordField("Current password", validators=[DataRequired("Enter your current password")])


class ForgotPasswordForm(FlaskForm):
    """The email address of the account to reset."""

    email = EmailField("Email address", filters=[_strip], validators=[
        DataRequired("Enter your email address"),
        Email("Enter an email address in the correct format, like name@example.nhs.uk"),
    ])


class UnlockForm(FlaskForm):
    """One button: unlocking is a change, so it takes a POST, never the emailed link's GET."""


class ConfirmIdentityForm(FlaskForm):
    """The password or a code from the app, asked again before signing anything."""

    secret = PasswordField("Password or security code", validators=[
        DataRequired("Enter your password or the 6-digit code from your authenticator app")])


REGISTRATION_BODIES = [SelectChoice(value, label) for value, label in (
    ("", "None"), ("HCPC", "HCPC (Health and Care Professions Council)"),
    ("GOsC", "GOsC (General Osteopathic Council)"), ("GMC", "GMC (General Medical Council)"),
    ("NMC", "NMC (Nursing and Midwifery Council)"),
    ("GPhC", "GPhC (General Pharmaceutical Council)"))]


class InviteForm(FlaskForm):
    """Who to invite and as what."""

    full_name = StringField("Full name", filters=[_strip], validators=[
        DataRequired("Enter the person's full name"), MaxLength(200)])
    email = EmailField("Work email address", filters=[_strip], validators=[
        DataRequired("Enter the person's work email address"),
        Email("Enter an email address in the correct format, like name@example.nhs.uk"),
    ])
    role = RadioField("Role", validators=[DataRequired("Select the person's role")])
    profession = StringField("Profession (optional)", filters=[_strip],
                             validators=[Optional(), MaxLength(80)])
    registration_body = SelectField("Professional registration body", choices=REGISTRATION_BODIES,
                                    validate_choice=True, default="")
    registration_number = StringField("Registration number (optional)", filters=[_strip],
                                      validators=[Optional(), MaxLength(40)])
    hub_id = SelectField("Training hub", coerce=id_number, validate_choice=False, default=0)

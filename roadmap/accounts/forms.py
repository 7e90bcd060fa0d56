"""Sign-in forms."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length


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
        Length(min=6, max=9, message="Enter the 6-digit code from your authenticator app"),
    ])

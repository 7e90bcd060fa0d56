"""The forms of feedback rounds and tickets (the questionnaires come from the framework)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from roadmap.form_limits import MaxLength

from roadmap.feedback.assessors import BODIES, OTHER
from roadmap.fields import HiddenNumberField

GROUPS = [SelectChoice("clinical", "Clinical (for example GP, nurse, pharmacist, physiotherapist)"),
          SelectChoice("non_clinical",
                       "Non-clinical (for example reception, care navigation, management)")]


class RaterForm(FlaskForm):
    """A colleague to ask for multi-source feedback."""

    name = StringField("Full name", validators=[MaxLength(200)])
    email = StringField("Work email address", validators=[MaxLength(320)])
    role = StringField("Role", validators=[MaxLength(200)])
    group = RadioField("Clinical or non-clinical", choices=GROUPS, validate_choice=False)


class EmailForm(FlaskForm):
    """A corrected email address for a rater."""

    email = StringField("Corrected work email address", validators=[MaxLength(320)])


class ActionForm(FlaskForm):
    """A one-button form (open, resend, release): only the CSRF token."""


class OpenRoundForm(FlaskForm):
    """Starting a round: the self-assessment is copied for the raters' results, so its text
    passes the patient-identifier check first; the confirmation asked when it was flagged."""

    confirm_pid = BooleanField("I have checked my self-assessment and none of it identifies "
                               "a patient")


class AssessorForm(FlaskForm):
    """A colleague without an account asked to assess a WPBA: their name and email."""

    name = StringField("Assessor's full name", validators=[MaxLength(200)])
    email = StringField("Assessor's work email address", validators=[MaxLength(320)])


REGULATORS = [SelectChoice(body.code, f"{body.code} ({body.name})") for body in BODIES] + [
    SelectChoice(OTHER.code, "Another regulator")]




# In plain words for people without an account: what they confirm when their text was flagged.
CONFIRM_PID = "I have checked what I wrote, and nobody could tell from it who the patient is"


class PidConfirmForm(FlaskForm):
    """Beside a public questionnaire: the respondent's confirmation, after their text was
    flagged, that nobody could tell who the patient is (read with the questionnaire's form,
    so no token of its own)."""

    class Meta:
        csrf = False

    confirm_pid = BooleanField(CONFIRM_PID)


class IdentityForm(FlaskForm):
    """Who the external assessor is, as they sign: name, role, registration, declaration."""

    name = StringField("Your full name", validators=[MaxLength(200)])
    role = StringField("Your job title or role", validators=[MaxLength(200)])
    registration_body = RadioField("Your professional regulator", choices=REGULATORS,
                                   validate_choice=False)
    registration_other = StringField("If another regulator, its name", validators=[MaxLength(100, name="The regulator's name")])
    registration_number = StringField("Your registration number", validators=[MaxLength(30)])
    email = StringField("Your work email address", validators=[MaxLength(254)])
    declaration = BooleanField("I observed this work myself, the assessment is my own, and I am "
                               "not the person being assessed")
    confirm_pid = BooleanField(CONFIRM_PID)
    pid_shown = HiddenField()  # the digest of the findings the box was ticked under
    lock_version = HiddenNumberField()


class DeclarationForm(FlaskForm):
    """The external assessor's declaration, made on the page that reads their answers back."""

    declaration = BooleanField("I observed this work myself, the assessment is my own, and I am "
                               "not the person being assessed")

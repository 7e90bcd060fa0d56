"""Forms of supervision: return, review an external signature, re-confirm identity, rate, sign off."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (BooleanField, HiddenField, PasswordField, RadioField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Optional, ValidationError
from roadmap.form_limits import MaxLength

from roadmap.fields import DateInputField, HiddenNumberField, id_number
from roadmap.supervision.progress_forms import CONFIRM_PID


class ReturnForm(FlaskForm):
    """Send an item back with what to change."""

    comment = TextAreaField("What should the candidate change?", validators=[
        DataRequired("Say what the candidate should change"),
        MaxLength(5000, name="What the candidate should change")])
    lock_version = HiddenNumberField()
    confirm_pid = BooleanField(CONFIRM_PID, id="return-confirm_pid")  # the page has two


class AcceptForm(FlaskForm):
    """Let an external assessor's signature stand, having read it."""

    signature_id = HiddenField()


class DisputeForm(FlaskForm):
    """Dispute an external assessor's signature, saying why."""

    signature_id = HiddenField()
    reason = TextAreaField("Why do you dispute it?", validators=[
        DataRequired("Say why, for the candidate and the record"),
        MaxLength(5000, name="The reason")])
    confirm_pid = BooleanField(CONFIRM_PID, id="dispute-confirm_pid")  # the page has others
    marked = None  # the reason with what may identify a patient highlighted, once refused


class IdentityForm(FlaskForm):
    """Asked on signing pages when the password or code was not entered in the last minutes."""

    identity = PasswordField("Your password or a security code from your app",
                             validators=[Optional()])


class StageSignForm(FlaskForm):
    """Declarations, for a backup supervisor why they sign for the primary, and that the
    reasons for unmet guidance identify no patient (asked when they may). Who they are is
    confirmed on the page that reads it all back (IdentityForm)."""

    declarations = SelectMultipleField("Declarations", validate_choice=False)
    acting_reason = TextAreaField("Why are you signing for the primary supervisor?", validators=[
        Optional(), MaxLength(1000, name="The reason")])
    confirm_pid = BooleanField(CONFIRM_PID)
    pid_shown = HiddenField()  # the digest of the findings the box was ticked under


class PidConfirmForm(FlaskForm):
    """Beside a form built from an evidence type's questions: the writer's confirmation that
    the highlighted text identifies no patient (read with that form, so no token of its own)."""

    class Meta:
        csrf = False

    confirm_pid = BooleanField(CONFIRM_PID)
    pid_shown = HiddenField()  # the digest of the findings the box was ticked under


class RatingForm(FlaskForm):
    """The supervisor's rating of one heading."""

    rating = RadioField("Your rating", validate_choice=False,
                        validators=[DataRequired("Choose your rating")])
    justification = TextAreaField("Why (optional)", validators=[
        Optional(), MaxLength(5000, name="Why")])
    confirm_pid = BooleanField(CONFIRM_PID)


class LinkForm(FlaskForm):
    """Link one more of the candidate's items to the heading."""

    evidence_id = SelectField("Item", coerce=id_number, validate_choice=False,
                              validators=[DataRequired("Choose an item to link")])

    def validate_evidence_id(self, field: SelectField) -> None:
        """Only an item the page offered: a made-up id (or one too large for the database)
        gets the field's message, not a look-up."""
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choose an item to link")


class ObservedForm(FlaskForm):
    """The kind, title and date of a WPBA the supervisor observed."""

    type_code = SelectField("Kind of assessment", validate_choice=False,
                            validators=[DataRequired("Choose the kind of assessment")])
    title = StringField("Title", validators=[DataRequired("Enter a title"), MaxLength(200)])
    occurred_on = DateInputField("Date observed",
                                 validators=[DataRequired("Enter the date you observed it")])
    confirm_pid = BooleanField(CONFIRM_PID)

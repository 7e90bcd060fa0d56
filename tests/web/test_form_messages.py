"""Every form's length and number messages name their field, in the NHS style (issue 17).

WTForms' own messages ("Field cannot be longer than 200 characters.", "Not a valid decimal
value.") name no field; in a form of sixteen boxes the person cannot tell which one is meant.
Each form class is built in a request, every typed box is filled far past any limit (and with
"1,5" where a number is asked), and no message may be WTForms' or the old house wording.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from types import SimpleNamespace

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DecimalField, IntegerField, StringField, TextAreaField

import roadmap
from roadmap.supervision.progress_forms import progress_review_form

DEFAULTS = re.compile(r"Field cannot be longer|Field must be|Not a valid (decimal|integer|float)"
                      r"|Number must be|Write at most|Enter \d+ characters|Enter a whole number from")
NAMED = re.compile(r"^\S.* must be [\d,]+ characters or fewer$|^Enter .+ as a (whole )?number, like")


def _form_classes() -> list[type]:
    """Every FlaskForm subclass the application defines."""
    for info in pkgutil.walk_packages(roadmap.__path__, "roadmap."):
        if info.name.endswith(("forms", "views", "pages", "blueprint", "public", "tickets")) \
                or ".views." in info.name:
            importlib.import_module(info.name)
    found, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("roadmap."):
            found.append(cls)
    return found


def _overfilled(form: FlaskForm) -> MultiDict:
    """Every typed box far too long, every number box "1,5"."""
    data = MultiDict()
    for field in form:
        if isinstance(field, (DecimalField, IntegerField)):
            data[field.name] = "1,5"
        elif isinstance(field, (StringField, TextAreaField)):
            data[field.name] = "x" * 100_001
    return data


def _messages(form: FlaskForm) -> dict[str, list[str]]:
    form.process(_overfilled(form))
    for field in form:  # choices a view fills in; none is posted here
        if getattr(field, "choices", "") is None:
            field.choices = []
    form.validate()
    return {name: list(errors) for name, errors in form.errors.items()}


def test_no_form_gives_a_wtforms_default_or_nameless_limit_message(app):
    classes = _form_classes()
    assert len(classes) >= 30  # the walk found the application's forms
    checked, numbers = 0, 0
    with app.test_request_context(method="POST"):
        for cls in classes:
            try:
                form = cls(meta={"csrf": False})
            except TypeError:  # built by a function with its questions; covered below and over HTTP
                continue
            for name, errors in _messages(form).items():
                for message in errors:
                    assert not DEFAULTS.search(message), (cls.__name__, name, message)
                    if "characters" in message or "number" in message.lower():
                        assert NAMED.search(message), (cls.__name__, name, message)
                    numbers += "as a whole number" in message
                checked += 1
    assert checked >= 25 and numbers >= 2  # the limits were reached, not skipped


def test_progress_review_messages_name_each_box_with_a_thousands_comma(app):
    caps = [SimpleNamespace(id=1, code="1", title="Communication"),
            SimpleNamespace(id=2, code="2", title="Examination")]
    with app.test_request_context(method="POST"):
        form = progress_review_form(caps, meta={"csrf": False})
        errors = _messages(form)
    assert errors["concerns"] == ["Concerns must be 5,000 characters or fewer"]
    assert errors["agreed_actions"] == [
        "Actions agreed with the candidate must be 5,000 characters or fewer"]
    assert errors["comment_2"] == ["Comment on 2. Examination must be 2,000 characters or fewer"]


def test_a_number_that_is_not_a_number_gets_one_message(app):
    from roadmap.cohorts.forms import HubForm
    with app.test_request_context(method="POST"):
        form = HubForm(MultiDict({"name": "Hub", "annual_signoff_target": "1,5"}),
                       meta={"csrf": False})
        form.validate()
        assert form.annual_signoff_target.errors == [
            "Enter the target as a whole number, like 40"]
        form = HubForm(MultiDict({"name": "Hub", "annual_signoff_target": "20000"}),
                       meta={"csrf": False})
        form.validate()
        assert form.annual_signoff_target.errors == ["The target must be between 0 and 10,000"]


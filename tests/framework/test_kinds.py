"""The table of question kinds: every kind the schema allows has its entry and its macro."""
from __future__ import annotations

import typing

import pytest
from flask import render_template_string
from wtforms import Form

from roadmap.framework import definitions
from roadmap.framework.kinds import KINDS
from roadmap.framework.schema import FormField

SCALES = {"grade": {"code": "grade", "label": "Grade",
                    "levels": [{"code": "low", "label": "Low"}, {"code": "high", "label": "High"}]}}
# One good kept answer of each kind, as a form posts it back after an edit.
ANSWERS = {"text": "A few words", "textarea": "Some **longer** words", "date": "2026-05-01",
           "number": 3, "select": "a", "radios": "b", "checkboxes": ["a", "b"], "rating": "high"}
USE_MACRO = '{% from "portfolio/_fields.html" import answer_field %}{{ answer_field(field, spec) }}'


def _spec(kind: str) -> dict[str, typing.Any]:
    """A required question of a kind, as the schema keeps it in a definition."""
    extra: dict[str, typing.Any] = {}
    if KINDS[kind].options:
        extra["options"] = [{"code": "a", "label": "Apple"}, {"code": "b", "label": "Banana"}]
    if KINDS[kind].scale:
        extra["scale"] = "grade"
    return FormField.model_validate({"code": "q", "label": "Your question", "kind": kind,
                                     "required": True, **extra}).model_dump(mode="json")


def test_the_table_has_every_kind_the_schema_allows_and_no_other():
    allowed = set(typing.get_args(FormField.model_fields["kind"].annotation))
    assert allowed == set(KINDS)


def test_every_kind_has_its_macro(app):
    macros = app.jinja_env.get_template("portfolio/_kinds.html").module
    missing = [kind for kind in KINDS if not callable(getattr(macros, kind, None))]
    assert not missing, f"name a macro of templates/portfolio/_kinds.html after: {missing}"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_renders_its_field_with_the_saved_answer(app, kind):
    spec = _spec(kind)
    form_class = type("QuestionForm", (Form,), {"answer_q": definitions.form_field(spec, SCALES)})
    with app.test_request_context():
        form = form_class()
        form.answer_q.data = definitions.form_data(spec, ANSWERS[kind])
        page = render_template_string(USE_MACRO, field=form.answer_q, spec=spec)
    named = 'name="answer_q-day"' if kind == "date" else 'name="answer_q"'  # a date: three boxes
    assert named in page and "Your question" in page


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_keeps_checks_and_shows_a_good_answer(app, kind):
    assert set(ANSWERS) == set(KINDS), "give the new kind a good answer in ANSWERS"
    spec, answer = _spec(kind), ANSWERS[kind]
    assert definitions.kept(spec, definitions.form_data(spec, answer)) == answer
    assert definitions.check([spec], {"q": answer}, definitions.scale_levels(
        {"scales": list(SCALES.values())})) == {}
    with app.app_context():
        assert definitions.display_answer(spec, {"q": answer}, SCALES) not in (None, "")
    assert definitions.check([spec], {}, {}) == {"q": "Answer: Your question"}


def test_free_text_is_only_typed_words_and_a_textarea_is_always_scanned():
    assert {k for k, kind in KINDS.items() if kind.text} == {"text", "textarea"}
    assert definitions.is_free_text({**_spec("textarea"), "free_text": False})
    assert not definitions.is_free_text({**_spec("text"), "free_text": False})
    assert not definitions.is_free_text(_spec("number"))

"""The shape of an evidence form in a roadmap file: sections of questions, and templates.

Each question's kind decides what else it may carry (roadmap.framework.kinds).
"""
from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import Field, model_validator

from roadmap.framework.kinds import KINDS
from roadmap.framework.schema_types import Code, Code10, Strict, Text, Title

_WORDS = {2: "two", 3: "three"}  # "needs at least two options", as authors read it


class Option(Strict):
    """One choice of a select, radios or checkboxes field."""

    code: Code
    label: Title
    hint: Optional[Text] = None


class FormField(Strict):
    """One question on an evidence form."""

    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
    label: Text
    # The label as someone other than its writer reads it, where `label` speaks to the writer
    # ("What you took from it" -> "What the candidate took from it"): a supervisor reading
    # the candidate's answers is not "you" (issue 17 #5).
    read_label: Optional[Text] = None
    kind: Literal["text", "textarea", "date", "select", "radios", "checkboxes", "number", "rating"]
    required: bool = False
    hint: Optional[Text] = None
    options: list[Option] = []
    scale: Optional[Code] = None
    # Checked for patient-identifiable data (rule D9); defaults to true for text and textarea.
    free_text: Optional[bool] = None
    max_words: Optional[int] = Field(None, ge=1, le=5000)
    min: Optional[int] = None
    max: Optional[int] = None
    capabilities: list[Code10] = []  # headings this question gives evidence for

    @model_validator(mode="after")
    def _fits_kind(self) -> FormField:
        """Options only on choices, a scale only on ratings, free text only on text (KINDS)."""
        kind, rules = self.kind, KINDS[self.kind]
        if rules.options and not self.options:
            raise ValueError(f"a {kind} field needs options")
        if not rules.options and self.options:
            raise ValueError(f"a {kind} field takes no options")
        if len(self.options) < rules.options:
            least = _WORDS.get(rules.options, rules.options)
            raise ValueError(f"a {kind} field needs at least {least} options")
        if rules.scale and self.scale is None:
            raise ValueError(f"a {kind} field needs a scale")
        if not rules.scale and self.scale is not None:
            raise ValueError(f"a {kind} field takes no scale")
        if rules.always_scanned and self.free_text is False:
            raise ValueError(f"a {kind} is always free text and is always checked")
        if not rules.text and self.free_text:
            raise ValueError(f"a {kind} field cannot be free text")
        if not rules.text and self.max_words is not None:
            raise ValueError(f"a {kind} field takes no max_words")
        if not rules.bounds and (self.min is not None or self.max is not None):
            raise ValueError(f"a {kind} field takes no min or max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        if self.free_text is None:
            self.free_text = rules.text
        return self


class Section(Strict):
    """A part of a form completed by one party: the candidate, the assessor or a respondent."""

    code: Code
    title: Title
    completed_by: Literal["candidate", "assessor", "respondent"]
    hint: Optional[Text] = None
    fields: list[FormField] = Field(min_length=1)


class Template(Strict):
    """An alternative layout of a form the candidate chooses, e.g. a reflective model."""

    code: Code
    name: Title
    description: Optional[Text] = None
    sections: list[Section] = Field(min_length=1)

"""The shape of a roadmap file (capabilities/*.yaml): pydantic models, unknown keys refused (D1).

The checks that span several parts (codes unique, references that resolve, thresholds that
make sense together) live in roadmap.framework.checks, which also offers validate().
"""
from __future__ import annotations

from typing import Annotated, Any, Literal, Optional

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field,
                      SerializerFunctionWrapHandler, model_serializer, model_validator)

from roadmap.framework.kinds import KINDS
from roadmap.framework.strengths import PARTIES, STRENGTHS, VERSION_1_APPROVALS

SCHEMA_VERSION = 2
# The portfolio gives every item these itself; a form field of the same name would shadow them.
RESERVED_FIELD_CODES = {"title", "occurred_on", "capabilities", "attachments", "status"}
_WORDS = {2: "two", 3: "three"}  # "needs at least two options", as authors read it


def _number_to_str(value: Any) -> Any:
    """Let authors write `code: 3` for `code: "3"`; YAML reads the former as a number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _code(max_length: int) -> Any:
    """A code: letters, digits, dots, dashes and underscores, as short as its database column."""
    return Annotated[str, BeforeValidator(_number_to_str),
                     Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=max_length)]


def _one_of(what: str, allowed: tuple[str, ...]) -> Any:
    """A string from a closed set, refused with the set named."""
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"unknown {what} {value!r} ({', '.join(allowed)})")
        return value
    return Annotated[str, AfterValidator(check)]


Code = _code(40)
Code10 = _code(10)
Code20 = _code(20)
Text = Annotated[str, Field(min_length=1)]
Title = Annotated[str, Field(min_length=1, max_length=200)]


class Strict(BaseModel):
    """No unknown keys, no silent type coercion, surrounding whitespace trimmed."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


class Level(Strict):
    """One step of a scale; `supportive` marks the capability ratings that allow sign-off."""

    code: Code
    label: Title
    description: Optional[Text] = None
    supportive: bool = False


class Scale(Strict):
    """A named rating scale that fields and capability headings refer to by code."""

    code: Code
    label: Title
    description: Optional[Text] = None
    levels: list[Level] = Field(min_length=2)


class Domain(Strict):
    """A group of capability headings."""

    code: Code10
    title: Title
    description: Optional[Text] = None


class Outcome(Strict):
    """An outcome descriptor under a capability, added by a hub that holds the wording."""

    code: Code20
    text: Text


class Capability(Strict):
    """A capability heading: evidence is linked and ratings given against it."""

    code: Code10
    title: Title
    domain: Code10
    description: Optional[Text] = None
    outcomes: list[Outcome] = []


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


class EvidenceType(Strict):
    """A kind of evidence with its form: common sections plus, optionally, one chosen template."""

    code: Code
    name: Title
    short_name: Optional[Annotated[str, Field(min_length=1, max_length=20)]] = None
    description: Optional[Text] = None
    is_wpba: bool = False
    attachments: Literal["none", "optional", "required"] = "optional"
    min_capabilities: int = Field(0, ge=0)
    max_capabilities: Optional[int] = Field(None, ge=1)
    suggested_capabilities: list[Code10] = []
    rate_linked_capabilities: Optional[Code] = None  # scale the assessor grades links on
    sections: list[Section] = []
    templates: list[Template] = []

    @model_validator(mode="after")
    def _has_form(self) -> EvidenceType:
        """A form with nothing to fill in is a mistake."""
        if not self.sections and not self.templates:
            raise ValueError("an evidence type needs sections or templates")
        return self


class Elearning(Strict):
    """A module whose certificate a stage requires."""

    code: Code
    title: Title
    provider: Optional[Title] = None
    evidence_type: Code  # the evidence type that carries the certificate
    example: bool = False  # true: an example the hub must confirm, not a national requirement


class Declaration(Strict):
    """A statement one party signs when the stage is signed off."""

    code: Code
    signed_by: Literal["candidate", "supervisor"]
    text: Text


class SignOff(Strict):
    """What sign-off of a stage asks for."""

    every_capability_supportive: bool = False  # supervisor rates every heading supportively
    declarations: list[Declaration] = []


Strength = _one_of("strength", STRENGTHS)
Party = _one_of("party", PARTIES)


class MultiSourceFeedback(Strict):
    """Minimum colleague responses before MSF results are shown (rule D7); none: no minimum."""

    evidence_type: Code
    min_responses: Optional[int] = Field(None, ge=1, le=100)
    min_clinical: int = Field(0, ge=0, le=100)
    min_non_clinical: int = Field(0, ge=0, le=100)
    self_assessment_first: bool = True


class PatientQuestionnaire(Strict):
    """Minimum patient responses before PSQ results are shown (rule D7); none: no minimum."""

    evidence_type: Code
    min_responses: Optional[int] = Field(None, ge=1, le=500)
    self_assessment_first: bool = True


class Requirements(Strict):
    """The rules of a stage; none of them is written in code."""

    requires_stage: Optional[Code20] = None
    evidence_types: list[Code] = Field(min_length=1)
    capabilities: Optional[list[Code10]] = None  # None: every capability heading
    min_evidence_per_capability: Optional[int] = Field(None, ge=1, le=50)
    wpba_per_month: Optional[int] = Field(None, ge=1, le=20)
    expected_months: Optional[int] = Field(None, ge=1, le=60)
    msf: Optional[MultiSourceFeedback] = None
    psq: Optional[PatientQuestionnaire] = None
    required_elearning: list[Elearning] = []
    sign_off: SignOff = Field(default_factory=SignOff)
    # Schema version 2 (roadmap.framework.strengths): check code -> gate or guidance, and the
    # parties who approve the stage, in order. None in a version 1 file.
    strengths: Optional[dict[str, Strength]] = None
    approvals: Optional[list[Party]] = None

    @model_serializer(mode="wrap")
    def _without_absent_version_2_keys(self, handler: SerializerFunctionWrapHandler) -> Any:
        """Leave out what a version 1 file cannot have, so its content hash stays as it was."""
        return {key: value for key, value in handler(self).items()
                if value is not None or key not in ("strengths", "approvals")}


class Stage(Strict):
    """A stage of the roadmap."""

    code: Code20
    name: Title
    description: Optional[Text] = None
    requirements: Requirements


class LearningNeeds(Strict):
    """The learning needs analysis (D12, version 2): the candidate's form, the stage whose
    requirements earlier study may meet, and the evidence type that keeps its uploaded files."""

    title: Title
    description: Optional[Text] = None
    stage: Code20
    evidence_type: Code
    sections: list[Section] = Field(min_length=1)


class Framework(Strict):
    """One roadmap: its capabilities, scales, stages and evidence forms."""

    schema_version: Literal[1, 2]
    slug: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
    title: Title
    description: Optional[Text] = None
    source: Optional[Text] = None
    capability_scale: Code
    domains: list[Domain] = Field(min_length=1)
    capabilities: list[Capability] = Field(min_length=1)
    scales: list[Scale] = Field(min_length=1)
    stages: list[Stage] = Field(min_length=1)
    evidence_types: list[EvidenceType] = Field(min_length=1)
    lna: Optional[LearningNeeds] = None  # version 2

    @model_serializer(mode="wrap")
    def _without_absent_lna(self, handler: SerializerFunctionWrapHandler) -> Any:
        """Leave out an absent analysis, so a file without one keeps its content hash."""
        return {key: value for key, value in handler(self).items()
                if value is not None or key != "lna"}

    @model_validator(mode="after")
    def _version_2_defaults(self) -> Framework:
        """Version 2 spells out every stage's strengths and approvals (version 1 has none)."""
        if self.schema_version >= 2:
            for req in (stage.requirements for stage in self.stages):
                if req.strengths is None:
                    req.strengths = {}
                if req.approvals is None:
                    req.approvals = list(VERSION_1_APPROVALS)
        return self

"""The shape of a roadmap file (capabilities/*.yaml): pydantic models, unknown keys refused (D1).

The checks that span several parts (codes unique, references that resolve, thresholds that
make sense together) live in roadmap.framework.checks, which also offers validate().
"""
from __future__ import annotations

from typing import Annotated, Any, Literal, Optional

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer, model_validator

from roadmap.framework.form_schema import FormField, Option, Section, Template  # noqa: F401 (re-exported)
from roadmap.framework.schema_types import Code, Code10, Code20, Strict, Text, Title, one_of
from roadmap.framework.strengths import PARTIES, STRENGTHS, VERSION_1_APPROVALS

SCHEMA_VERSION = 2
# The portfolio gives every item these itself; a form field of the same name would shadow them.
RESERVED_FIELD_CODES = {"title", "occurred_on", "capabilities", "attachments", "status"}


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


Strength = one_of("strength", STRENGTHS)
Party = one_of("party", PARTIES)


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

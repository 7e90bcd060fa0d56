"""Plausible demo answers for any evidence form, generated from its definition in the framework."""
from __future__ import annotations

import datetime as dt
import random
from typing import Any, Callable, Iterable, NamedTuple, Optional

from roadmap.framework import definitions

CASES = (
    ("Shoulder pain in a decorator", "shoulder",
     "A decorator with six weeks of lateral shoulder pain on overhead work. I screened for red "
     "flags, examined the cervical spine and shoulder, and agreed a working diagnosis of rotator "
     "cuff related shoulder pain."),
    ("Low back pain with leg symptoms", "low_back",
     "Acute low back pain with unilateral leg pain below the knee. I checked for cauda equina "
     "symptoms, completed a neurological examination and safety-netted clearly."),
    ("Knee pain after a fall", "knee",
     "Knee pain and swelling after a twisting fall. I applied the Ottawa knee rules, examined "
     "ligament stability and discussed when imaging would change management."),
    ("Hand stiffness in the mornings", "wrist_hand",
     "Bilateral hand stiffness lasting over an hour each morning with swollen MCP joints. I "
     "considered inflammatory arthritis and discussed urgent referral with the GP."),
    ("Heel pain in a runner", "foot_ankle",
     "Plantar heel pain worse on first steps in the morning. I explored load, footwear and "
     "beliefs, and agreed a graded loading plan with self-management advice."),
    ("Neck pain in an office worker", "neck",
     "Persistent neck pain with headaches in an office worker. I explored sleep, mood and work "
     "set-up, and we agreed a plan built on exercise and pacing."),
    ("Hip pain limiting walking", "hip",
     "Groin pain and reduced walking tolerance. Examination suggested hip osteoarthritis; we "
     "discussed weight management, exercise and when surgery might be considered."),
    ("Request for a steroid injection", "shoulder",
     "A patient asked for a steroid injection for a painful shoulder. We discussed benefits, "
     "risks and alternatives using a decision aid before agreeing a plan."),
)

REFLECTIONS = (
    "I noticed I moved to examination before fully exploring the patient's concerns. Next time "
    "I will summarise their ideas and expectations first.",
    "Discussing the case with my supervisor helped me weigh when imaging changes management. "
    "I will review the local imaging pathway this week.",
    "I felt uncertain explaining medication options. I have booked a tutorial on analgesia in "
    "primary care and will re-read the relevant guidance.",
    "Safety-netting went well: the patient repeated back what to do if symptoms changed. I "
    "want to keep doing this in every consultation.",
)

# What the candidate would like to discuss in a CBD: questions, not the case again.
QUESTIONS = (
    "Whether I should have requested imaging at the first visit, and how to explain to the "
    "patient why I did not.",
    "How far to go with the examination when time is short, and which findings would have "
    "changed my plan.",
    "When to refer on rather than manage in primary care, and how to agree that with the GP.",
)

# An assessor's words, each answering its own question: what went well, what to develop,
# the actions agreed, the candidate's reasoning, a comment or a summary of a discussion.
ASSESSOR = {
    "strengths": ("Clear, structured history with good red-flag screening, and a plan the "
                  "patient could repeat back.",
                  "Good shared decision making: the options were set out fairly and the "
                  "patient's preference shaped the plan."),
    "development": ("Explore the impact on work and daily life earlier in the consultation.",
                    "Focus the examination on the working hypothesis rather than a full "
                    "screen of every joint."),
    "agreed_actions": ("Observe one more consultation with a complex presentation.",
                       "Practise a focused examination sequence and discuss it at the next "
                       "tutorial."),
    "reasoning": ("Sound reasoning: serious causes were ruled out first, and the working "
                  "diagnosis fitted the findings.",
                  "Weighed the options well and knew when the GP needed to be involved."),
    "summary": ("We went through the results together. They match what we see in clinic; "
                "we agreed the candidate's plan and will look at it again at the next review.",),
    "comment": ("A thoughtful piece of work that shows learning applied in practice.",
                "Well reflected; the actions are specific and realistic."),
    "observer_training": ("Trained in this procedure; I perform and teach it in clinic.",),
}

# The candidate's response to an assessor's feedback.
RESPONSES = (
    "I agree with the feedback. I will ask about work and daily life before I examine.",
    "Useful feedback: I will plan a focused examination from my working hypothesis.",
)


class _Case(NamedTuple):
    """What one demo item is about, for the answers of every question."""

    story: str
    region: str
    scales: dict[str, list[str]]
    when: dt.date
    party: Optional[str]


def sample_answers(definition: dict[str, Any], rng: random.Random, case_index: int,
                   template: Optional[str], parties: Iterable[str],
                   scales: dict[str, list[str]], when: dt.date) -> dict[str, Any]:
    """Answers for every field in the sections the given parties complete."""
    answers: dict[str, Any] = {}
    title, region, story = CASES[case_index % len(CASES)]
    for section in definitions.sections(definition, template, parties):
        case = _Case(story, region, scales, when, section.get("completed_by"))
        for field in section["fields"]:
            answer = _ANSWERS.get(field["kind"])
            answers[field["code"]] = answer(field, rng, case) if answer else None
    return answers


def heading_grades(definition: dict[str, Any], rng: random.Random,
                   headings: Iterable[tuple[str, str]],
                   scales: dict[str, list[str]]) -> dict[str, Any]:
    """A grade for each linked heading where the type asks the assessor for one: the third
    or fourth level of its scale (a progressing candidate; never "not observed")."""
    grades = {}
    for spec in definitions.heading_grades(definition, list(headings)):
        levels = scales.get(spec["scale"], [])
        grades[spec["code"]] = rng.choice(levels[2:4]) if len(levels) >= 4 else levels[-1]
    return grades


def case_title(case_index: int) -> str:
    """The title of a demo case."""
    return CASES[case_index % len(CASES)][0]


def _written(whole: bool) -> Callable[[dict[str, Any], random.Random, _Case], Any]:
    """Feedback from an assessor, a reflection where one is asked for, else the story."""
    def answer(field: dict[str, Any], rng: random.Random, case: _Case) -> Any:
        if case.party == "assessor":
            return rng.choice(_assessor_words(field["code"]))
        if field["code"] == "questions":
            return rng.choice(QUESTIONS)
        if field["code"] == "response":
            return rng.choice(RESPONSES)
        if "reflect" in field["code"] or "learn" in field["code"] or "next" in field["code"]:
            return rng.choice(REFLECTIONS)
        return case.story if whole else case.story.split(".")[0][:120]
    return answer


def _assessor_words(code: str) -> tuple[str, ...]:
    """The assessor's words for a question, by what it asks (its code); a comment on a part
    of a report (`..._comment`) or anything else is a comment."""
    if code.endswith("comment"):
        return ASSESSOR["comment"]
    for key in ("strengths", "development", "agreed_actions", "reasoning", "summary",
                "observer_training"):
        if key in code:
            return ASSESSOR[key]
    return ASSESSOR["comment"]


def _number(field: dict[str, Any], rng: random.Random, case: _Case) -> Any:
    low = field.get("min") if field.get("min") is not None else 1
    high = field.get("max") if field.get("max") is not None else max(low, 10)
    return rng.randint(low, min(high, low + 20))


def _one(field: dict[str, Any], rng: random.Random, case: _Case) -> Any:
    codes = [option["code"] for option in field.get("options", [])]
    return case.region if case.region in codes else rng.choice(codes)


def _some(field: dict[str, Any], rng: random.Random, case: _Case) -> Any:
    codes = [option["code"] for option in field.get("options", [])]
    return sorted(rng.sample(codes, k=min(len(codes), rng.randint(1, 2))))


def _rating(field: dict[str, Any], rng: random.Random, case: _Case) -> Any:
    levels = case.scales.get(field["scale"], [])
    # Mostly the upper levels: these are candidates who are progressing.
    return levels[-2] if levels and rng.random() < 0.7 else (levels[-1] if levels else None)


# A demo answer by kind of question (framework/kinds.py); a kind not here is left blank.
_ANSWERS: dict[str, Callable[[dict[str, Any], random.Random, _Case], Any]] = {
    "text": _written(whole=False), "textarea": _written(whole=True),
    "date": lambda field, rng, case: case.when.isoformat(), "number": _number,
    "select": _one, "radios": _one, "checkboxes": _some, "rating": _rating,
}

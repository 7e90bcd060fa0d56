"""MSF and PSQ rounds in the story (rule D7): self-assessment first, then answers, then release.

Colleagues answer through the single-use links their invitations carry, patients through the
round's poster link, each on a day of their own; the supervisor reviews the results and
releases them; the candidate reflects and submits the item; the supervisor signs it.
"""
from __future__ import annotations

from typing import Any

from roadmap.demo import items
from roadmap.demo.candidate import Candidate
from roadmap.demo.story import Thread
from roadmap.demo.world import World
from roadmap.feedback import responses, rounds, rules
from roadmap.portfolio import service as portfolio

COLLEAGUES = (
    ("Rachel Green", "Practice nurse", "clinical"), ("Omar Haddad", "GP partner", "clinical"),
    ("Lucy Barnes", "Receptionist", "non_clinical"), ("Peter Lang", "Clinical pharmacist", "clinical"),
    ("Joy Mensah", "Care navigator", "non_clinical"), ("Nina Shaw", "Physiotherapist", "clinical"),
    ("Carl Webb", "Practice manager", "non_clinical"), ("Dana Cole", "Paramedic", "clinical"),
)
HIGHLIGHTS = ("Calm and clear with patients, and quick to ask for help when unsure.",
              "Explains plans well and writes notes the rest of the team can follow.",
              "Reliable, friendly with the whole team, and keeps to time in clinic.")
DEVELOP = ("Could share more of what they know with the nursing team.",
           "Sometimes runs late when a consultation gets complex.", "")
PATIENT_COMMENTS = ("Listened properly and explained my knee in plain words.",
                    "I left knowing what to do and when to come back.", "",
                    "Very helpful exercises, thank you.")
# What the candidate makes of each kind of round: colleagues answer an MSF, patients a PSQ.
REFLECTION = {
    "msf": ("Colleagues value my clear explanations; I will work on keeping to time by "
            "agreeing the agenda at the start of each consultation."),
    "psq": ("Patients say I listen and explain their problem in plain words; fewer rated the "
            "telephone reviews highly, so I will send a written plan after each one."),
}


def _rater_answers(w: World, group: str, n: int) -> dict[str, Any]:
    level = "above" if n % 3 == 0 else "meets"
    return {"respondent_group": group, "professional_behaviour": level,
            "clinical_performance": level if group == "clinical" else None,
            "highlights": HIGHLIGHTS[n % len(HIGHLIGHTS)], "development": DEVELOP[n % len(DEVELOP)]}


def _patient_answers(n: int) -> dict[str, Any]:
    levels = ("very_good", "excellent", "good", "excellent")
    questions = ("welcome", "listening", "explanation", "involvement", "confidence", "next_steps",
                 "if_worse", "respect", "trust")
    return {"consultation_type": ("face_to_face", "telephone")[n % 2],
            **{q: levels[(n + i) % len(levels)] for i, q in enumerate(questions)},
            "comments": PATIENT_COMMENTS[n % len(PATIENT_COMMENTS)]}


def _finish(w: World, c: Candidate, evidence: Any, index: int, released: int,
            complete: bool) -> Thread:
    """The supervisor releases the results; the candidate reflects and submits; it is signed."""
    yield w.at(released, 12)
    etype = w.types_by_id[evidence.evidence_type_id]
    rule = rules.rule_for(w.session, etype)
    assert rule is not None
    rounds.release(w.session, evidence, c.primary, rule)
    if not complete:
        return
    yield w.at(released - 1, 19, 30)
    portfolio.update_evidence(w.session, evidence, c.user, evidence.lock_version, evidence.title,
                              evidence.occurred_on, {**evidence.fields, "reflection": REFLECTION[etype.code]},
                              portfolio.current_links(w.session, evidence))
    items.submit(w, c, evidence, c.primary.id)
    yield w.at(released - 3, 12, 40)
    items.sign(w, evidence, c.primary, index)


def msf(w: World, c: Candidate, occurred: int, asked: int = 8, answering: int = 7,
        release: bool = True, complete: bool = True) -> Thread:
    """A multi-source feedback round: `asked` colleagues invited, `answering` answer a day apart."""
    yield w.at(occurred, 17, 30)
    index = next(c.numbers)
    own = {"self_professional_behaviour": "meets", "self_clinical_performance": "meets",
           "self_highlights": "I think colleagues value that I am approachable.",
           "self_development": "Keeping to time when a consultation becomes complex."}
    evidence = items.create(w, c, w.types["msf"], occurred, index, None, own,
                            "Multi-source feedback from the practice team")
    rounds.open_round(w.session, evidence, c.user)
    number = c.plan.person.email.split("@")[0].removeprefix("candidate")
    invited = []
    for name, role, group in COLLEAGUES[:asked]:
        email = f"{name.lower().replace(' ', '.')}{number}@example.nhs.uk"
        rounds.add_rater(w.session, evidence, c.user, name, email, role, group)
        invited.append((email, group))
    for n, (email, group) in enumerate(invited[:answering]):
        yield w.at(occurred - 1 - n, 9 + n % 8, 10)
        opened = responses.open_rater_link(w.session, w.emailed_token(email, "colleague"), None)
        if opened.problem:
            raise RuntimeError(f"a colleague's link cannot be used: {opened.problem}")
        responses.submit_rater(w.session, opened, _rater_answers(w, group, n))
    if release:
        yield from _finish(w, c, evidence, index, occurred - answering - 2, complete)


def psq(w: World, c: Candidate, occurred: int, patients: int = 12, release: bool = True,
        complete: bool = True) -> Thread:
    """A patient questionnaire round: the poster's link, answered by a few patients a day."""
    yield w.at(occurred, 17, 45)
    index = next(c.numbers)
    own = {"self_overall": "very_good",
           "self_comment": "Most patients leave with a clear plan, but telephone reviews are harder."}
    evidence = items.create(w, c, w.types["psq"], occurred, index, None, own,
                            "Patient questionnaire, MSK clinic")
    record = rounds.open_round(w.session, evidence, c.user)
    token = rounds.psq_token(record)  # the link on the poster the practice team hands out
    for n in range(patients):
        yield w.at(occurred - 1 - n // 3, 9 + (n % 3) * 2, 20)
        opened = responses.open_poster_link(w.session, token, None)
        if opened.problem:
            raise RuntimeError(f"the poster's link cannot be used: {opened.problem}")
        responses.submit_patient(w.session, opened, _patient_answers(n), None)
    if release:
        yield from _finish(w, c, evidence, index, occurred - (patients + 2) // 3 - 2, complete)

"""A candidate's Stage 2 portfolio in the story: items over the months, rounds, ratings, reviews.

A full portfolio meets the Stage 2 guidance as the roadmap states it (D3, D7, D10): twelve
WPBAs, three items a heading, an MSF and a PSQ round. Others are as far as their plan says.
"""
from __future__ import annotations

from typing import Optional

from roadmap.demo import items, people, rounds
from roadmap.demo.candidate import Candidate
from roadmap.demo.story import Thread
from roadmap.demo.world import World
from roadmap.links import absolute_url
from roadmap.portfolio import ratings as self_ratings
from roadmap.supervision import progress_reviews, ratings

# Twelve WPBAs (three COT, four CBD, three mini-CEX, two CEPS/DOPS) among every other kind.
FULL = (("cot", None), ("cbd", None), ("case_mix", None), ("mini_cex", None),
        ("learning_log", None), ("cbd", None), ("reflection", "gibbs"), ("cot", None),
        ("ceps_dops", None), ("case_mix", None), ("tutorial_record", None), ("mini_cex", None),
        ("cbd", None), ("csr", None), ("cot", None), ("reflection", "what_so_what_now_what"),
        ("ceps_dops", None), ("audit_qip", None), ("mini_cex", None), ("cbd", None),
        ("pdp", None), ("case_mix", None))
SHORT_OF_PACE = {14, 19}  # a ready portfolio without these two WPBAs: ten of the twelve
SOME = (("cbd", None), ("cot", None), ("case_mix", None), ("learning_log", None),
        ("mini_cex", None), ("reflection", "gibbs"), ("ceps_dops", None),
        ("tutorial_record", None), ("case_mix", None), ("cbd", None), ("audit_qip", None),
        ("reflection", "what_so_what_now_what"))
SELF = ("My signed WPBAs and reflections show this across different presentations.",
        "The linked assessments and feedback show this consistently in clinic.")
AGREED = "Agree: well evidenced in the items linked and in what I see in clinic."


def _spread(first: int, last: int, count: int) -> list[int]:
    """Days (ago) from `first` to `last`, about evenly apart."""
    if count <= 1:
        return [last][:count]
    step = (first - last) / (count - 1)
    return [round(first - n * step) for n in range(count)]


def full(w: World, c: Candidate, start: int, end: int, ready_only: bool = False) -> None:
    """Start the threads of a full Stage 2 portfolio, every item signed by `end` days ago."""
    recipe = [kind for n, kind in enumerate(FULL) if not (ready_only and n in SHORT_OF_PACE)]
    for day, (code, template) in zip(_spread(start, end + 8, len(recipe)), recipe):
        w.story.spawn(items.item(w, c, code, day, "signed", template))
    w.story.spawn(rounds.msf(w, c, end + 40))
    if c.plan.stage2 != "provider":  # that supervisor signs off with the PSQ still to come
        w.story.spawn(rounds.psq(w, c, end + 30))


def some(w: World, c: Candidate, start: int) -> None:
    """Start the threads of a Stage 2 in progress: `items` items up to the last activity.

    All signed but the last (submitted, waiting on the supervisor) and the one before (a
    draft); a stalled candidate's last two wait on their supervisor.
    """
    count, last = c.plan.items, c.plan.last
    stalled = last > 30
    for n, day in enumerate(_spread(start, last, count)):
        code, template = SOME[n % len(SOME)]
        state = "signed"
        if n == count - 1 or (stalled and n == count - 2):
            state = "submitted"
        elif n == count - 2 and count >= 4:
            state = "draft"
        w.story.spawn(items.item(w, c, code, day, state, template))


# One of each kind (and each reflective template), with two case-mix entries.
EACH = (("cot", None), ("cbd", None), ("case_mix", None), ("mini_cex", None),
        ("learning_log", None), ("reflection", "gibbs"), ("ceps_dops", None),
        ("tutorial_record", None), ("csr", None), ("reflection", "what_so_what_now_what"),
        ("audit_qip", None), ("pdp", None), ("case_mix", None))


def rich(w: World, c: Candidate, start: int) -> None:
    """Every kind of evidence and every state an item takes, tickets and a dispute among them."""
    spawn = w.story.spawn
    for day, (code, template) in zip(_spread(start, 36, len(EACH)), EACH):
        spawn(items.item(w, c, code, day, "signed", template))
    spawn(rounds.msf(w, c, 60))
    spawn(rounds.psq(w, c, 48))
    spawn(items.assessed_by_ticket(w, c, "cot", 30, 0))
    spawn(items.assessed_by_ticket(w, c, "mini_cex", 16, 1, disputed=True))
    spawn(items.item(w, c, "cot", 25, "changed_since_signed"))
    spawn(items.item(w, c, "learning_log", 9, "returned"))
    spawn(items.item(w, c, "reflection", 4, "draft", "gibbs"))
    spawn(items.item(w, c, "cbd", 2, "submitted"))


def rate_self(w: World, c: Candidate, days_ago: int, headings: Optional[int] = None) -> Thread:
    """The candidate rates themselves on every heading (or the first few), with a reason."""
    yield w.at(days_ago, 20)
    for n, capability in enumerate(w.capabilities[:headings]):
        self_ratings.rate(w.session, c.enrolment, c.user, capability,
                          "excellent" if n % 5 == 4 else "capable", SELF[n % len(SELF)], [])


def rate_supervisor(w: World, c: Candidate, days_ago: int, headings: Optional[int] = None) -> Thread:
    """The primary supervisor gives their own rating of every heading (or the first few)."""
    yield w.at(days_ago, 13, 15)
    for n, capability in enumerate(w.capabilities[:headings]):
        ratings.rate(w.session, c.enrolment, capability.id, c.primary,
                     "excellent" if n % 7 == 6 else "capable", AGREED, w.now_day())


CONCERNS = {
    "on_track": ("", "Keep up two WPBAs a month; plan the MSF before the summer."),
    "some_concerns": ("Injection therapy is thinly evidenced.",
                      "Book two observed injections with the primary supervisor this month."),
    "significant_concerns": ("No evidence logged for six weeks, and the target date has passed. "
                             "Several headings have no signed evidence yet.",
                             "Meet the primary supervisor within two weeks to agree a plan and "
                             "a new target date with the employer."),
}


def progress_review(w: World, c: Candidate, days_ago: int, tone: str) -> Thread:
    """The educational supervisor's review; the candidate answers one that goes well."""
    yield w.at(days_ago, 15)
    levels = {}
    for n, capability in enumerate(w.capabilities):
        worse = tone != "on_track" and n in (0, 1, 8)
        levels[capability.code] = (tone if worse else "on_track", "")
    concerns, actions = CONCERNS[tone]
    review = progress_reviews.record(
        w.session, c.enrolment, w.user(people.EDUCATIONAL.email), w.day(days_ago), levels,
        concerns, actions, w.now_day(), pid_confirmed=False,
        link=absolute_url("supervision.progress_reviews", enrolment_id=c.enrolment.id))
    if tone != "on_track":
        return
    yield w.at(days_ago - 1, 19, 45)
    progress_reviews.respond(w.session, review, c.user, "Thank you: I have booked the MSF and "
                             "two CBDs for next month.", pid_confirmed=False,
                             link=absolute_url("supervision.progress_review", review_id=review.id))

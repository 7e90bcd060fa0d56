"""Progress reviews: the educational supervisor's periodic review and the candidate's one answer.

The educational supervisor says how the candidate progresses on each capability heading, what
concerns them and what was agreed. The candidate reads it in their portfolio, is emailed, and
may respond once: the response is written only where there is none yet, so two at once cannot
both land. Each review and response is an audit event in the same transaction, with the hash
of what was written, and so on the candidate's timeline.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import clock, mail
from roadmap.form_limits import too_long
from roadmap.accounts.models import User
from roadmap.audit.service import canonical_json, record as audit, sha256_hex
from roadmap.cohorts.models import Enrolment
from roadmap.framework.models import Capability
from roadmap.pid import check as pid_check
from roadmap.portfolio import pid
from roadmap.readers.team import current_team
from roadmap.supervision.errors import Conflict, Incomplete, NotAllowed
from roadmap.supervision.models import ProgressReview

LEVELS = {"on_track": "On track", "some_concerns": "Some concerns",
          "significant_concerns": "Significant concerns"}
TEXT_LIMIT, COMMENT_LIMIT = 5000, 2000
PATIENT_DETAILS = pid.PATIENT_DETAILS  # an Incomplete the writer may confirm past
Progress = Mapping[str, tuple[Optional[str], str]]  # heading code -> (level, comment)


def headings(session: Session, enrolment: Enrolment) -> list[Capability]:
    """The capability headings of the enrolment's roadmap, in order: what a review covers."""
    return list(session.scalars(sa.select(Capability).where(
        Capability.framework_version_id == enrolment.framework_version_id)
        .order_by(Capability.position)))


def problems_with(enrolment: Enrolment, caps: list[Capability], reviewed_on: Optional[dt.date],
             progress: Progress, concerns: str, actions: str, today: dt.date) -> dict[str, str]:
    """Every problem with a review, keyed by field: the date, `heading:<code>`, `comment:<code>`.

    The view asks for these too when the form itself is refused, so a date in the future is
    shown with a missing heading, not only once that is put right.
    """
    problems = {}
    if reviewed_on is None:
        problems["reviewed_on"] = "Enter the date of the review"
    elif reviewed_on > today:
        problems["reviewed_on"] = "The date of the review cannot be in the future"
    elif reviewed_on < enrolment.enrolled_on:
        problems["reviewed_on"] = ("The date of the review must be on or after "
                                   f"{clock.long_date(enrolment.enrolled_on)}, when the candidate enrolled")
    for cap in caps:
        level, comment = progress.get(cap.code, (None, ""))
        if level not in LEVELS:
            problems[f"heading:{cap.code}"] = f"Choose the progress on {cap.code}. {cap.title}"
        if len(comment or "") > COMMENT_LIMIT:
            problems[f"comment:{cap.code}"] = too_long(
                f"Comment on {cap.code}. {cap.title}", COMMENT_LIMIT)
    for key, name, text in (("concerns", "Concerns", concerns),
                            ("agreed_actions", "Actions agreed with the candidate", actions)):
        if len(text) > TEXT_LIMIT:
            problems[key] = too_long(name, TEXT_LIMIT)
    marked = any(level == "significant_concerns" for level, _ in progress.values())
    if marked and not concerns and "concerns" not in problems:
        problems["concerns"] = "Say what the concerns are: a heading has significant concerns"
    return problems


def record(session: Session, enrolment: Enrolment, reviewer: User, reviewed_on: Optional[dt.date],
           progress: Progress, concerns: Optional[str], agreed_actions: Optional[str],
           today: dt.date, *, pid_confirmed: bool, link: str) -> ProgressReview:
    """Record the current educational supervisor's review, audit it and email the candidate.

    NotAllowed for anyone else; Incomplete, naming each field, for a missing or wrong answer
    and for text that may identify a patient until the reviewer confirms that it does not.
    """
    educational = current_team(session, enrolment.id, today).educational
    if educational is None or educational.supervisor_id != reviewer.id:
        raise NotAllowed("Only the candidate's current educational supervisor can record a "
                         "progress review.")
    caps = headings(session, enrolment)
    concerns, agreed_actions = (concerns or "").strip(), (agreed_actions or "").strip()
    problems = problems_with(enrolment, caps, reviewed_on, progress, concerns, agreed_actions, today)
    if not problems and not pid_confirmed:
        texts = {"concerns": concerns, "agreed_actions": agreed_actions,
                 **{f"comment:{cap.code}": progress[cap.code][1] for cap in caps}}
        if found := pid.warnings(texts):
            raise Incomplete(PATIENT_DETAILS, found)
    if problems:
        raise Incomplete("The review is not complete", problems)
    assert reviewed_on is not None
    shown = {cap.code: {"level": progress[cap.code][0],
                        "comment": (progress[cap.code][1] or "").strip() or None} for cap in caps}
    review = ProgressReview(enrolment_id=enrolment.id, reviewer_id=reviewer.id,
                            reviewed_on=reviewed_on, heading_progress=shown,
                            concerns=concerns or None, agreed_actions=agreed_actions or None)
    session.add(review)
    session.flush()
    content = {"reviewed_on": reviewed_on.isoformat(), "headings": shown,
               "concerns": review.concerns, "agreed_actions": review.agreed_actions}
    audit(session, "progress_review.recorded", actor_id=reviewer.id,
          subject_type="progress_review", subject_id=review.id, enrolment_id=enrolment.id,
          data={"reviewed_on": reviewed_on.isoformat(), "content_hash": sha256_hex(
              canonical_json(content)), "levels": {code: sum(
                  1 for entry in shown.values() if entry["level"] == code) for code in LEVELS}})
    if found := pid_check.flagged({"concerns": review.concerns, "agreed_actions": review.agreed_actions,
                                   **{f"comment:{c}": e["comment"] for c, e in shown.items()}}):
        # Recorded past a warning (refused above unless confirmed): fields and kinds only.
        audit(session, "progress_review.pid_confirmed", actor_id=reviewer.id,
              subject_type="progress_review", subject_id=review.id, enrolment_id=enrolment.id,
              data=pid_check.audit_data(found))
    candidate = session.get(User, enrolment.candidate_id)
    if candidate is not None and candidate.is_active:
        mail.queue(session, candidate.email, "Your educational supervisor reviewed your progress",
                   f"Dear {candidate.full_name},\n\n{reviewer.full_name}, your educational "
                   f"supervisor, recorded a review of your progress on "
                   f"{clock.long_date(reviewed_on)}: how you progress on each capability "
                   "heading, any concerns and the actions you agreed. Read it, and respond if "
                   f"you wish (once):\n\n{link}\n\nRoadmap\n")
    return review


def respond(session: Session, review: ProgressReview, candidate: User, text: Optional[str], *,
            pid_confirmed: bool, link: str) -> ProgressReview:
    """The candidate's one response, written only if there is none yet; audited, the reviewer told.

    Conflict when a response is already there (a second one, or two sent at once).
    """
    enrolment = session.get(Enrolment, review.enrolment_id)
    if enrolment is None or enrolment.candidate_id != candidate.id:
        raise NotAllowed("Only the candidate can respond to their progress review.")
    if review.candidate_response is not None:
        raise Conflict("You have already responded to this review: a review takes one response.")
    answer = (text or "").strip()
    if not answer:
        raise Incomplete("No response", {"response": "Enter your response"})
    if len(answer) > TEXT_LIMIT:
        raise Incomplete("Too long", {"response": too_long("Your response", TEXT_LIMIT)})
    found = {} if pid_confirmed else pid.warnings({"response": answer})
    if found:
        raise Incomplete(PATIENT_DETAILS, found)
    written = session.execute(
        sa.update(ProgressReview)
        .where(ProgressReview.id == review.id, ProgressReview.candidate_response.is_(None))
        .values(candidate_response=answer, responded_at=clock.now())
        .execution_options(synchronize_session=False))
    if written.rowcount != 1:
        raise Conflict("You have already responded to this review: a review takes one response.")
    session.refresh(review)
    if found := pid_check.flagged({"response": answer}):  # confirmed past the warning
        audit(session, "progress_review.pid_confirmed", actor_id=candidate.id,
              subject_type="progress_review", subject_id=review.id, enrolment_id=enrolment.id,
              data=pid_check.audit_data(found))
    audit(session, "progress_review.responded", actor_id=candidate.id,
          subject_type="progress_review", subject_id=review.id, enrolment_id=enrolment.id,
          data={"content_hash": sha256_hex(answer)})
    reviewer = session.get(User, review.reviewer_id)
    if reviewer is not None and reviewer.is_active:
        mail.queue(session, reviewer.email, f"{candidate.full_name} responded to your review",
                   f"Dear {reviewer.full_name},\n\n{candidate.full_name} responded to the "
                   f"progress review you recorded on {clock.long_date(review.reviewed_on)}:"
                   f"\n\n{link}\n\nRoadmap\n")
    return review


@dataclass(frozen=True)
class HeadingLine:
    """One heading of a review: the progress seen on it and the reviewer's comment."""

    code: str
    title: str
    level: Optional[str]
    comment: Optional[str]

    @property
    def label(self) -> str:
        """The progress in words."""
        return LEVELS.get(self.level or "", "Not given")


@dataclass
class ReviewRow:
    """A review in the list: when, by whom, how many headings at each level, answered or not."""

    review: ProgressReview
    reviewer: str
    counts: dict[str, int]  # level code: headings at that level


@dataclass
class Reviews:
    """A candidate's progress reviews, newest first."""

    candidate: User
    rows: list[ReviewRow]


@dataclass
class ReviewPage:
    """One review as its page shows it, each heading in the roadmap's order."""

    review: ProgressReview
    reviewer: str
    candidate: User
    lines: list[HeadingLine]


def _reviewer_names(session: Session, ids: set[int]) -> dict[int, str]:
    return dict(session.execute(sa.select(User.id, User.full_name).where(User.id.in_(ids))).all())


def reviews_of(session: Session, enrolment: Enrolment) -> Reviews:
    """Every progress review of an enrolment, newest first, in a fixed number of statements."""
    found = list(session.scalars(sa.select(ProgressReview)
                                 .where(ProgressReview.enrolment_id == enrolment.id)
                                 .order_by(ProgressReview.reviewed_on.desc(),
                                           ProgressReview.id.desc())))
    names = _reviewer_names(session, {review.reviewer_id for review in found})
    rows = [ReviewRow(review, names.get(review.reviewer_id, ""), {
        code: sum(1 for entry in review.heading_progress.values()
                  if isinstance(entry, dict) and entry.get("level") == code) for code in LEVELS})
        for review in found]
    candidate = session.get(User, enrolment.candidate_id)
    assert candidate is not None
    return Reviews(candidate, rows)


def review_page(session: Session, review: ProgressReview) -> ReviewPage:
    """A review with its headings named; a heading the roadmap no longer has keeps its code."""
    enrolment = session.get(Enrolment, review.enrolment_id)
    assert enrolment is not None
    titles = {cap.code: cap.title for cap in headings(session, enrolment)}
    given = review.heading_progress or {}
    order = [code for code in titles if code in given] + [c for c in given if c not in titles]
    lines = [HeadingLine(code, titles.get(code, ""), (given[code] or {}).get("level"),
                         (given[code] or {}).get("comment")) for code in order]
    candidate = session.get(User, enrolment.candidate_id)
    assert candidate is not None
    return ReviewPage(review, _reviewer_names(session, {review.reviewer_id}).get(
        review.reviewer_id, ""), candidate, lines)

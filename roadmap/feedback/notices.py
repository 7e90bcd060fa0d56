"""The emails of feedback rounds and tickets: plain text, only what the reader needs."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import clock, mail
from roadmap.accounts.models import User
from roadmap.cohorts.models import Enrolment
from roadmap.feedback.models import AssessmentTicket, FeedbackRater
from roadmap.portfolio.models import Evidence
from roadmap.readers.team import supervising
from roadmap.supervision.models import SupervisorAssignment
from roadmap.links import absolute_url, external_link
from roadmap.clock import LONDON


def _until(moment: dt.datetime) -> str:
    return clock.long_date(clock.day_of(moment))


def invite_rater(session: Session, rater: FeedbackRater, candidate_name: str, token: str,
                 reminder: bool = False) -> None:
    """Email a rater their link: the candidate's name and nothing more about them."""
    opening = ("A reminder: " if reminder else "") + (
        f"{candidate_name}, a first contact practitioner in training, has asked you for "
        "feedback on how they work with colleagues.")
    mail.queue(session, rater.email,
               f"{'Reminder: ' if reminder else ''}Feedback on {candidate_name}, please",
               f"Dear {rater.name},\n\n{opening}\n\n"
               "It takes about 5 minutes. Your answers are anonymous: "
               f"{candidate_name} sees only the combined results of at least 10 colleagues, "
               "after their supervisor has reviewed them, and never who said what.\n\n"
               f"{external_link('feedback.rater_form', token)}\n\n"
               f"This link is yours alone, works once and expires on {_until(rater.expires_at)}. "
               "It replaces any link we sent you before.\n\nRoadmap\n")


def results_released(session: Session, evidence: Evidence, supervisor: User) -> None:
    """Tell the candidate their results can be read."""
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    candidate = session.get(User, enrolment.candidate_id) if enrolment else None
    if candidate is not None and candidate.is_active:
        mail.queue(session, candidate.email, f"Your feedback results for “{evidence.title}”",
                   f"Dear {candidate.full_name},\n\n{supervisor.full_name} has reviewed the "
                   f"responses to “{evidence.title}” and released the results. You can read "
                   "them in your portfolio, then add your reflection.\n\nRoadmap\n")


def _current_supervisors(session: Session, enrolment_id: int) -> list[User]:
    """The primary and backup now: who reviews and releases results, never the educational one."""
    return list(session.scalars(
        sa.select(User).join(SupervisorAssignment, SupervisorAssignment.supervisor_id == User.id)
        .where(SupervisorAssignment.enrolment_id == enrolment_id,
               supervising(clock.now()), User.is_active.is_(True))))


def ready_for_review(session: Session, evidence: Evidence) -> None:
    """Tell the supervisors that a round reached its minimum and waits for their review."""
    for supervisor in _current_supervisors(session, evidence.enrolment_id):
        mail.queue(session, supervisor.email, f"Feedback ready for your review: “{evidence.title}”",
                   f"Dear {supervisor.full_name},\n\nThe round “{evidence.title}” has reached "
                   "its minimum number of responses. Review the combined results and release "
                   f"them to the candidate:\n\n{_round_address(evidence.id)}\n\nRoadmap\n")


def _round_address(evidence_id: int) -> str:
    """The absolute address of a round's page, from BASE_URL."""
    return absolute_url("feedback.round_page", evidence_id=evidence_id)


def ask_assessor(session: Session, ticket: AssessmentTicket, candidate_name: str, type_name: str,
                 token: str) -> None:
    """Email a colleague without an account their link to assess one item."""
    mail.queue(session, ticket.invited_email, f"Please assess {candidate_name}'s {type_name}",
               f"Dear {ticket.invited_name},\n\n{candidate_name}, a first contact practitioner "
               f"in training, has asked you to assess a {type_name} you observed. You do not "
               "need an account.\n\n"
               f"{external_link('feedback.assess_form', token)}\n\n"
               f"This link works once and expires on {_until(ticket.expires_at)}.\n\nRoadmap\n")


def confirm_on_device(session: Session, ticket: AssessmentTicket, candidate_name: str,
                      type_name: str, token: str) -> None:
    """Ask the assessor who signed on the candidate's device to confirm it from their inbox."""
    mail.queue(session, ticket.invited_email,
               f"Confirm your assessment of {candidate_name}'s {type_name}",
               f"Dear {ticket.invited_name},\n\nYou assessed and signed {candidate_name}'s "
               f"{type_name} on their device. It counts only once you confirm it: open this "
               "link, check what you signed and confirm.\n\n"
               f"{external_link('feedback.confirm_on_device', token)}\n\n"
               f"This link works once and expires on {_until(ticket.expires_at)}. If you did "
               "not assess this, do not open it, and reply to this email.\n\nRoadmap\n")


def assessed(session: Session, ticket: AssessmentTicket, evidence: Evidence,
             candidate_name: str, type_name: str) -> None:
    """Confirm to the assessor what they signed; tell the candidate and their supervisors."""
    when = clock.now().astimezone(LONDON)
    # The address the link went to always hears of it: if someone else signed with that link,
    # its owner learns so, whatever address was typed on the form.
    for address in dict.fromkeys([ticket.invited_email, ticket.assessor_email or ""]):
        if address:
            mail.queue(session, address, f"You assessed {candidate_name}'s {type_name}",
                       f"Dear {ticket.assessor_name},\n\nThank you. You assessed and signed "
                       f"{candidate_name}'s {type_name} “{evidence.title}” on "
                       f"{clock.in_words(when)}. What you signed cannot be changed by anyone. "
                       "If you did not do this, reply to this email.\n\nRoadmap\n")
    enrolment = session.get(Enrolment, evidence.enrolment_id)
    assert enrolment is not None
    people = [session.get(User, enrolment.candidate_id),
              *_current_supervisors(session, enrolment.id)]
    for person in people:
        if person is not None and person.is_active:
            mail.queue(session, person.email, f"“{evidence.title}” was assessed externally",
                       f"Dear {person.full_name},\n\n{ticket.assessor_name} "
                       f"({ticket.assessor_role}, registration {ticket.assessor_registration}) "
                       f"assessed and signed the {type_name} “{evidence.title}” of "
                       f"{candidate_name} "
                       + ("on their device, then confirmed it through a link emailed to their "
                          "work address" if ticket.on_device else "through an emailed link")
                       + ", without an account. "
                       "The supervisors review every external signature, and can dispute it."
                       "\n\nRoadmap\n")


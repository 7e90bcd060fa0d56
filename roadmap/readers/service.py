"""Who can read a candidate's portfolio, who could, and who opened what and when."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from roadmap import clock
from roadmap.accounts.models import User
from roadmap.cohorts.models import Cohort, Enrolment, hub_leads
from roadmap.feedback.models import AssessmentTicket
from roadmap.portfolio.models import Evidence
from roadmap.readers.models import ContentAccessEvent, Opened
from roadmap.readers.team import current_team
from roadmap.supervision.models import AssignmentKind, SupervisorAssignment

PAGE = 50
# The same person opening the same thing again within this time adds nothing the candidate
# needs to know, and a page refreshed in a loop must not write a row every time.
REPEAT_WINDOW = dt.timedelta(minutes=10)
CAPACITY_WORDS = {"primary_supervisor": "Primary supervisor", "backup_supervisor": "Backup supervisor",
                  "educational_supervisor": "Educational supervisor",
                  "former_supervisor": "Former supervisor (only what they signed)",
                  "supervisor": "Supervisor"}
READS = {"now": "Everything you submit: items, reflections, files, ratings, the timeline",
         "upcoming": "Everything you submit, from the start date",
         "before": "Only the items they signed themselves, as they signed them"}
# An educational supervisor reads the same while assigned, to review progress, and signs nothing:
# so once their assignment ends there is nothing of theirs left to read.
EDUCATIONAL_READS = {**READS, "now": READS["now"] + "; they review your progress and sign nothing",
                     "before": "Nothing any more: they signed nothing"}
WHAT_WORDS = {Opened.ITEM.value: "Opened the item", Opened.ATTACHMENT.value: "Downloaded the file",
              Opened.HEADING.value: "Read your self-rating of the heading",
              Opened.EXPORT.value: "Asked for your whole portfolio as a PDF"}


def record(session: Session, reader: User, enrolment: Enrolment, what: Opened, *, former: bool,
           evidence_id: Optional[int] = None, attachment_id: Optional[int] = None,
           label: str = "") -> Optional[ContentAccessEvent]:
    """Note that someone other than the candidate opened content; the candidate's own reads are not."""
    if reader.id == enrolment.candidate_id:
        return None
    now = clock.now()
    recent = session.scalar(sa.select(ContentAccessEvent.id).where(
        ContentAccessEvent.enrolment_id == enrolment.id, ContentAccessEvent.reader_id == reader.id,
        ContentAccessEvent.what == what.value,
        _same(ContentAccessEvent.evidence_id, evidence_id),
        _same(ContentAccessEvent.attachment_id, attachment_id),
        ContentAccessEvent.label == label[:300],
        ContentAccessEvent.opened_at > now - REPEAT_WINDOW).limit(1))
    if recent is not None:
        return None
    if former:
        capacity = "former_supervisor"
    else:
        kind = current_team(session, enrolment.id, now).reads_as(reader.id)
        capacity = f"{kind}_supervisor" if kind else "supervisor"
    event = ContentAccessEvent(enrolment_id=enrolment.id, reader_id=reader.id, capacity=capacity,
                               what=what.value, evidence_id=evidence_id,
                               attachment_id=attachment_id, label=label[:300], opened_at=now)
    session.add(event)
    session.flush()
    return event


def _same(column: sa.orm.InstrumentedAttribute, value: Optional[int]) -> sa.ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


@dataclass
class Opening:
    """One line of the candidate's "who opened what" page."""

    when: dt.datetime
    who: str
    email: str
    capacity: str
    what: str
    label: str
    evidence_id: Optional[int]


def openings(session: Session, enrolment_id: int, page: int) -> tuple[list[Opening], bool]:
    """One page of openings, newest first, and whether there is another."""
    rows = session.execute(
        sa.select(ContentAccessEvent, User.full_name, User.email)
        .join(User, User.id == ContentAccessEvent.reader_id)
        .where(ContentAccessEvent.enrolment_id == enrolment_id)
        .order_by(ContentAccessEvent.opened_at.desc(), ContentAccessEvent.id.desc())
        .limit(PAGE + 1).offset((page - 1) * PAGE)).all()
    found = [Opening(event.opened_at, name, email,
                     CAPACITY_WORDS.get(event.capacity, event.capacity.replace("_", " ")),
                     WHAT_WORDS.get(event.what, event.what), event.label, event.evidence_id)
             for event, name, email in rows[:PAGE]]
    return found, len(rows) > PAGE


@dataclass
class Reader:
    """Someone who can, could, or will be able to read the portfolio, and how far."""

    name: str
    email: str
    capacity: str
    reads: str
    since: Optional[dt.date] = None
    until: Optional[dt.datetime] = None
    assigned_by: Optional[str] = None
    ended_by: Optional[str] = None


@dataclass
class Readers:
    """Everyone, grouped as the candidate's page shows them."""

    now: list[Reader]
    upcoming: list[Reader]
    before: list[Reader]
    progress_only: list[Reader]
    assessors: list[Reader]


def readers(session: Session, enrolment: Enrolment) -> Readers:
    """Supervisors now, to come and past (with who assigned and ended them), hub leads, assessors."""
    now = clock.now()
    by, ender = aliased(User), aliased(User)
    rows = session.execute(
        sa.select(SupervisorAssignment, User, by.full_name, ender.full_name)
        .join(User, User.id == SupervisorAssignment.supervisor_id)
        .outerjoin(by, by.id == SupervisorAssignment.assigned_by_id)
        .outerjoin(ender, ender.id == SupervisorAssignment.ended_by_id)
        .where(SupervisorAssignment.enrolment_id == enrolment.id)
        .order_by(SupervisorAssignment.starts_on.desc(), SupervisorAssignment.id.desc())).all()
    result = Readers([], [], [], [], [])
    for assignment, person, assigned_by, ended_by in rows:
        kind = f"{assignment.kind.capitalize()} supervisor"
        words = EDUCATIONAL_READS if assignment.kind == AssignmentKind.EDUCATIONAL.value else READS
        entry = Reader(person.full_name, person.email, kind, "", assignment.starts_on,
                       assignment.ended_at, assigned_by or "Roadmap", ended_by)
        if assignment.ended_at is not None and assignment.ended_at <= now:
            if assignment.ended_at <= clock.start_of_day(assignment.starts_on):
                continue  # replaced before it began: it never gave anyone sight of anything
            entry.reads = words["before"]
            result.before.append(entry)
        elif assignment.starts_on > clock.day_of(now):
            entry.reads = words["upcoming"]
            result.upcoming.append(entry)
        else:
            entry.reads = words["now"]
            result.now.append(entry)
    hub_id = session.scalar(sa.select(Cohort.hub_id).where(Cohort.id == enrolment.cohort_id))
    for person in session.scalars(
            sa.select(User).where(User.id.in_(hub_leads(hub_id)),
                                  User.is_active.is_(True)).order_by(User.full_name)):
        result.progress_only.append(Reader(
            person.full_name, person.email, "Training hub lead",
            "Sees progress: counts, statuses and dates, never the text of reflections"))
    for ticket, title in session.execute(
            sa.select(AssessmentTicket, Evidence.title)
            .join(Evidence, Evidence.id == AssessmentTicket.evidence_id)
            .where(Evidence.enrolment_id == enrolment.id)
            .order_by(AssessmentTicket.created_at.desc())):
        result.assessors.append(Reader(
            ticket.invited_name, ticket.invited_email, "External assessor",
            f"The item \u201c{title}\u201d, through the link you sent", clock.day_of(ticket.created_at),
            ticket.used_at or ticket.expires_at))
    return result

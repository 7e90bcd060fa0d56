"""A stage's page: its checklist, its signatures, and what the person reading it may sign."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.cohorts.models import Enrolment
from roadmap.supervision import checklist as checklists, signoff
from roadmap.readers.team import current_team
from roadmap.supervision.models import Signature, StageSignOff


@dataclass
class StagePage:
    """One stage of an enrolment, and what this person may do with it."""

    person: User  # the candidate
    checklist: checklists.Checklist
    record: Optional[StageSignOff]
    party: Optional[str]  # what the reader signs as now: "candidate", "supervisor" or None
    declarations: list[dict[str, str]]  # what they declare as they sign
    signatures: list[Signature]
    is_backup: bool  # the reader is the candidate's backup supervisor: they say why they sign

    @property
    def status(self) -> str:
        """"open", "candidate_signed" or "complete"."""
        return self.record.status if self.record is not None else "open"


def stage_page(session: Session, enrolment: Enrolment, stage_code: str, reader: User,
               today: dt.date) -> StagePage:
    """The stage as this person sees it; LookupError when the roadmap has no such stage."""
    checklist = checklists.compute(session, enrolment, stage_code)
    record = session.scalar(sa.select(StageSignOff).where(
        StageSignOff.enrolment_id == enrolment.id, StageSignOff.stage_code == stage_code))
    party = signoff.signs_as(session, enrolment, record, reader, today)
    signatures = session.scalars(sa.select(Signature).where(
        Signature.subject_type == "stage_signoff", Signature.subject_id == (record.id if record else 0))
        .order_by(Signature.signed_at)).all()
    kind = current_team(session, enrolment.id, today).kind_of(reader.id)
    return StagePage(session.get(User, enrolment.candidate_id), checklist, record, party,
                     signoff.declarations(checklist, party) if party else [], list(signatures),
                     kind == "backup")

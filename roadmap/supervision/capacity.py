"""Who supervises an enrolment today, and in which capacity a person may sign (rule D5)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.supervision.errors import NotAllowed
from roadmap.supervision.models import SignerCapacity, SupervisorAssignment, covering


@dataclass(frozen=True)
class Team:
    """The current primary and backup supervisor of an enrolment (either may be missing)."""

    primary: Optional[SupervisorAssignment]
    backup: Optional[SupervisorAssignment]

    def kind_of(self, user_id: int) -> Optional[str]:
        """"primary", "backup" or None for a person."""
        if self.primary is not None and self.primary.supervisor_id == user_id:
            return "primary"
        if self.backup is not None and self.backup.supervisor_id == user_id:
            return "backup"
        return None


def current_team(session: Session, enrolment_id: int, today: dt.date | dt.datetime) -> Team:
    """The assignments covering now (today: this moment); the latest start wins if they overlap."""
    rows = session.scalars(
        sa.select(SupervisorAssignment)
        .where(SupervisorAssignment.enrolment_id == enrolment_id,
               covering(today))
        .order_by(SupervisorAssignment.starts_on, SupervisorAssignment.id)).all()
    latest = {row.kind: row for row in rows}
    return Team(latest.get("primary"), latest.get("backup"))


def item_capacity(session: Session, signer: User, enrolment_id: int, today: dt.date) -> SignerCapacity:
    """The capacity a current supervisor signs an item in; a backup may sign any item."""
    kind = current_team(session, enrolment_id, today).kind_of(signer.id)
    if kind is None:
        raise NotAllowed("Only the candidate's current primary or backup supervisor can do this.")
    return (SignerCapacity.PRIMARY_SUPERVISOR if kind == "primary"
            else SignerCapacity.BACKUP_SUPERVISOR)


def stage_capacity(session: Session, signer: User, enrolment_id: int, today: dt.date,
                   acting_reason: Optional[str]) -> tuple[SignerCapacity, Optional[str]]:
    """A stage is signed by the primary, or by the backup acting for the primary with a reason."""
    kind = current_team(session, enrolment_id, today).kind_of(signer.id)
    if kind == "primary":
        return SignerCapacity.PRIMARY_SUPERVISOR, None
    if kind == "backup":
        reason = (acting_reason or "").strip()
        if not reason:
            raise NotAllowed("As the backup supervisor, say why you are signing for the primary "
                             "supervisor (for example, they are on leave until a date).")
        return SignerCapacity.BACKUP_ACTING_FOR_PRIMARY, reason
    raise NotAllowed("Only the candidate's current primary or backup supervisor can sign off a stage.")

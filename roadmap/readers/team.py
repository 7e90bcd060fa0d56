"""Who supervises an enrolment now: its current primary and backup supervisor (rule D5)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.supervision.models import SupervisorAssignment, covering


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

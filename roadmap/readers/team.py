"""Who supervises an enrolment now: its primary and backup (rule D5), and its educational one."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.supervision.models import AssignmentKind, SupervisorAssignment, covering

# Workplace supervision: who assesses, signs and counts toward capacity (rules D5, D6). The
# education provider's educational supervisor reads the portfolio and reviews progress only.
WORKPLACE_KINDS = (AssignmentKind.PRIMARY.value, AssignmentKind.BACKUP.value)


def supervising(on: dt.date | dt.datetime) -> sa.ColumnElement[bool]:
    """SQL condition: a primary or backup assignment covering the moment (never educational)."""
    return sa.and_(covering(on), SupervisorAssignment.kind.in_(WORKPLACE_KINDS))


@dataclass(frozen=True)
class Team:
    """The current primary, backup and educational supervisor of an enrolment (each optional)."""

    primary: Optional[SupervisorAssignment]
    backup: Optional[SupervisorAssignment]
    educational: Optional[SupervisorAssignment] = None

    def kind_of(self, user_id: int) -> Optional[str]:
        """"primary", "backup" or None for a person: the kinds that may sign (never educational)."""
        if self.primary is not None and self.primary.supervisor_id == user_id:
            return "primary"
        if self.backup is not None and self.backup.supervisor_id == user_id:
            return "backup"
        return None

    def reads_as(self, user_id: int) -> Optional[str]:
        """The kind a person reads the portfolio as now: primary, backup, educational, or None."""
        kind = self.kind_of(user_id)
        if kind is None and self.educational is not None \
                and self.educational.supervisor_id == user_id:
            return AssignmentKind.EDUCATIONAL.value
        return kind


def current_team(session: Session, enrolment_id: int, today: dt.date | dt.datetime) -> Team:
    """The assignments covering now (today: this moment); the latest start wins if they overlap."""
    rows = session.scalars(
        sa.select(SupervisorAssignment)
        .where(SupervisorAssignment.enrolment_id == enrolment_id,
               covering(today))
        .order_by(SupervisorAssignment.starts_on, SupervisorAssignment.id)).all()
    latest = {row.kind: row for row in rows}
    return Team(latest.get("primary"), latest.get("backup"), latest.get("educational"))

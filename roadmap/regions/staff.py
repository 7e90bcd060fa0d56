"""A region's supervisors, hub by hub and in all: how many, their FTE, the candidates they
carry and how many carry more than their FTE allows (rule D6), from one statement."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
from roadmap.readers.team import WORKPLACE_KINDS
from roadmap.supervision.assignments import CANDIDATES_PER_FTE, load_rows, over_capacity
from roadmap.supervision.models import SupervisorAssignment


@dataclass(frozen=True)
class Staff:
    """Supervisors with a current primary or backup candidate in a hub (or the region), their
    FTE, and the candidates they carry as primary in every hub, as capacity counts them (D6)."""

    supervisors: int = 0
    fte: float = 0.0
    carried: int = 0
    over_capacity: int = 0  # supervisors carrying more than their FTE allows

    @property
    def capacity(self) -> float:
        """Candidates they may carry between them: 4 per FTE, pro rata."""
        return CANDIDATES_PER_FTE * self.fte


def day_param(name: str) -> Any:
    return sa.bindparam(name, type_=sa.Date)


def moment_param(name: str) -> Any:
    return sa.bindparam(name, type_=sa.DateTime(timezone=True))


def current_assignment() -> Any:
    """roadmap.supervision.models.covering, with the day and the moment as parameters."""
    SA = SupervisorAssignment
    return sa.and_(SA.starts_on <= day_param("today"),
                   sa.or_(SA.ended_at.is_(None), SA.ended_at > moment_param("now")))


@lru_cache(maxsize=1)
def staff_statement() -> Any:
    """Each hub's staff and the region's (hub id None), built once: the region, the day and the
    moment are parameters (counts_params)."""
    SA = SupervisorAssignment
    working = (sa.select(Cohort.hub_id, SA.supervisor_id).distinct().select_from(SA)
               .join(Enrolment, Enrolment.id == SA.enrolment_id)
               .join(Cohort, Cohort.id == Enrolment.cohort_id)
               .join(TrainingHub, TrainingHub.id == Cohort.hub_id)
               .where(TrainingHub.region_id == sa.bindparam("region", type_=sa.Integer),
                      SA.kind.in_(WORKPLACE_KINDS), current_assignment(),
                      Enrolment.status == "active").cte("working"))
    each = load_rows(sa.select(working.c.supervisor_id), current_assignment()).cte("each")
    fte = sa.func.coalesce(each.c.fte, 1.0)
    sums = (sa.func.count(), sa.func.sum(fte), sa.func.sum(each.c.candidates),
            sa.func.sum(sa.case((over_capacity(each.c.candidates, fte), 1), else_=0)))
    by_hub = (sa.select(working.c.hub_id, *sums)
              .join(each, each.c.supervisor_id == working.c.supervisor_id)
              .group_by(working.c.hub_id))
    region = sa.select(sa.null(), *sums).select_from(each)
    return sa.union_all(by_hub, region)


def supervisors(session: Session, params: dict[str, Any], found: dict[int, Any]) -> Staff:
    """Each hub's staff (supervisors with a current primary or backup candidate of an active
    enrolment there) and the region's, each supervisor once, from one statement: their loads
    as roadmap.supervision.assignments counts them, added up in the database."""
    staff = Staff()
    for hub_id, people, ftes, carried, over in session.execute(staff_statement(), params):
        figures = Staff(int(people), float(ftes or 0), int(carried or 0), int(over or 0))
        if hub_id is None:
            staff = figures
        elif hub_id in found:
            found[hub_id].staff = figures
    return staff

"""Training hubs, provider employers, cohorts and enrolments."""
from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roadmap.accounts.models import Role, UserRole
from roadmap.db import Base, utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from roadmap.accounts.models import User
    from roadmap.framework.models import FrameworkVersion
    from roadmap.providers.models import EducationProvider
    from roadmap.regions.models import Region
    from roadmap.supervision.models import SupervisorAssignment


class TrainingHub(Base):
    """A training hub that funds supervision and answers for the candidates in its patch."""

    __tablename__ = "training_hubs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    # The region a regional lead watches it in (an integrated care system or an NHS England
    # region); none when no region is set up for it.
    region_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    annual_signoff_target: Mapped[Optional[int]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    cohorts: Mapped[list["Cohort"]] = relationship(
        back_populates="hub", order_by="Cohort.name", lazy="raise_on_sql")
    region: Mapped[Optional["Region"]] = relationship(lazy="raise_on_sql")


class Employer(Base):
    """A provider organisation that employs candidates (a practice, PCN or FCP provider)."""

    __tablename__ = "employers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Cohort(Base):
    """A group of candidates a hub enrols and watches together."""

    __tablename__ = "cohorts"
    __table_args__ = (sa.UniqueConstraint("hub_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("training_hubs.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    starts_on: Mapped[Optional[dt.date]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    hub: Mapped[TrainingHub] = relationship(back_populates="cohorts", lazy="raise_on_sql")
    enrolments: Mapped[list["Enrolment"]] = relationship(
        back_populates="cohort", lazy="raise_on_sql")


class Route(str, enum.Enum):
    """The route the candidate follows: the taught route or the portfolio route (D12)."""

    PORTFOLIO = "portfolio"
    TAUGHT = "taught"


class EnrolmentStatus(str, enum.Enum):
    """Where an enrolment is in its life."""

    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class Enrolment(Base):
    """A candidate on the roadmap, pinned to one framework version (rule D1)."""

    __tablename__ = "enrolments"
    __table_args__ = (
        sa.CheckConstraint("route IN ('portfolio', 'taught')", name="known_route"),
        sa.CheckConstraint("status IN ('active', 'completed', 'withdrawn')", name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    framework_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("framework_versions.id"), index=True)
    employer_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("employers.id"), index=True)
    # The education provider that runs the analysis and approves; none on the portfolio route
    # without one.
    provider_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("education_providers.id"),
                                                       index=True)
    route: Mapped[str] = mapped_column(sa.String(20), default=Route.PORTFOLIO.value)
    status: Mapped[str] = mapped_column(sa.String(20), default=EnrolmentStatus.ACTIVE.value)
    enrolled_on: Mapped[dt.date]
    stage1_verified_on: Mapped[Optional[dt.date]]
    stage2_started_on: Mapped[Optional[dt.date]]
    stage2_signed_off_on: Mapped[Optional[dt.date]]
    target_on: Mapped[Optional[dt.date]]  # agreed Stage 2 completion date (about 6 months FT)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    candidate: Mapped["User"] = relationship(lazy="raise_on_sql")
    cohort: Mapped[Cohort] = relationship(back_populates="enrolments", lazy="raise_on_sql")
    framework_version: Mapped["FrameworkVersion"] = relationship(lazy="raise_on_sql")
    employer: Mapped[Optional[Employer]] = relationship(lazy="raise_on_sql")
    provider: Mapped[Optional["EducationProvider"]] = relationship(lazy="raise_on_sql")
    assignments: Mapped[list["SupervisorAssignment"]] = relationship(
        back_populates="enrolment", lazy="raise_on_sql")


def hubs_led_by(user_id: int) -> sa.Select[tuple[Optional[int]]]:
    """The ids of the hubs a person leads: the one answer, for `TrainingHub.id.in_(...)`.

    A hub lead's role names the hub it covers; a person may lead several.
    """
    return sa.select(UserRole.hub_id).where(UserRole.user_id == user_id, _leads_a_hub())


def hub_leads(hub_id: int) -> sa.Select[tuple[int]]:
    """The ids of the people who lead a hub, from the same roles, for `User.id.in_(...)`."""
    return sa.select(UserRole.user_id).where(UserRole.hub_id == hub_id, _leads_a_hub())


def _leads_a_hub() -> sa.ColumnElement[bool]:
    """True for a role that makes its holder lead the hub it names."""
    return UserRole.role == Role.HUB_LEAD.value


def current_enrolment(session: Session, candidate: User) -> Optional[Enrolment]:
    """The candidate's active (else most recent) enrolment."""
    return session.scalar(sa.select(Enrolment).where(Enrolment.candidate_id == candidate.id)
                          .order_by((Enrolment.status == "active").desc(),
                                    Enrolment.enrolled_on.desc()).limit(1))

"""The learning needs analysis: the route, and Stage 1 requirements earlier study meets (D12)."""
from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roadmap import clock
from roadmap.accounts.models import Role
from roadmap.cohorts.models import Enrolment
from roadmap.db import Base, utcnow
from roadmap.providers.models import ProviderReviewer
from roadmap.supervision.models import SupervisorAssignment, covering

if TYPE_CHECKING:
    from roadmap.accounts.models import User
    from roadmap.portfolio.models import Attachment, Evidence
    from roadmap.providers.models import EducationProvider


class LnaStatus(str, enum.Enum):
    """Where a learning needs analysis is: the candidate's draft, sent, or confirmed."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    CONFIRMED = "confirmed"


class ConfirmerCapacity(str, enum.Enum):
    """Who confirmed the analysis: the provider's reviewer, or a supervisor when there is none."""

    PROVIDER_REVIEWER = "provider_reviewer"
    SUPERVISOR = "supervisor"  # the portfolio route without an education provider


class LearningNeedsAnalysis(Base):
    """One enrolment's analysis: the candidate answers the framework's form, a reviewer confirms.

    The provider's reviewer confirms it, or a supervisor on the portfolio route without a
    provider, with the outcome: the route, and the credits. Credits are frozen into the Stage 1
    sign-off, so what was signed never depends on this row.
    """

    __tablename__ = "learning_needs_analyses"
    __table_args__ = (
        sa.CheckConstraint("status IN ('draft', 'submitted', 'confirmed')", name="known_status"),
        sa.CheckConstraint("route IN ('portfolio', 'taught')", name="known_route"),
        sa.CheckConstraint("confirmed_capacity IN ('provider_reviewer', 'supervisor')",
                           name="known_capacity"),
        sa.CheckConstraint("status != 'confirmed' OR (route IS NOT NULL AND confirmed_at IS NOT "
                           "NULL AND confirmed_by_id IS NOT NULL AND confirmed_capacity IS NOT "
                           "NULL)", name="confirmed_has_outcome"),
        sa.CheckConstraint("confirmed_capacity != 'provider_reviewer' OR provider_id IS NOT NULL",
                           name="reviewer_names_provider"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id"), unique=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=LnaStatus.DRAFT.value)
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)  # field code -> answer
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[Optional[dt.datetime]]
    confirmed_at: Mapped[Optional[dt.datetime]]
    confirmed_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_capacity: Mapped[Optional[str]] = mapped_column(sa.String(20))
    provider_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("education_providers.id"))
    route: Mapped[Optional[str]] = mapped_column(sa.String(20))  # the outcome: taught or portfolio
    # The portfolio item (of the type the framework's `lna` names) that keeps the uploaded files.
    files_evidence_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("evidence.id"))
    # Optimistic lock carried in a hidden form field, so a stale form cannot overwrite.
    lock_version: Mapped[int] = mapped_column(default=1)

    enrolment: Mapped["Enrolment"] = relationship(lazy="raise_on_sql")
    confirmed_by: Mapped[Optional["User"]] = relationship(lazy="raise_on_sql")
    provider: Mapped[Optional["EducationProvider"]] = relationship(lazy="raise_on_sql")
    credits: Mapped[list["LnaCredit"]] = relationship(
        back_populates="analysis", order_by="LnaCredit.check_code", lazy="raise_on_sql")


class LnaCredit(Base):
    """A Stage 1 requirement met by earlier study: its evidence, and who credited it and when."""

    __tablename__ = "lna_credits"
    __table_args__ = (
        sa.UniqueConstraint("analysis_id", "check_code"),
        # An evidence item or one of its attachments: exactly one.
        sa.CheckConstraint("(evidence_id IS NULL) != (attachment_id IS NULL)",
                           name="one_piece_of_evidence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_id: Mapped[int] = mapped_column(sa.ForeignKey("learning_needs_analyses.id"))
    check_code: Mapped[str] = mapped_column(sa.String(80))  # the Stage 1 checklist's check
    evidence_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("evidence.id"), index=True)
    attachment_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("attachments.id"),
                                                         index=True)
    note: Mapped[Optional[str]] = mapped_column(sa.Text)  # the earlier study, in words
    given_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    given_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    analysis: Mapped[LearningNeedsAnalysis] = relationship(back_populates="credits",
                                                           lazy="raise_on_sql")
    evidence: Mapped[Optional["Evidence"]] = relationship(lazy="raise_on_sql")
    attachment: Mapped[Optional["Attachment"]] = relationship(lazy="raise_on_sql")
    given_by: Mapped["User"] = relationship(lazy="raise_on_sql")


def confirmable_by(user: "User", today: dt.date | dt.datetime) -> sa.ColumnElement[bool]:
    """SQL condition on Enrolment: the person confirms its learning needs analysis (D12).

    A current reviewer of the enrolment's education provider does; with no provider (the
    portfolio route without one), its current primary supervisor. The one answer, for the
    loader (roadmap.web.reach) and the lists of analyses waiting.
    """
    options = []
    if user.has_role(Role.PROVIDER_REVIEWER):
        at = clock.moment(today)
        options.append(Enrolment.provider_id.in_(sa.select(ProviderReviewer.provider_id).where(
            ProviderReviewer.user_id == user.id,
            sa.or_(ProviderReviewer.ended_at.is_(None), ProviderReviewer.ended_at > at))))
    if user.has_role(Role.SUPERVISOR):
        options.append(sa.and_(Enrolment.provider_id.is_(None), sa.exists().where(
            SupervisorAssignment.enrolment_id == Enrolment.id,
            SupervisorAssignment.supervisor_id == user.id,
            SupervisorAssignment.kind == "primary", covering(today))))
    return sa.or_(*options) if options else sa.false()

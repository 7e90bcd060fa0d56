"""Education providers, their reviewers, and their approvals or referrals of stages (D11)."""
from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roadmap.db import Base, utcnow
from roadmap.supervision.models import (Signature, StageSignOff, StageSignOffRound,
                                        SupervisorAssignment)

if TYPE_CHECKING:
    from roadmap.accounts.models import User


class EducationProvider(Base):
    """An organisation that runs learning needs analyses and approves signed-off stages."""

    __tablename__ = "education_providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    reviewers: Mapped[list["ProviderReviewer"]] = relationship(
        back_populates="provider", lazy="raise_on_sql")


class ProviderReviewer(Base):
    """A person who reviews for one provider, for a period; history is kept, never overwritten.

    The role `provider_reviewer` lets the person in, with a second factor; this row says whose
    learners they review (enrolments naming the provider). Either one alone reaches no learner.
    """

    __tablename__ = "provider_reviewers"
    __table_args__ = (sa.Index("ix_provider_reviewers_user_ended", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("education_providers.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    added_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    ended_at: Mapped[Optional[dt.datetime]]
    ended_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))

    provider: Mapped[EducationProvider] = relationship(back_populates="reviewers",
                                                       lazy="raise_on_sql")
    user: Mapped["User"] = relationship(foreign_keys=[user_id], lazy="raise_on_sql")


class DecisionOutcome(str, enum.Enum):
    """What a provider decided about a signed-off stage."""

    APPROVED = "approved"
    REFERRED = "referred"  # back to the candidate and supervisor: the stage reopens


class ReviewKind(str, enum.Enum):
    """A first review, or the second review, by another person, of an approval sampled for audit."""

    FIRST = "first"
    SECOND = "second"


class ProviderDecision(Base):
    """A provider's approval or referral of one round of a stage's sign-off; append-only.

    It is bound to the content hash of the frozen snapshot it judged: the foreign key on
    (round, hash) makes the database refuse a hash that is not that round's. A referral gives
    an overall reason, and a reason for each capability heading the reviewer chose to name.
    """

    __tablename__ = "provider_decisions"
    __table_args__ = (
        sa.ForeignKeyConstraint(["round_id", "content_hash"],
                                ["stage_signoff_rounds.id", "stage_signoff_rounds.content_hash"]),
        sa.UniqueConstraint("round_id", "review"),
        sa.CheckConstraint("outcome IN ('approved', 'referred')", name="known_outcome"),
        sa.CheckConstraint("review IN ('first', 'second')", name="known_review"),
        sa.CheckConstraint("outcome != 'referred' OR (reason IS NOT NULL AND TRIM(reason) != '')",
                           name="referral_has_reason"),
        sa.CheckConstraint("NOT sampled_for_audit OR (review = 'first' AND outcome = 'approved')",
                           name="only_first_approvals_sampled"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int]
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("education_providers.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    reviewer_name: Mapped[str] = mapped_column(sa.String(200))  # as it was when decided
    review: Mapped[str] = mapped_column(sa.String(10), default=ReviewKind.FIRST.value)
    outcome: Mapped[str] = mapped_column(sa.String(10))
    reason: Mapped[Optional[str]] = mapped_column(sa.Text)  # overall
    # Capability heading code -> reason, for the headings the reviewer chose to name.
    heading_reasons: Mapped[Optional[dict[str, Any]]] = mapped_column(sa.JSON)
    # Chosen, with the configured share, for a second review by another person.
    sampled_for_audit: Mapped[bool] = mapped_column(default=False)
    decided_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    round: Mapped["StageSignOffRound"] = relationship(lazy="raise_on_sql")
    provider: Mapped[EducationProvider] = relationship(lazy="raise_on_sql")
    reviewer: Mapped["User"] = relationship(lazy="raise_on_sql")


def independent_of(user_id: int | sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """SQL condition on a StageSignOffRound joined to its StageSignOff: the person may decide on
    it for the provider, as they are not, and were not for that round, on the learner's team.

    Nobody judges a stage they supervised: not a primary, backup or educational supervisor of
    the enrolment whose assignment had not ended when the round was signed off (or began
    later), nor anyone who signed the stage off. The one rule for the reviewer's queue, the
    loader (roadmap.web.reach) and the decision itself. The person may be a column (User.id).
    """
    assigned = sa.exists().where(
        SupervisorAssignment.enrolment_id == StageSignOff.enrolment_id,
        SupervisorAssignment.supervisor_id == user_id,
        sa.or_(SupervisorAssignment.ended_at.is_(None),
               SupervisorAssignment.ended_at > StageSignOffRound.signed_at))
    signed = sa.exists().where(
        Signature.subject_type == "stage_signoff", Signature.subject_id == StageSignOff.id,
        Signature.signer_id == user_id, Signature.capacity != "candidate")
    return sa.not_(sa.or_(assigned, signed))

"""Supervisor assignments, ratings, signatures, stage sign-offs by round, progress reviews."""
from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roadmap import clock
from roadmap.db import Base, utcnow

if TYPE_CHECKING:
    from roadmap.accounts.models import User
    from roadmap.cohorts.models import Enrolment
    from roadmap.framework.models import Capability


class AssignmentKind(str, enum.Enum):
    """Primary or backup supervisor (rule D5), or the education provider's educational one."""

    PRIMARY = "primary"
    BACKUP = "backup"
    EDUCATIONAL = "educational"  # reads the portfolio and reviews progress; signs nothing


class SupervisorAssignment(Base):
    """A supervisor assigned to an enrolment for a period; history is kept, never overwritten.

    It starts at the beginning of `starts_on` and ends at the moment `ended_at` (none: it has
    not ended): a supervisor replaced at 10:05 stops reading at 10:05, not at midnight.
    """

    __tablename__ = "supervisor_assignments"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('primary', 'backup', 'educational')", name="known_kind"),
        sa.Index("ix_supervisor_assignments_supervisor_ended", "supervisor_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id"), index=True)
    supervisor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    starts_on: Mapped[dt.date]
    ended_at: Mapped[Optional[dt.datetime]]
    assigned_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    ended_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    handover_note: Mapped[Optional[str]] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    enrolment: Mapped["Enrolment"] = relationship(back_populates="assignments",
                                                  lazy="raise_on_sql")
    supervisor: Mapped["User"] = relationship(foreign_keys=[supervisor_id], lazy="raise_on_sql")

    @property
    def ends_on(self) -> Optional[dt.date]:
        """The last day in England the assignment covered, for display; None while it lasts."""
        if self.ended_at is None:
            return None
        return max(self.starts_on, clock.day_of(self.ended_at - dt.timedelta(microseconds=1)))

    def is_current(self, on: dt.date | dt.datetime) -> bool:
        """True when the assignment covers the moment (a day: see roadmap.clock.moment)."""
        at = clock.moment(on)
        return self.starts_on <= clock.day_of(at) and (self.ended_at is None or self.ended_at > at)


def covering(on: dt.date | dt.datetime) -> sa.ColumnElement[bool]:
    """SQL condition: the assignment covers the moment (a day: see roadmap.clock.moment)."""
    at = clock.moment(on)
    return sa.and_(SupervisorAssignment.starts_on <= clock.day_of(at),
                   sa.or_(SupervisorAssignment.ended_at.is_(None),
                          SupervisorAssignment.ended_at > at))


class RaterKind(str, enum.Enum):
    """Who gave a capability rating (rule D4)."""

    SELF = "self"
    SUPERVISOR = "supervisor"


class CapabilityRating(Base):
    """The current rating of one capability heading by the candidate or the supervisor."""

    __tablename__ = "capability_ratings"
    __table_args__ = (
        sa.UniqueConstraint("enrolment_id", "capability_id", "rater_kind"),
        sa.CheckConstraint("rater_kind IN ('self', 'supervisor')", name="known_rater_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id"), index=True)
    capability_id: Mapped[int] = mapped_column(sa.ForeignKey("capabilities.id"))
    rater_kind: Mapped[str] = mapped_column(sa.String(20))
    rating: Mapped[str] = mapped_column(sa.String(40))  # a code from the framework's scale
    justification: Mapped[Optional[str]] = mapped_column(sa.Text)
    rated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    rated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    capability: Mapped["Capability"] = relationship(lazy="raise_on_sql")
    rated_by: Mapped["User"] = relationship(lazy="raise_on_sql")


class SignerCapacity(str, enum.Enum):
    """In which capacity a person signed (rule D5)."""

    CANDIDATE = "candidate"
    PRIMARY_SUPERVISOR = "primary_supervisor"
    BACKUP_SUPERVISOR = "backup_supervisor"
    BACKUP_ACTING_FOR_PRIMARY = "backup_acting_for_primary"
    EXTERNAL_ASSESSOR = "external_assessor"


class Signature(Base):
    """A signature bound to the SHA-256 hash of exactly what was signed (rule D8)."""

    __tablename__ = "signatures"
    __table_args__ = (
        sa.CheckConstraint("subject_type IN ('evidence_version', 'stage_signoff')",
                           name="known_subject"),
        sa.Index("ix_signatures_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(sa.String(30))
    subject_id: Mapped[int]
    signer_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"), index=True)
    signer_name: Mapped[str] = mapped_column(sa.String(200))  # as it was when signed
    capacity: Mapped[str] = mapped_column(sa.String(40))
    acting_reason: Mapped[Optional[str]] = mapped_column(sa.Text)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    signed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # An external assessor has no account: who they said they are is kept with what they signed.
    signer_role: Mapped[Optional[str]] = mapped_column(sa.String(200))
    registration_body: Mapped[Optional[str]] = mapped_column(sa.String(100))
    registration_number: Mapped[Optional[str]] = mapped_column(sa.String(30))
    declaration: Mapped[Optional[str]] = mapped_column(sa.Text)  # the words they confirmed

    signer: Mapped[Optional["User"]] = relationship(lazy="raise_on_sql")


class ReviewOutcome(str, enum.Enum):
    """What a supervisor decided about an external assessor's signature."""

    ACCEPTED = "accepted"
    DISPUTED = "disputed"


class ExternalSignatureReview(Base):
    """A supervisor's acceptance or dispute of an external signature; append-only, like it.

    A dispute never edits the signature: it is a new row, and the signature stops counting.
    """

    __tablename__ = "external_signature_reviews"
    __table_args__ = (
        sa.UniqueConstraint("signature_id", "outcome"),
        sa.CheckConstraint("outcome IN ('accepted', 'disputed')", name="known_outcome"),
        sa.CheckConstraint("outcome != 'disputed' OR reason IS NOT NULL", name="dispute_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    signature_id: Mapped[int] = mapped_column(sa.ForeignKey("signatures.id"))
    evidence_id: Mapped[int] = mapped_column(sa.ForeignKey("evidence.id"), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(10))
    reason: Mapped[Optional[str]] = mapped_column(sa.Text)
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reviewer_name: Mapped[str] = mapped_column(sa.String(200))  # as it was when reviewed
    capacity: Mapped[str] = mapped_column(sa.String(40))
    reviewed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class StageSignOff(Base):
    """The sign-off of one stage for one enrolment; one row per stage, so one can win a race.

    It is the stage's current state. Each supervisor sign-off is also kept as a round
    (StageSignOffRound): a referral reopens the stage, and the next sign-off is a new round.
    """

    __tablename__ = "stage_signoffs"
    __table_args__ = (
        sa.UniqueConstraint("enrolment_id", "stage_code"),
        # supervisor_signed: waiting for the approvals that follow the supervisor's (rule D11);
        # referred: an approver sent it back, and the supervisor signs it off again.
        sa.CheckConstraint("status IN ('open', 'candidate_signed', 'supervisor_signed', "
                           "'referred', 'complete')", name="known_status"),
        # The stages waiting on someone, found without reading every frozen sign-off.
        sa.Index("ix_stage_signoffs_status", "status", "enrolment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id"))
    stage_code: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20), default="open")
    declarations: Mapped[Optional[dict]] = mapped_column(sa.JSON)
    # What both parties signed, frozen: checklist, ratings, signed evidence hashes, declarations.
    signed_content: Mapped[Optional[dict]] = mapped_column(sa.JSON)
    content_hash: Mapped[Optional[str]] = mapped_column(sa.String(64))
    candidate_signed_at: Mapped[Optional[dt.datetime]]
    verification_code: Mapped[Optional[str]] = mapped_column(sa.String(40), unique=True)
    completed_at: Mapped[Optional[dt.datetime]]
    lock_version: Mapped[int] = mapped_column(default=1)

    enrolment: Mapped["Enrolment"] = relationship(lazy="raise_on_sql")


class StageSignOffRound(Base):
    """What the supervisor signed off in one round of a stage, frozen; append-only (rule D8).

    Round 1 is the first sign-off; each referral leads to another. Approvers' decisions name
    the round and its content hash, so each stays bound to the snapshot it judged.
    """

    __tablename__ = "stage_signoff_rounds"
    __table_args__ = (
        sa.UniqueConstraint("signoff_id", "number"),
        # What a decision's foreign key on (round, content hash) points at.
        sa.UniqueConstraint("id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    signoff_id: Mapped[int] = mapped_column(sa.ForeignKey("stage_signoffs.id"))
    number: Mapped[int]
    # As in StageSignOff.signed_content, with any reasons for guidance left unmet and the
    # learning needs analysis' credits.
    signed_content: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    signed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    signoff: Mapped[StageSignOff] = relationship(lazy="raise_on_sql")


class ProgressReview(Base):
    """An educational supervisor's periodic review of progress; the candidate may answer once."""

    __tablename__ = "progress_reviews"
    __table_args__ = (
        sa.CheckConstraint("(candidate_response IS NULL) = (responded_at IS NULL)",
                           name="response_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    reviewed_on: Mapped[dt.date]
    # Capability heading code -> the progress the reviewer saw on it.
    heading_progress: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    concerns: Mapped[Optional[str]] = mapped_column(sa.Text)
    agreed_actions: Mapped[Optional[str]] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    candidate_response: Mapped[Optional[str]] = mapped_column(sa.Text)
    responded_at: Mapped[Optional[dt.datetime]]

    enrolment: Mapped["Enrolment"] = relationship(lazy="raise_on_sql")
    reviewer: Mapped["User"] = relationship(lazy="raise_on_sql")

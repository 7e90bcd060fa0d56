"""Evidence items, their signed versions, capability links and attachments."""
from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roadmap.db import Base, utcnow

if TYPE_CHECKING:
    from roadmap.accounts.models import User
    from roadmap.cohorts.models import Enrolment
    from roadmap.framework.models import Capability, EvidenceType, Outcome


class EvidenceStatus(str, enum.Enum):
    """The life cycle of an evidence item."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    SIGNED = "signed"
    CHANGED_SINCE_SIGNED = "changed_since_signed"


EVIDENCE_STATUSES = tuple(status.value for status in EvidenceStatus)


class Evidence(Base):
    """A piece of portfolio evidence: a WPBA, reflection, certificate, log entry..."""

    __tablename__ = "evidence"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'returned', 'signed', 'changed_since_signed')",
            name="known_status"),
        sa.Index("ix_evidence_enrolment_status", "enrolment_id", "status"),
        sa.Index("ix_evidence_submitted_to_status", "submitted_to_id", "status"),
        # A region's figures (roadmap.regions.figures) read only the items changed, done or
        # waiting lately, across every hub: these answer them from the index alone.
        sa.Index("ix_evidence_updated_at", "updated_at", "enrolment_id"),
        sa.Index("ix_evidence_occurred_on", "occurred_on", "status", "evidence_type_id",
                 "enrolment_id"),
        sa.Index("ix_evidence_status_submitted_at", "status", "submitted_at", "enrolment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id"))
    evidence_type_id: Mapped[int] = mapped_column(sa.ForeignKey("evidence_types.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    occurred_on: Mapped[Optional[dt.date]]
    template_code: Mapped[Optional[str]] = mapped_column(sa.String(40))  # e.g. a reflective model
    fields: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)  # field code -> answer
    status: Mapped[str] = mapped_column(sa.String(30), default=EvidenceStatus.DRAFT.value)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    submitted_to_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    submitted_at: Mapped[Optional[dt.datetime]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Optimistic lock carried in a hidden form field, so a stale form cannot overwrite.
    lock_version: Mapped[int] = mapped_column(default=1)

    enrolment: Mapped["Enrolment"] = relationship(lazy="raise_on_sql")
    evidence_type: Mapped["EvidenceType"] = relationship(lazy="raise_on_sql")
    created_by: Mapped["User"] = relationship(foreign_keys=[created_by_id], lazy="raise_on_sql")
    submitted_to: Mapped[Optional["User"]] = relationship(
        foreign_keys=[submitted_to_id], lazy="raise_on_sql")
    capability_links: Mapped[list["EvidenceCapability"]] = relationship(
        back_populates="evidence", cascade="all, delete-orphan", lazy="raise_on_sql")
    versions: Mapped[list["EvidenceVersion"]] = relationship(
        back_populates="evidence", order_by="EvidenceVersion.number", lazy="raise_on_sql")
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="evidence", lazy="raise_on_sql")


class EvidenceVersion(Base):
    """An immutable snapshot of an item's content, taken when it is signed (rule D8)."""

    __tablename__ = "evidence_versions"
    __table_args__ = (sa.UniqueConstraint("evidence_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(sa.ForeignKey("evidence.id"))
    number: Mapped[int]
    content: Mapped[dict[str, Any]] = mapped_column(sa.JSON)  # title, fields, links as signed
    content_hash: Mapped[str] = mapped_column(sa.String(64))  # SHA-256 of canonical content
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    evidence: Mapped[Evidence] = relationship(back_populates="versions", lazy="raise_on_sql")


class EvidenceCapability(Base):
    """A link from an evidence item to a capability heading (and optionally an outcome)."""

    __tablename__ = "evidence_capabilities"

    evidence_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evidence.id", ondelete="CASCADE"), primary_key=True)
    capability_id: Mapped[int] = mapped_column(
        sa.ForeignKey("capabilities.id"), primary_key=True, index=True)
    outcome_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("outcomes.id"))
    linked_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    linked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    evidence: Mapped[Evidence] = relationship(back_populates="capability_links",
                                              lazy="raise_on_sql")
    capability: Mapped["Capability"] = relationship(lazy="raise_on_sql")
    outcome: Mapped[Optional["Outcome"]] = relationship(lazy="raise_on_sql")


class Attachment(Base):
    """A file attached to evidence, stored outside the web root under its content hash."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(sa.ForeignKey("evidence.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    media_type: Mapped[str] = mapped_column(sa.String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    evidence: Mapped[Evidence] = relationship(back_populates="attachments", lazy="raise_on_sql")


class EvidenceComment(Base):
    """A comment on an item: the supervisor's reasons for returning it, kept with its history."""

    __tablename__ = "evidence_comments"
    __table_args__ = (sa.CheckConstraint("kind IN ('return', 'note')", name="known_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(sa.ForeignKey("evidence.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(20), default="return")
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    author: Mapped["User"] = relationship(lazy="raise_on_sql")


class DraftAutosave(Base):
    """Form answers kept on the server for one person and one page: autosave, expired session."""

    __tablename__ = "draft_autosaves"
    __table_args__ = (sa.UniqueConstraint("user_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(sa.String(300))  # the form's page, which it restores to
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)  # field name -> list of values
    reason: Mapped[str] = mapped_column(sa.String(20), default="autosave")
    saved_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FormSubmission(Base):
    """A one-time token from a form that was acted on, so a double click does the work once."""

    __tablename__ = "form_submissions"

    token: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    evidence_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("evidence.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

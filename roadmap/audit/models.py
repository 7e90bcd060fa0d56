"""The append-only, hash-chained audit log."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from roadmap.db import Base, utcnow


class AuditEvent(Base):
    """One event; its hash covers its own content and the hash of the event before it."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_enrolment_id_id", "enrolment_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)  # the chain's order
    occurred_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60))
    subject_type: Mapped[Optional[str]] = mapped_column(sa.String(40))
    subject_id: Mapped[Optional[int]]
    enrolment_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("enrolments.id"))
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

"""Who opened what in a portfolio: one row each time someone other than the candidate reads it."""
from __future__ import annotations

import datetime as dt
import enum
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from roadmap.db import Base, utcnow
from roadmap.feedback.models import FeedbackRound
from roadmap.portfolio.models import Evidence


def shared() -> sa.ColumnElement[bool]:
    """SQL condition on Evidence: anyone with content reach may see it; not a private draft.

    A draft is the candidate's alone until they submit it, or open a feedback round on it
    (respondents and supervisors then see the self-assessment it carries).
    """
    return sa.or_(Evidence.status != "draft",
                  sa.exists().where(FeedbackRound.evidence_id == Evidence.id))


class Opened(str, enum.Enum):
    """What was opened."""

    ITEM = "item"  # an item's page: its answers, reflections and comments
    ATTACHMENT = "attachment"  # a file, downloaded
    HEADING = "heading"  # a capability heading: the candidate's self-rating and why
    EXPORT = "export"  # the whole portfolio as a PDF


class ContentAccessEvent(Base):
    """Someone other than the candidate opened part of the portfolio's content.

    Kept outside the audit chain: reads outnumber writes many times over, and every audit
    event takes the chain's lock in turn. What was opened is named as it was then (`label`),
    so the row still says so after a file is removed (its id is then set to null).
    """

    __tablename__ = "content_access_events"
    __table_args__ = (
        sa.CheckConstraint("what IN ('item', 'attachment', 'heading', 'export')",
                           name="known_what"),
        sa.Index("ix_content_access_events_enrolment_opened", "enrolment_id", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id"))
    reader_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    capacity: Mapped[str] = mapped_column(sa.String(30))  # e.g. backup_supervisor, as it was then
    what: Mapped[str] = mapped_column(sa.String(20))
    evidence_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("evidence.id", ondelete="SET NULL"))
    attachment_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("attachments.id", ondelete="SET NULL"))
    label: Mapped[str] = mapped_column(sa.String(300))
    opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

"""Responses to multi-source feedback and patient questionnaires (rule D7)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from roadmap.db import Base, utcnow


class FeedbackResponse(Base):
    """One anonymous response to a feedback round; a round is an MSF or PSQ evidence item.

    No column ties a response to who gave it: results are only ever shown in aggregate.
    """

    __tablename__ = "feedback_responses"
    __table_args__ = (
        sa.CheckConstraint("respondent_group IN ('clinical', 'non_clinical', 'patient')",
                           name="known_group"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(sa.ForeignKey("evidence.id"), index=True)
    respondent_group: Mapped[str] = mapped_column(sa.String(20))
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    submitted_on: Mapped[dt.date] = mapped_column(default=lambda: utcnow().date())

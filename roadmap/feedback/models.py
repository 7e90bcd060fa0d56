"""Responses to multi-source feedback and patient questionnaires (rule D7)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

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


class FeedbackRound(Base):
    """An MSF or PSQ item opened for responses: what the candidate said first, and the release.

    The candidate's self-assessment is copied here when the round opens, so the results are
    always shown beside what was said before any response came in (rule D7).
    """

    __tablename__ = "feedback_rounds"
    __table_args__ = (sa.CheckConstraint("kind IN ('msf', 'psq')", name="known_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(sa.ForeignKey("evidence.id"), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    self_assessment: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    opened_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # PSQ: one link for the whole round. The token is derived from this nonce and the secret
    # key, so the poster can be printed again; the database alone cannot rebuild it.
    link_nonce: Mapped[Optional[str]] = mapped_column(sa.String(64))
    link_hash: Mapped[Optional[str]] = mapped_column(sa.String(64), unique=True)
    released_at: Mapped[Optional[dt.datetime]]
    released_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))


class FeedbackRater(Base):
    """A colleague asked for MSF, with their current single-use link (only its hash is kept).

    Deliberately no time of answering: nothing may pair a rater with a response.
    """

    __tablename__ = "feedback_raters"
    __table_args__ = (
        sa.CheckConstraint("rater_group IN ('clinical', 'non_clinical')", name="known_group"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(sa.ForeignKey("evidence.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(320))
    role: Mapped[str] = mapped_column(sa.String(200))
    rater_group: Mapped[str] = mapped_column(sa.String(20))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[dt.datetime]
    invited_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sends: Mapped[int] = mapped_column(default=1)  # invitation and resends, for the limit
    reminders_sent: Mapped[int] = mapped_column(default=0)
    responded: Mapped[bool] = mapped_column(default=False)
    added_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))


class FeedbackLinkHit(Base):
    """One use (or failed use) of a public link, kept briefly so limits hold across processes."""

    __tablename__ = "feedback_link_hits"
    __table_args__ = (sa.Index("ix_feedback_link_hits_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(300))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AssessmentTicket(Base):
    """A single-use link for a colleague without an account to assess and sign one WPBA.

    An on-device one (`on_device`) was completed and signed on the candidate's phone: its
    answers wait in `draft` and its link only confirms them; it counts once confirmed.
    """

    __tablename__ = "assessment_tickets"
    __table_args__ = (sa.UniqueConstraint("evidence_id", "client_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(sa.ForeignKey("evidence.id"), index=True)
    invited_name: Mapped[str] = mapped_column(sa.String(200))
    invited_email: Mapped[str] = mapped_column(sa.String(320))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[dt.datetime]
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    used_at: Mapped[Optional[dt.datetime]]
    # Who actually assessed, as they gave it, and the signature they made.
    assessor_name: Mapped[Optional[str]] = mapped_column(sa.String(200))
    assessor_role: Mapped[Optional[str]] = mapped_column(sa.String(200))
    assessor_registration: Mapped[Optional[str]] = mapped_column(sa.String(100))
    assessor_email: Mapped[Optional[str]] = mapped_column(sa.String(320))
    signature_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("signatures.id"))
    # The assessor's answers while they check them before signing (form field: its values);
    # cleared when they sign.
    draft: Mapped[Optional[dict[str, Any]]] = mapped_column(sa.JSON)
    on_device: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    client_key: Mapped[Optional[str]] = mapped_column(sa.String(64))  # the device's, per item
    withdrawn_at: Mapped[Optional[dt.datetime]]
    expiry_recorded_at: Mapped[Optional[dt.datetime]]
    sends: Mapped[int] = mapped_column(default=1, server_default="1")

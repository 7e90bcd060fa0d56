"""Regions: the training hubs a regional lead watches together, and who leads each region."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roadmap.db import Base, utcnow

if TYPE_CHECKING:
    from roadmap.accounts.models import User


class Region(Base):
    """Hubs watched together: an integrated care system, or an NHS England region.

    A hub belongs to at most one region (`training_hubs.region_id`). The region's target is
    its own: it need not be the sum of its hubs' targets.
    """

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    annual_signoff_target: Mapped[Optional[int]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RegionLead(Base):
    """A person who leads one region, for a period; history is kept, never overwritten.

    The role `regional_lead` lets the person in, with a second factor; this row says which
    region's figures they see. Either one alone shows nothing.
    """

    __tablename__ = "region_leads"
    __table_args__ = (sa.Index("ix_region_leads_user_ended", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    added_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    ended_at: Mapped[Optional[dt.datetime]]
    ended_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))

    region: Mapped[Region] = relationship(lazy="raise_on_sql")
    user: Mapped["User"] = relationship(foreign_keys=[user_id], lazy="raise_on_sql")


def regions_led_by(user_id: int) -> sa.Select[tuple[int]]:
    """The ids of the regions a person leads now: the one answer, for `Region.id.in_(...)`."""
    return sa.select(RegionLead.region_id).where(RegionLead.user_id == user_id,
                                                 RegionLead.ended_at.is_(None))

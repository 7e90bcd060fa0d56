"""Framework versions loaded from capabilities/: domains, capabilities, outcomes, stages, evidence types."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roadmap.db import Base, utcnow


class FrameworkVersion(Base):
    """One loaded version of a roadmap framework file, identified by its content hash (rule D1)."""

    __tablename__ = "framework_versions"
    __table_args__ = (sa.UniqueConstraint("slug", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    version_label: Mapped[str] = mapped_column(sa.String(40))
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    source_path: Mapped[str] = mapped_column(sa.String(300))
    document: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    loaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    domains: Mapped[list["Domain"]] = relationship(
        back_populates="framework_version", order_by="Domain.position", lazy="raise_on_sql")
    capabilities: Mapped[list["Capability"]] = relationship(
        back_populates="framework_version", order_by="Capability.position", lazy="raise_on_sql")
    stages: Mapped[list["Stage"]] = relationship(
        back_populates="framework_version", order_by="Stage.position", lazy="raise_on_sql")
    evidence_types: Mapped[list["EvidenceType"]] = relationship(
        back_populates="framework_version", order_by="EvidenceType.position", lazy="raise_on_sql")


class Domain(Base):
    """A group of capabilities, e.g. "A. Person-centred approaches"."""

    __tablename__ = "domains"
    __table_args__ = (sa.UniqueConstraint("framework_version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_versions.id"))
    code: Mapped[str] = mapped_column(sa.String(10))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[Optional[str]] = mapped_column(sa.Text)
    position: Mapped[int]

    framework_version: Mapped[FrameworkVersion] = relationship(
        back_populates="domains", lazy="raise_on_sql")
    capabilities: Mapped[list["Capability"]] = relationship(
        back_populates="domain", order_by="Capability.position", lazy="raise_on_sql")


class Capability(Base):
    """A capability heading, e.g. "3 History-taking", against which evidence is linked and rated."""

    __tablename__ = "capabilities"
    __table_args__ = (sa.UniqueConstraint("framework_version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_versions.id"))
    domain_id: Mapped[int] = mapped_column(sa.ForeignKey("domains.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(10))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[Optional[str]] = mapped_column(sa.Text)
    position: Mapped[int]

    framework_version: Mapped[FrameworkVersion] = relationship(
        back_populates="capabilities", lazy="raise_on_sql")
    domain: Mapped[Domain] = relationship(back_populates="capabilities", lazy="raise_on_sql")
    outcomes: Mapped[list["Outcome"]] = relationship(
        back_populates="capability", order_by="Outcome.position", lazy="raise_on_sql")


class Outcome(Base):
    """An optional outcome descriptor under a capability, added by whoever holds the wording."""

    __tablename__ = "outcomes"
    __table_args__ = (sa.UniqueConstraint("capability_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    capability_id: Mapped[int] = mapped_column(sa.ForeignKey("capabilities.id"))
    code: Mapped[str] = mapped_column(sa.String(20))
    text: Mapped[str] = mapped_column(sa.Text)
    position: Mapped[int]

    capability: Mapped[Capability] = relationship(back_populates="outcomes", lazy="raise_on_sql")


class Stage(Base):
    """A stage of the roadmap with its requirements (evidence types, thresholds) as data."""

    __tablename__ = "stages"
    __table_args__ = (sa.UniqueConstraint("framework_version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_versions.id"))
    code: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(200))
    position: Mapped[int]
    requirements: Mapped[dict[str, Any]] = mapped_column(sa.JSON)

    framework_version: Mapped[FrameworkVersion] = relationship(
        back_populates="stages", lazy="raise_on_sql")


class EvidenceType(Base):
    """A kind of evidence (COT, CBD, reflection...) with its form definition as data."""

    __tablename__ = "evidence_types"
    __table_args__ = (sa.UniqueConstraint("framework_version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_versions.id"))
    code: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(200))
    is_wpba: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int]
    definition: Mapped[dict[str, Any]] = mapped_column(sa.JSON)

    framework_version: Mapped[FrameworkVersion] = relationship(
        back_populates="evidence_types", lazy="raise_on_sql")

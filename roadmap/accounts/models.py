"""People, their roles and their server-side sessions."""
from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roadmap.db import Base, utcnow

if TYPE_CHECKING:
    from roadmap.cohorts.models import TrainingHub


class Role(str, enum.Enum):
    """What a person may do; one person can hold several."""

    CANDIDATE = "candidate"
    SUPERVISOR = "supervisor"
    HUB_LEAD = "hub_lead"
    ADMIN = "admin"
    PROVIDER_REVIEWER = "provider_reviewer"  # an education provider's; whose: ProviderReviewer
    REGIONAL_LEAD = "regional_lead"  # counts for a region's hubs; which region: RegionLead

    @property
    def label(self) -> str:
        """The role as users say it."""
        return {"candidate": "Candidate", "supervisor": "Supervisor",
                "hub_lead": "Training hub lead", "admin": "Administrator",
                "provider_reviewer": "Education provider reviewer",
                "regional_lead": "Regional lead"}[self.value]


ROLE_VALUES = tuple(role.value for role in Role)


class User(UserMixin, Base):
    """A person with an account: candidate, supervisor, hub lead, admin, provider reviewer."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)  # stored lower-cased
    full_name: Mapped[str] = mapped_column(sa.String(200))
    profession: Mapped[Optional[str]] = mapped_column(sa.String(80))
    registration_body: Mapped[Optional[str]] = mapped_column(sa.String(20))
    registration_number: Mapped[Optional[str]] = mapped_column(sa.String(40))
    password_hash: Mapped[Optional[str]] = mapped_column(sa.String(255))
    totp_secret: Mapped[Optional[str]] = mapped_column(sa.String(64))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[Optional[dt.datetime]]
    totp_confirmed_at: Mapped[Optional[dt.datetime]]  # set once the person proved their app works
    # The time step of the last code accepted: a code is refused at or before it, so it works once.
    totp_last_step: Mapped[Optional[int]]
    # Wrong codes in a row since the last accepted one, and when the last came: they set the
    # wait before the next try and, at the limit, the lock only the owner's emailed link lifts.
    wrong_codes: Mapped[int] = mapped_column(default=0, server_default="0")
    last_wrong_code_at: Mapped[Optional[dt.datetime]]
    two_factor_locked_at: Mapped[Optional[dt.datetime]]

    roles: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin")
    supervisor_profile: Mapped[Optional["SupervisorProfile"]] = relationship(
        back_populates="user", lazy="raise_on_sql")

    def has_role(self, role: Role | str) -> bool:
        """True when the person holds the role anywhere."""
        value = role.value if isinstance(role, Role) else role
        return any(grant.role == value for grant in self.roles)

    @property
    def role_set(self) -> set[Role]:
        """Every role the person holds."""
        return {Role(grant.role) for grant in self.roles}

    @property
    def needs_two_factor(self) -> bool:
        """Everyone but candidates signs in with a second factor: supervisors, hub leads,
        admins, provider reviewers and regional leads."""
        return bool(self.role_set & {Role.SUPERVISOR, Role.HUB_LEAD, Role.ADMIN,
                                     Role.PROVIDER_REVIEWER, Role.REGIONAL_LEAD})


class UserRole(Base):
    """A role held by a person; a hub lead's role names the hub it covers."""

    __tablename__ = "user_roles"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "role", "hub_id"),
        sa.CheckConstraint(
            "role IN ('candidate', 'supervisor', 'hub_lead', 'admin', 'provider_reviewer', "
            "'regional_lead')",
            name="known_role"),
        sa.CheckConstraint("role != 'hub_lead' OR hub_id IS NOT NULL", name="hub_lead_has_hub"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20))
    hub_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("training_hubs.id"), index=True)
    granted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles", lazy="raise_on_sql")
    hub: Mapped[Optional["TrainingHub"]] = relationship(lazy="raise_on_sql")


class SupervisorProfile(Base):
    """A supervisor's category and capacity: 1.0 FTE carries at most 4 candidates (rule D6)."""

    __tablename__ = "supervisor_profiles"
    __table_args__ = (sa.CheckConstraint("fte > 0 AND fte <= 1", name="fte_range"),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    category: Mapped[str] = mapped_column(sa.String(40))  # gp, ahp_fellow, verified_fcp, ap
    fte: Mapped[float] = mapped_column(sa.Numeric(3, 2, asdecimal=False), default=1.0)
    trained_on: Mapped[Optional[dt.date]]

    user: Mapped[User] = relationship(back_populates="supervisor_profile", lazy="raise_on_sql")


class UserSession(Base):
    """A signed-in session kept on the server so it can be revoked everywhere."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)  # SHA-256 of the cookie
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    reauthenticated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[Optional[dt.datetime]]
    ip_address: Mapped[Optional[str]] = mapped_column(sa.String(45))
    user_agent: Mapped[Optional[str]] = mapped_column(sa.String(300))

    user: Mapped[User] = relationship(lazy="raise_on_sql")


class TokenPurpose(str, enum.Enum):
    """What a one-time emailed link is for."""

    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"
    TWO_FACTOR_UNLOCK = "two_factor_unlock"


class AccountToken(Base):
    """A single-use, expiring link sent by email; only its SHA-256 is stored."""

    __tablename__ = "account_tokens"
    __table_args__ = (
        sa.CheckConstraint("purpose IN ('invitation', 'password_reset', 'two_factor_unlock')",
                           name="known_purpose"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[Optional[dt.datetime]]
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise_on_sql")


class RecoveryCode(Base):
    """A one-time code that stands in for the authenticator app; only its hash is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    used_at: Mapped[Optional[dt.datetime]]


class SignInFailure(Base):
    """A failed sign-in, kept briefly so throttling holds across every worker process."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (sa.Index("ix_sign_in_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(300))  # what was counted: see accounts/throttle.py
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

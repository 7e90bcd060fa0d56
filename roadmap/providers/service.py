"""Setting up education providers: the providers, their reviewers, and whose learners they have.

An administrator creates providers and adds or removes reviewers (an account with the role
`provider_reviewer`, invited by email when new). A hub names an enrolment's provider. Every
change is audited in the same transaction; nothing here commits.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from roadmap import mail
from roadmap.accounts import onboarding, people, service as accounts
from roadmap.accounts.models import Role, User
from roadmap.audit.service import record
from roadmap.cohorts.models import Enrolment
from roadmap.db import utcnow
from roadmap.providers.models import EducationProvider, ProviderReviewer


class ProviderError(ValueError):
    """A rule stopped the change; `field` names the form field the message belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _same_name(column: sa.ColumnElement[str], name: str) -> sa.ColumnElement[bool]:
    """Names that match ignoring case, folded by the database on both sides."""
    return sa.func.lower(column) == sa.func.lower(sa.literal(name))


def tidy(name: str) -> str:
    """A provider's name as kept: single spaces, no spaces at the ends."""
    return " ".join((name or "").split())


def providers(session: Session) -> list[tuple[EducationProvider, int]]:
    """Every provider by name, with how many reviewers it has now."""
    current = (sa.select(ProviderReviewer.provider_id, sa.func.count().label("n"))
               .where(ProviderReviewer.ended_at.is_(None))
               .group_by(ProviderReviewer.provider_id).subquery())
    rows = session.execute(sa.select(EducationProvider, sa.func.coalesce(current.c.n, 0))
                           .outerjoin(current, current.c.provider_id == EducationProvider.id)
                           .order_by(EducationProvider.name)).all()
    return [(provider, count) for provider, count in rows]


def active_providers(session: Session) -> list[EducationProvider]:
    """The providers an enrolment may name, by name."""
    return list(session.scalars(sa.select(EducationProvider).where(EducationProvider.is_active)
                                .order_by(EducationProvider.name)))


def provider_of(session: Session, enrolment: Enrolment) -> Optional[EducationProvider]:
    """The education provider the enrolment names, if any."""
    return session.get(EducationProvider, enrolment.provider_id) if enrolment.provider_id else None


def find_provider(session: Session, name: str) -> Optional[EducationProvider]:
    """The active provider with this name, ignoring case and extra spaces."""
    return session.scalar(sa.select(EducationProvider).where(
        _same_name(EducationProvider.name, tidy(name)), EducationProvider.is_active))


def create_provider(session: Session, name: str, actor: User) -> EducationProvider:
    """A new education provider (administrators only: the view checks the role)."""
    name = tidy(name)
    if not name:
        raise ProviderError("name", "Enter the provider's name")
    if session.scalar(sa.select(EducationProvider.id)
                      .where(_same_name(EducationProvider.name, name))):
        raise ProviderError("name", "An education provider with this name already exists")
    provider = EducationProvider(name=name)
    session.add(provider)
    session.flush()
    record(session, "provider.created", actor_id=actor.id, subject_type="provider",
           subject_id=provider.id, data={"name": name})
    return provider


@dataclass
class ProviderPage:
    """One provider as an administrator sees it: its reviewers now, and who reviewed before."""

    provider: EducationProvider
    current: list[ProviderReviewer]
    former: list[ProviderReviewer]
    learners: int  # enrolments naming the provider


def provider_page(session: Session, provider: EducationProvider) -> ProviderPage:
    """What the administrator's page of one provider shows."""
    rows = session.scalars(sa.select(ProviderReviewer)
                           .where(ProviderReviewer.provider_id == provider.id)
                           .options(selectinload(ProviderReviewer.user))
                           .order_by(ProviderReviewer.added_at.desc(), ProviderReviewer.id.desc())).all()
    learners = session.scalar(sa.select(sa.func.count()).select_from(Enrolment)
                              .where(Enrolment.provider_id == provider.id)) or 0
    return ProviderPage(provider, [r for r in rows if r.ended_at is None],
                        [r for r in rows if r.ended_at is not None], learners)


def add_reviewer(session: Session, provider: EducationProvider, email: str, full_name: str,
                 actor: User, *, lifetime: dt.timedelta,
                 link_for: onboarding.LinkFor) -> ProviderReviewer:
    """Make someone a reviewer for the provider; a new person is invited by email.

    An existing account gets the role `provider_reviewer` beside its others, and an email.
    """
    person = accounts.find_user(session, email)
    if person is None:
        person = people.invite(session, actor, Role.PROVIDER_REVIEWER, None, email=email,
                               full_name=full_name, lifetime=lifetime, link_for=link_for)
    else:
        if not person.is_active:
            raise ProviderError("email", "This account is disabled: enable it first")
        if session.scalar(sa.select(ProviderReviewer.id).where(
                ProviderReviewer.provider_id == provider.id, ProviderReviewer.user_id == person.id,
                ProviderReviewer.ended_at.is_(None))):
            raise ProviderError("email", f"{person.full_name} already reviews for {provider.name}")
        accounts.grant_role(session, person, Role.PROVIDER_REVIEWER, actor.id)
        mail.queue(session, person.email, f"You now review for {provider.name} in Roadmap",
                   f"Dear {person.full_name},\n\n{actor.full_name} has made you a reviewer for "
                   f"{provider.name}. Portfolios waiting for its approval are in your review "
                   "queue when you sign in.\n")
    reviewer = ProviderReviewer(provider_id=provider.id, user_id=person.id, added_by_id=actor.id)
    session.add(reviewer)
    session.flush()
    record(session, "provider.reviewer_added", actor_id=actor.id, subject_type="provider",
           subject_id=provider.id, data={"user_id": person.id, "reviewer_id": reviewer.id})
    return reviewer


def end_reviewer(session: Session, provider: EducationProvider, reviewer_id: int,
                 actor: User) -> ProviderReviewer:
    """Stop someone reviewing for the provider, from now; the history is kept."""
    reviewer = session.scalar(sa.select(ProviderReviewer).where(
        ProviderReviewer.id == reviewer_id, ProviderReviewer.provider_id == provider.id,
        ProviderReviewer.ended_at.is_(None)).options(selectinload(ProviderReviewer.user)))
    if reviewer is None:
        raise ProviderError("reviewer", "This person no longer reviews for the provider")
    reviewer.ended_at, reviewer.ended_by_id = utcnow(), actor.id
    session.flush()
    record(session, "provider.reviewer_ended", actor_id=actor.id, subject_type="provider",
           subject_id=provider.id, data={"user_id": reviewer.user_id, "reviewer_id": reviewer.id})
    return reviewer


def set_enrolment_provider(session: Session, enrolment: Enrolment,
                           provider: Optional[EducationProvider], actor: User) -> None:
    """Name the enrolment's education provider, or none (the portfolio route without one)."""
    before = enrolment.provider_id
    after = provider.id if provider is not None else None
    if before == after:
        return
    enrolment.provider_id = after
    session.flush()
    record(session, "enrolment.provider_set", actor_id=actor.id, subject_type="enrolment",
           subject_id=enrolment.id, enrolment_id=enrolment.id,
           data={"from": before, "to": after, "provider": provider.name if provider else None})

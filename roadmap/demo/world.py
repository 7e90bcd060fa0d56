"""The demo's world: its people, hubs, education provider and framework, made through the services.

`World` is what every thread of the story shares. `setup` is the story's first thread: the
administrator creates the hubs, the provider with its reviewers, the employers and the
supervisors; each hub lead then creates their cohort when it starts.
"""
from __future__ import annotations

import datetime as dt
import functools
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pyotp
import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import clock, mail
from roadmap.accounts.models import Role, SupervisorProfile, User
from roadmap.accounts.passwords import hash_password
from roadmap.accounts.service import create_user, find_user
from roadmap.cohorts import service as cohorts
from roadmap.cohorts.models import Cohort, Employer, TrainingHub
from roadmap.db import utcnow
from roadmap.demo import people
from roadmap.demo.story import Story, Thread, on
from roadmap.framework import definitions, loader, service as frameworks
from roadmap.framework.models import Capability, EvidenceType, FrameworkVersion
from roadmap.links import external_link
from roadmap.providers import service as providers
from roadmap.providers.models import EducationProvider
from roadmap.regions import service as regions
from roadmap.regions.models import Region
from roadmap.supervision.assignments import set_fte

SLUG = "msk-fcp"


class DemoError(RuntimeError):
    """The demo cannot be built here; the message says why and what to do."""


@dataclass
class World:
    """What the story's threads share: the session, the day it runs, and who and what exists."""

    session: Session
    story: Story
    today: dt.date  # the day the demo runs: the story ends before it
    password: str
    profile: str
    framework_dir: str
    domains: tuple[str, ...]  # the work email domains an external assessor may use
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    users: dict[str, User] = field(default_factory=dict)
    hubs: list[TrainingHub] = field(default_factory=list)
    cohorts: dict[int, Cohort] = field(default_factory=dict)  # by index of people.HUBS
    employers: list[Employer] = field(default_factory=list)
    provider: Optional[EducationProvider] = None
    region: Optional[Region] = None
    version: Optional[FrameworkVersion] = None
    types: dict[str, EvidenceType] = field(default_factory=dict)
    capabilities: list[Capability] = field(default_factory=list)
    scales: dict[str, list[str]] = field(default_factory=dict)

    @property
    def types_by_id(self) -> dict[int, EvidenceType]:
        """The roadmap's evidence types by id."""
        return {t.id: t for t in self.types.values()}

    def day(self, days_ago: int) -> dt.date:
        """The day so many days before the demo runs."""
        return self.today - dt.timedelta(days=days_ago)

    def at(self, days_ago: int, hour: int, minute: int = 0) -> dt.datetime:
        """A moment of the day so many days before the demo runs."""
        return on(self.day(days_ago), hour, minute)

    def now_day(self) -> dt.date:
        """The story's day now (the clock is set to each step)."""
        return clock.today()

    def user(self, email: str) -> User:
        """A demo account by email."""
        return self.users[email]

    @functools.cached_property
    def password_hash(self) -> str:
        """The demo password, hashed once for every account."""
        return hash_password(self.password, self.profile)

    def read_framework(self) -> None:
        """The MSK roadmap (loaded now if it is not yet), its evidence types, headings, scales."""
        self.version = framework(self.session, self.framework_dir)
        self.types = {t.code: t for t in self.session.scalars(sa.select(EvidenceType).where(
            EvidenceType.framework_version_id == self.version.id))}
        self.capabilities = list(self.session.scalars(sa.select(Capability).where(
            Capability.framework_version_id == self.version.id).order_by(Capability.position)))
        self.scales = definitions.scale_levels(self.version.document)

    def emailed_token(self, address: str, path: str) -> str:
        """The token of the link last emailed to an address: what its owner follows.

        The demo's colleagues and assessors answer through the links their emails carry, as
        anyone would; nothing is sent (the demo's people are made up), so it reads the outbox.
        """
        for to, _subject, body in reversed(self.session.info.get(mail.OUTBOX, [])):
            found = re.search(rf"/{path}/([A-Za-z0-9_-]+)", body) if to == address else None
            if found:
                return found.group(1)
        raise LookupError(f"no link to /{path}/ was emailed to {address}")


def story_start(today: dt.date) -> dt.datetime:
    """The first moment of the story: the administrator sets up the region."""
    return on(today - dt.timedelta(days=people.SETUP_DAYS_AGO), 9)


def framework(session: Session, folder: str) -> FrameworkVersion:
    """The latest loaded MSK roadmap, loading the folder first if none is (now, in the story)."""
    version = frameworks.latest_version(session, SLUG)
    if version is not None:
        return version
    result = loader.read_path(Path(folder))
    if not result.ok:
        raise DemoError("the framework files have problems; run `roadmap framework check`:\n"
                        + "\n".join(result.problems))
    for loaded in result.frameworks:
        frameworks.load_into_db(session, loaded.document, loaded.source_path)
    version = frameworks.latest_version(session, SLUG)
    if version is None:
        raise DemoError(f"no roadmap with slug {SLUG!r} in {folder}")
    return version


def account(w: World, person: people.Person, actor: Optional[User],
            hub: Optional[TrainingHub] = None) -> User:
    """A demo account, made as an administrator or hub lead makes one, with its second factor.

    Everyone has the same password, so it is hashed once (see World.password_hash): an
    argon2 hash takes about a tenth of a second, and the demo has thirty people.
    """
    user = create_user(w.session, person.email, person.full_name, [Role(r) for r in person.roles],
                       None, w.profile, hub_id=hub.id if hub else None,
                       actor_id=actor.id if actor else None, profession=person.profession,
                       registration_body=person.registration_body,
                       registration_number=person.registration_number)
    user.password_hash, user.password_changed_at = w.password_hash, utcnow()
    if user.needs_two_factor:
        # The person has set up their authenticator app: the login table prints its secret.
        user.totp_secret, user.totp_confirmed_at = pyotp.random_base32(), utcnow()
    w.users[person.email] = user
    return user


def setup(w: World) -> Thread:
    """The administrator sets up the region, then each hub lead creates their cohort."""
    yield story_start(w.today)
    s = w.session
    w.read_framework()
    admin = account(w, people.ADMIN, None)
    w.region = regions.create_region(s, people.REGION, people.REGION_TARGET, by=admin)
    w.hubs = [cohorts.create_hub(s, hub.name, w.region, hub.target, admin)
              for hub in people.HUBS]
    w.employers = [cohorts.add_employer(s, name, admin) for name in people.EMPLOYERS]
    w.provider = providers.create_provider(s, people.PROVIDER, admin)
    yield w.at(people.SETUP_DAYS_AGO, 9, 30)
    for hub, lead in zip(w.hubs, people.LEADS):
        account(w, lead, admin, hub)
    for person in people.SUPERVISORS:
        supervisor = account(w, person, admin)
        set_fte(s, supervisor, person.fte or 1.0, admin)
        # Roadmap keeps a supervisor's category but has no page that sets it yet.
        profile = s.get(SupervisorProfile, supervisor.id)
        assert profile is not None
        profile.category = person.category or "not_recorded"
    account(w, people.EDUCATIONAL, admin)
    yield w.at(people.SETUP_DAYS_AGO, 10)
    lifetime = dt.timedelta(days=7)
    for person in people.REVIEWERS:
        account(w, person, admin)
        providers.add_reviewer(s, w.provider, person.email, person.full_name, admin,
                               lifetime=lifetime, link_for=external_link)
    regional_lead(w)
    for index, hub in sorted(enumerate(people.HUBS), key=lambda pair: -pair[1].cohort_starts):
        yield w.at(hub.cohort_starts + 10, 11)
        w.cohorts[index] = cohorts.create_cohort(s, w.hubs[index], hub.cohort,
                                                 w.day(hub.cohort_starts), w.user(hub.lead))


def regional_lead(w: World) -> None:
    """The administrator makes region@example.nhs.uk the lead of the three hubs' region."""
    admin = w.user(people.ADMIN.email)
    lead = account(w, people.REGIONAL_LEAD, admin)
    regions.assign_regional_lead(w.session, w.region, lead, by=admin)


def existing(session: Session) -> Optional[TrainingHub]:
    """The demo's first hub, if the demo was built here before."""
    return session.scalar(sa.select(TrainingHub).where(TrainingHub.name == people.HUBS[0].name))


def reset_passwords(session: Session, password: str, profile: str) -> dict[str, User]:
    """The demo accounts that exist, each with the password given (hashed once) and enabled."""
    hashed, found = hash_password(password, profile), {}
    for person in people.EVERYONE:
        user = find_user(session, person.email)
        if user is not None:
            user.password_hash, user.is_active = hashed, True
            found[person.email] = user
    return found


def last_event_at(session: Session) -> Optional[dt.datetime]:
    """When the audit log's latest event happened, if it has any."""
    from roadmap.audit.models import AuditEvent

    return session.scalar(sa.select(AuditEvent.occurred_at).order_by(AuditEvent.id.desc())
                          .limit(1))


def answers_for(w: World, etype: EvidenceType, template: Optional[str], parties: list[str],
                when: dt.date, index: int) -> dict[str, Any]:
    """Plausible answers to the sections some parties complete (roadmap.demo.evidence)."""
    from roadmap.demo.evidence import sample_answers

    return sample_answers(etype.definition, w.rng, index, template, parties, w.scales, when)

"""Who uses the demo and which pages each of them reaches, found from the database and the app.

A persona is one kind of person in the data: their roles, the kind of supervisor they are and
how they are assigned, where their own stages stand, whether they review for a provider. The
first account of each kind stands for it, so a rebuilt demo brings its new kinds of people
along without a change here. Their pages are found by following links from their home page
and by filling every GET route they may use with the ids of objects, their own first.
"""
from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from html import unescape
from typing import Any, Callable, Iterable, Optional
from urllib.parse import urljoin, urlsplit

import sqlalchemy as sa
from flask import Flask, url_for
from playwright.sync_api import APIRequestContext
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from roadmap.accounts.models import SupervisorProfile, User, UserRole
from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
from roadmap.feedback.models import FeedbackRater
from roadmap.framework.models import Capability, EvidenceType, Stage
from roadmap.lna.models import LearningNeedsAnalysis
from roadmap.portfolio.models import Attachment, Evidence
from roadmap.providers.models import EducationProvider, ProviderReviewer
from roadmap.supervision.models import (ProgressReview, StageSignOff, StageSignOffRound,
                                        SupervisorAssignment)

# Not pages: files, assets, the health check; a CSV or a PDF rendered in the request.
SKIP_PREFIXES = ("/assets/", "/static/", "/favicon.ico", "/healthz")
SKIP_SUFFIXES = (".csv", ".pdf")
FETCHES_PER_ENDPOINT = 12  # pages of one endpoint fetched to find links and shapes
VISITS_PER_ENDPOINT = 4  # pages of one endpoint checked in the browser, each of a new shape
TRIES_PER_ROUTE = 5  # ids tried for a route the links did not reach
LINK = re.compile(r'<a\b[^>]*?\shref="([^"]*)"', re.IGNORECASE)
TAG = re.compile(r'<([a-z][a-z0-9]*)\b([^>]*)>', re.IGNORECASE)
CLASS = re.compile(r'\sclass="([^"]*)"')
# A page's endpoint and the kinds of element in its main part (see _shape).
Shape = tuple[str, frozenset[tuple[str, str]]]


@dataclass(frozen=True)
class Persona:
    """One kind of person, played by the first account of that kind (none: not signed in)."""

    label: str
    email: Optional[str] = None
    totp_secret: Optional[str] = None
    user_id: Optional[int] = None
    roles: frozenset[str] = frozenset()


ANONYMOUS = Persona("someone not signed in")


def personas(session: Session) -> list[Persona]:
    """Someone not signed in, then one account of each kind the data holds."""
    categories = dict(session.execute(sa.select(SupervisorProfile.user_id,
                                                SupervisorProfile.category)).all())
    kinds: dict[int, set[str]] = defaultdict(set)
    for user_id, kind in session.execute(sa.select(SupervisorAssignment.supervisor_id,
                                                   SupervisorAssignment.kind)
                                         .where(SupervisorAssignment.ended_at.is_(None))):
        kinds[user_id].add(kind)
    stages: dict[int, set[str]] = defaultdict(set)
    for user_id, stage, status in session.execute(
            sa.select(Enrolment.candidate_id, StageSignOff.stage_code, StageSignOff.status)
            .join(StageSignOff, StageSignOff.enrolment_id == Enrolment.id)):
        stages[user_id].add(f"{stage} {status}")
    enrolled = set(session.scalars(sa.select(Enrolment.candidate_id)))
    reviewers = set(session.scalars(sa.select(ProviderReviewer.user_id)
                                    .where(ProviderReviewer.ended_at.is_(None))))
    found: dict[tuple[Any, ...], Persona] = {}
    for user in session.scalars(sa.select(User).where(User.is_active, User.password_hash.is_not(None))
                                .order_by(User.id)):
        roles = frozenset(grant.role for grant in user.roles)
        kind = (tuple(sorted(roles)), categories.get(user.id), tuple(sorted(kinds[user.id])),
                user.id in enrolled, tuple(sorted(stages[user.id])), user.id in reviewers)
        if kind in found:
            continue
        words = [", ".join(sorted(roles)), categories.get(user.id), " and ".join(sorted(kinds[user.id])),
                 "; ".join(sorted(stages[user.id])), "reviews for a provider" if user.id in reviewers else None]
        found[kind] = Persona(f"{user.email} ({'; '.join(w for w in words if w)})", user.email,
                              user.totp_secret, user.id, roles)
    return [ANONYMOUS, *found.values()]


def _related_enrolments(session: Session, user_id: Optional[int]) -> list[int]:
    """Enrolments the person has to do with: their own, supervised, in their hub, reviewed."""
    if user_id is None:
        return []
    hubs = sa.select(UserRole.hub_id).where(UserRole.user_id == user_id, UserRole.hub_id.is_not(None))
    providers = sa.select(ProviderReviewer.provider_id).where(ProviderReviewer.user_id == user_id)
    related = sa.union(
        sa.select(Enrolment.id).where(Enrolment.candidate_id == user_id),
        sa.select(SupervisorAssignment.enrolment_id).where(SupervisorAssignment.supervisor_id == user_id),
        sa.select(Enrolment.id).join(Cohort, Cohort.id == Enrolment.cohort_id).where(Cohort.hub_id.in_(hubs)),
        sa.select(Enrolment.id).where(Enrolment.provider_id.in_(providers)))
    return sorted(session.scalars(sa.select(related.subquery().c[0])))


class Ids:
    """Values for a route's arguments: the person's own objects first, then everyone else's."""

    def __init__(self, session: Session, user_id: Optional[int]) -> None:
        self.session, self.user_id = session, user_id
        self.enrolments = _related_enrolments(session, user_id)

    def _ordered(self, rows: Iterable[tuple[Any, Any]]) -> list[Any]:
        """(value, enrolment) rows: values of the person's enrolments first, each value once."""
        mine, others, seen = [], [], set()
        for value, enrolment in rows:
            if value in seen:
                continue
            seen.add(value)
            (mine if enrolment in self.enrolments else others).append(value)
        return mine + others

    def by_enrolment(self, value: Any, enrolment: Any, *joins: Any, order: Any = None) -> list[Any]:
        """Values of a column, ordered by whether their enrolment is the person's."""
        query = sa.select(value, enrolment)
        for target, on in zip(joins[::2], joins[1::2]):
            query = query.join(target, on)
        return self._ordered(self.session.execute(query.order_by(order if order is not None else value)))

    def evidence(self) -> list[int]:
        """Items, one of each kind and state first, so the first tries show different pages."""
        rows = self.session.execute(sa.select(Evidence.id, Evidence.enrolment_id,
                                              Evidence.evidence_type_id, Evidence.status)
                                    .order_by(Evidence.id)).all()
        first, seen = [], set()
        for row in rows:
            if (row[2], row[3]) not in seen and row[1] in self.enrolments:
                seen.add((row[2], row[3]))
                first.append((row[0], row[1]))
        return self._ordered([*first, *((row[0], row[1]) for row in rows)])

    def hubs(self) -> list[int]:
        """Training hubs, the person's own first."""
        own = set(self.session.scalars(sa.select(UserRole.hub_id).where(UserRole.user_id == self.user_id)))
        every = self.session.scalars(sa.select(TrainingHub.id).order_by(TrainingHub.id)).all()
        return [h for h in every if h in own] + [h for h in every if h not in own]

    def providers(self) -> list[int]:
        """Education providers, the person's own first."""
        own = set(self.session.scalars(sa.select(ProviderReviewer.provider_id)
                                       .where(ProviderReviewer.user_id == self.user_id)))
        every = self.session.scalars(sa.select(EducationProvider.id).order_by(EducationProvider.id)).all()
        return [p for p in every if p in own] + [p for p in every if p not in own]

    def codes(self, column: Any, version: Any) -> list[str]:
        """Codes (of stages, evidence types) of the frameworks the person's enrolments follow."""
        rows = self.session.execute(sa.select(column, Enrolment.id).join(
            Enrolment, Enrolment.framework_version_id == version).order_by(Enrolment.id))
        return self._ordered(rows)


def _signoff(column: Any) -> Callable[[Ids], list[Any]]:
    return lambda ids: ids.by_enrolment(column, StageSignOff.enrolment_id, order=StageSignOff.id)


# How to fill each argument of a route. A route with an argument not here fails the guard, so
# a new route is covered from the day it is added. Tokens and export jobs are secrets or made
# on demand: nothing in the data can fill them, and their pages are other tests' business.
FILLERS: dict[str, Callable[[Ids], list[Any]]] = {
    "enrolment_id": lambda ids: ids.by_enrolment(Enrolment.id, Enrolment.id),
    "evidence_id": Ids.evidence,
    "cohort_id": lambda ids: ids.by_enrolment(Cohort.id, Enrolment.id, Enrolment,
                                              Enrolment.cohort_id == Cohort.id),
    "hub_id": Ids.hubs,
    "provider_id": Ids.providers,
    "user_id": lambda ids: ids.session.scalars(sa.select(User.id).order_by(User.id)).all(),
    "capability_id": lambda ids: ids.codes(Capability.id, Capability.framework_version_id),
    "stage_code": lambda ids: ids.codes(Stage.code, Stage.framework_version_id),
    "type_code": lambda ids: ids.codes(EvidenceType.code, EvidenceType.framework_version_id),
    "signoff_id": _signoff(StageSignOff.id),
    "code": lambda ids: [c for c in _signoff(StageSignOff.verification_code)(ids) if c],
    "round_id": lambda ids: ids.by_enrolment(StageSignOffRound.id, StageSignOff.enrolment_id,
                                             StageSignOff,
                                             StageSignOff.id == StageSignOffRound.signoff_id),
    "analysis_id": lambda ids: ids.by_enrolment(LearningNeedsAnalysis.id,
                                                LearningNeedsAnalysis.enrolment_id),
    "review_id": lambda ids: ids.by_enrolment(ProgressReview.id, ProgressReview.enrolment_id),
    "rater_id": lambda ids: ids.by_enrolment(FeedbackRater.id, Evidence.enrolment_id, Evidence,
                                             Evidence.id == FeedbackRater.evidence_id),
    "attachment_id": lambda ids: ids.by_enrolment(Attachment.id, Evidence.enrolment_id, Evidence,
                                                  Evidence.id == Attachment.evidence_id),
    "token": lambda ids: [],
    "job_id": lambda ids: [],
}


@dataclass
class Site:
    """What one persona reaches: the pages to look at, and the server's failures on the way."""

    persona: Persona
    pages: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    answered: set[str] = field(default_factory=set)  # pages fetched that answered 200
    fetched: int = 0


def _shape(body: str) -> frozenset[tuple[str, str]]:
    """The kinds of element in a page's main part (tag and classes): pages of one endpoint
    that differ only in their words and numbers have the same shape."""
    main = body.split("<main", 1)[-1].split("</main>", 1)[0]
    return frozenset((tag.lower(), " ".join(sorted(CLASS.search(attrs).group(1).split())))
                     if CLASS.search(attrs) else (tag.lower(), "")
                     for tag, attrs in TAG.findall(main))


def _may_use(app: Flask, endpoint: str, persona: Persona) -> bool:
    allowed = getattr(app.view_functions[endpoint], "allowed_roles", None)
    if allowed == "public":
        return True
    if persona.email is None or allowed is None:
        return False
    return allowed == "signed_in" or bool({role.value for role in allowed} & persona.roles)


class Crawler:
    """Fetches a persona's pages through their signed-in browser context's request API."""

    def __init__(self, app: Flask, origin: str, request: APIRequestContext, site: Site,
                 shapes: set[Shape]) -> None:
        self.app, self.origin, self.request, self.site = app, origin, request, site
        self.shapes = shapes  # shared by every persona: a page of a shape is looked at once
        self.adapter = app.url_map.bind(urlsplit(origin).netloc)
        self.fetches: Counter[str] = Counter()
        self.visits: Counter[str] = Counter()
        self.seen: set[str] = set()

    def endpoint(self, url: str) -> Optional[str]:
        """The endpoint a same-origin path and query answer to, or None for what is no page."""
        parts = urlsplit(url)
        if parts.path.startswith(SKIP_PREFIXES) or parts.path.endswith(SKIP_SUFFIXES):
            return None
        try:
            endpoint, _args = self.adapter.match(parts.path, method="GET", query_args=parts.query)
        except (HTTPException, RequestRedirect):
            return None
        return endpoint

    def fetch(self, url: str, queue: deque[str]) -> bool:
        """Fetch a page once; queue its links; keep it to look at when its shape is new."""
        endpoint = self.endpoint(url)
        if url in self.seen or endpoint is None or self.fetches[endpoint] >= FETCHES_PER_ENDPOINT:
            return False
        self.seen.add(url)
        response = self.request.get(url, max_redirects=0)
        self.site.fetched += 1
        try:
            status, kind = response.status, response.headers.get("content-type", "")
            if status >= 500:
                self.site.failures.append(f"GET {url} answered {status}")
            if status in (301, 302, 303, 307, 308):
                self.queue_local(url, response.headers.get("location", ""), queue)
            if status != 200 or not kind.startswith("text/html"):
                return False
            body = response.text()
        finally:
            response.dispose()
        self.fetches[endpoint] += 1
        self.site.answered.add(url)
        for href in LINK.findall(body):
            self.queue_local(url, unescape(href), queue)
        shape = (endpoint, _shape(body))
        if shape not in self.shapes and self.visits[endpoint] < VISITS_PER_ENDPOINT:
            self.shapes.add(shape)
            self.visits[endpoint] += 1
            self.site.pages.append(url)
        return True

    def queue_local(self, base: str, href: str, queue: deque[str]) -> None:
        """Queue a link or redirect as a path and query, when it leads to our own server."""
        target = urljoin(self.origin + base, href).split("#", 1)[0]
        if target.startswith(self.origin + "/"):
            queue.append(target[len(self.origin):])

    def crawl(self, queue: deque[str]) -> None:
        """Follow same-origin links, breadth first, from the pages queued."""
        while queue:
            self.fetch(queue.popleft(), queue)

    def fill_routes(self, ids: Ids, queue: deque[str]) -> None:
        """Every GET route the persona may use that the links did not reach, with ids filled;
        the links of the pages found are queued."""
        with self.app.test_request_context(base_url=self.origin):
            for rule in sorted(self.app.url_map.iter_rules(), key=lambda r: r.rule):
                if "GET" not in (rule.methods or ()) or self.fetches[rule.endpoint] \
                        or rule.rule.startswith(SKIP_PREFIXES) or rule.rule.endswith(SKIP_SUFFIXES) \
                        or not _may_use(self.app, rule.endpoint, self.site.persona):
                    continue
                names = sorted(rule.arguments)
                unknown = [name for name in names if name not in FILLERS]
                if unknown:
                    self.site.failures.append(f"the guard cannot fill {unknown} of {rule.rule}: "
                                              "add them to FILLERS in tests/browser/site.py")
                    continue
                values = itertools.islice(itertools.product(*(FILLERS[n](ids) for n in names)),
                                          TRIES_PER_ROUTE)
                for combination in values:
                    url = url_for(rule.endpoint, **dict(zip(names, combination)))
                    if self.fetch(url, queue):
                        break


def discover(app: Flask, session: Session, origin: str, request: APIRequestContext,
             persona: Persona, shapes: set[Shape]) -> Site:
    """The pages a persona reaches: crawled from their start page, then routes filled with ids.

    A page whose endpoint and shape were looked at for an earlier persona (`shapes`) is left
    out: the same template with the same parts, only other words, shows nothing new.
    """
    site = Site(persona)
    crawler = Crawler(app, origin, request, site, shapes)
    start = "/home" if persona.email else "/sign-in"
    crawler.crawl(deque([start]))
    if start in site.answered and start not in site.pages:
        site.pages.insert(0, start)  # each persona's own header and navigation, looked at once
    queue: deque[str] = deque()
    crawler.fill_routes(Ids(session, persona.user_id), queue)
    crawler.crawl(queue)
    return site

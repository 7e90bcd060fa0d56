"""The pages each kind of person in the demo reaches (tests/browser/personas.py), found by
following links from their home page and by filling every GET route they may use with the ids
of objects, their own first.
"""
from __future__ import annotations

import itertools
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html import unescape
from typing import Optional
from urllib.parse import urljoin, urlsplit

from flask import Flask, url_for
from playwright.sync_api import APIRequestContext
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException
from werkzeug.routing import AnyConverter, RequestRedirect

from .personas import FILLERS, Ids, Persona

# Not pages: files, assets, the health check; a CSV or a PDF rendered in the request.
SKIP_PREFIXES = ("/assets/", "/static/", "/favicon.ico", "/healthz")
SKIP_SUFFIXES = (".csv", ".pdf", ".png", ".json", ".js", ".webmanifest")  # not pages
FETCHES_PER_ENDPOINT = 6  # pages of one endpoint fetched to find links and shapes
VISITS_PER_ENDPOINT = 4  # pages of one endpoint checked in the browser, each of a new shape
TRIES_PER_ROUTE = 3  # ids tried for a route the links did not reach
LINK = re.compile(r'<a\b[^>]*?\shref="([^"]*)"', re.IGNORECASE)
TAG = re.compile(r'<([a-z][a-z0-9]*)\b([^>]*)>', re.IGNORECASE)
CLASS = re.compile(r'\sclass="([^"]*)"')
# A page's endpoint and the kinds of element in its main part (see _shape).
Shape = tuple[str, frozenset[tuple[str, str]]]


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
                # An argument that takes one of a few words (`any(...)`) is filled with them.
                choices = {name: sorted(converter.items) for name, converter
                           in rule._converters.items() if isinstance(converter, AnyConverter)}
                unknown = [name for name in names if name not in FILLERS and name not in choices]
                if unknown:
                    self.site.failures.append(f"the guard cannot fill {unknown} of {rule.rule}: "
                                              "add them to FILLERS in tests/browser/personas.py")
                    continue
                values = itertools.islice(itertools.product(
                    *(choices[n] if n in choices else FILLERS[n](ids) for n in names)), TRIES_PER_ROUTE)
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

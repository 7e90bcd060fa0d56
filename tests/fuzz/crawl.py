"""Find what a role can send: crawl the pages it reaches and read every form and query link.

A target is one endpoint with the variants found for it: a path, the fields a page offers
there (names, kinds and the values the page itself would send) and how the body is sent.
"""
from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional
from urllib.parse import parse_qsl, urlsplit

import tinyhtml5
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

NS = "{http://www.w3.org/1999/xhtml}"
# Not crawled: files, a PDF rendered in the request, the health check.
SKIP = {"static", "nhsuk_asset", "favicon", "home.healthz", "exports.statement", "exports.download"}
# Pages that put the session in a mode every other page answers with a redirect (assessor mode:
# the candidate has handed the phone over): visited after every other page.
LOCKING = {"feedback.assess_on_device"}


@dataclass
class Field:
    """A form field by name: its kind (input type, select, textarea) and the values offered."""

    name: str
    kind: str
    values: list[str] = field(default_factory=list)
    optional: bool = False  # its label says "(optional)": a person may leave it empty
    known: list[str] = field(default_factory=list)  # real values of the world (people, password)


@dataclass
class Variant:
    """One place an endpoint is used from: a path and its fields."""

    path: str
    fields: dict[str, Field]
    multipart: bool = False


@dataclass
class Target:
    """An endpoint and method to fuzz, with every variant the crawl found."""

    method: str
    endpoint: str
    variants: list[Variant] = field(default_factory=list)

    def add(self, variant: Variant) -> None:
        """Merge a variant into the one with the same path and field names, or keep it."""
        for known in self.variants:
            if known.path == variant.path and known.fields.keys() == variant.fields.keys():
                for name, found in variant.fields.items():
                    values = known.fields[name].values
                    values.extend(v for v in found.values if v not in values)
                return
        self.variants.append(variant)


@dataclass
class Site:
    """What one role's crawl found: targets by (method, endpoint), and requests that failed."""

    targets: dict[tuple[str, str], Target] = field(default_factory=dict)
    pages: dict[str, list[str]] = field(default_factory=lambda: collections.defaultdict(list))
    failures: list[str] = field(default_factory=list)

    def add(self, method: str, endpoint: str, variant: Variant) -> None:
        """Record a variant of a target."""
        key = (method, endpoint)
        self.targets.setdefault(key, Target(method, endpoint)).add(variant)


def _text(element: Any) -> str:
    return "".join(element.itertext())


def _fields(form: Any) -> dict[str, Field]:
    """Fields of a form by name, with what the page would send (or offers) for each."""
    found: dict[str, Field] = {}
    labels = {label.get("for"): _text(label).lower() for label in form.iter(NS + "label")}
    for element in form.iter():
        tag = element.tag.removeprefix(NS)
        name = element.get("name")
        if not name or tag not in {"input", "select", "textarea", "button"}:
            continue
        kind = element.get("type", "text").lower() if tag == "input" else tag
        entry = found.setdefault(name, Field(name, kind))
        entry.optional = entry.optional or "optional" in labels.get(element.get("id"), "")
        if tag == "select":
            options = [o.get("value", _text(o)) for o in element.iter(NS + "option")]
            entry.values.extend(options)
        elif tag == "textarea":
            entry.values.append(_text(element))
        elif element.get("value") is not None:
            entry.values.append(element.get("value"))
    return found


def _resolve(page: str, href: Optional[str]) -> Optional[str]:
    """A link or action as a path on this site (with its query), or None for anything else."""
    if href is None or href == "":
        return page
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def read_page(site: Site, endpoint_of: Callable[[str, str], Optional[str]], page: str,
              html: str) -> Iterator[str]:
    """Record the page's forms and query links; yield the paths it links to."""
    root = tinyhtml5.parse(html)
    for form in root.iter(NS + "form"):
        method = form.get("method", "get").upper()
        action = _resolve(page, form.get("action"))
        if action is None:
            continue
        fields = _fields(form)
        if method == "GET":
            fields.update({n: Field(n, "query", [v]) for n, v in parse_qsl(urlsplit(action).query)})
            action = urlsplit(action).path
        endpoint = endpoint_of(urlsplit(action).path, method)
        if endpoint:
            site.add(method, endpoint, Variant(action, fields,
                                               form.get("enctype") == "multipart/form-data"))
        autosave = form.get("data-autosave")
        if autosave and endpoint_of(autosave, "POST"):
            site.add("POST", endpoint_of(autosave, "POST"), Variant(autosave, {
                **fields, "path": Field("path", "hidden", [form.get("data-autosave-path", "")])}))
    for link in root.iter(NS + "a"):
        target = _resolve(page, link.get("href"))
        if target is None or target.startswith("//"):
            continue
        parts = urlsplit(target)
        if parts.query and (endpoint := endpoint_of(parts.path, "GET")):
            site.add("GET", endpoint, Variant(parts.path, {
                n: Field(n, "query", [v]) for n, v in parse_qsl(parts.query)}))
        yield target.split("#")[0]


def endpoint_finder(app: Flask) -> Callable[[str, str], Optional[str]]:
    """A function from (path, method) to the endpoint that serves it, or None."""
    adapter = app.url_map.bind("localhost")

    def endpoint_of(path: str, method: str) -> Optional[str]:
        try:
            endpoint, _args = adapter.match(urlsplit(path).path, method=method)
        except (HTTPException, RequestRedirect):
            return None
        return endpoint

    return endpoint_of


def crawl(app: Flask, client: FlaskClient, starts: list[str], per_endpoint: int = 8,
          per_path: int = 2, limit: int = 200) -> Site:
    """Visit what the client can reach from the starting paths, breadth first.

    At most `per_endpoint` pages of one endpoint (items of one kind look alike) and
    `per_path` queries of one path (a dashboard sorted ten ways is one form).
    """
    site, endpoint_of = Site(), endpoint_finder(app)
    queue, seen, later = collections.deque(starts), set(), collections.deque()
    while (queue or later) and sum(len(p) for p in site.pages.values()) < limit:
        path = queue.popleft() if queue else later.popleft()
        endpoint = endpoint_of(path, "GET")
        if endpoint in LOCKING and queue:
            later.append(path)
            continue
        bare = path.split("?")[0]
        if path in seen or endpoint is None or endpoint in SKIP \
                or len(site.pages[endpoint]) >= per_endpoint \
                or sum(p.split("?")[0] == bare for p in site.pages[endpoint]) >= per_path:
            continue
        seen.add(path)
        site.pages[endpoint].append(path)
        try:
            response = client.get(path)
        except Exception as error:  # noqa: BLE001  (the app raised: the finding itself)
            site.failures.append(f"GET {path}: {type(error).__name__}: {error}")
            continue
        response.close()  # a streamed download holds its file open until closed
        if response.status_code >= 500:
            site.failures.append(f"GET {path}: {response.status_code}")
        if response.status_code in (301, 302, 303) and response.location:
            moved = urlsplit(response.location)
            queue.append(moved.path + (f"?{moved.query}" if moved.query else ""))
        elif response.mimetype == "text/html":
            queue.extend(read_page(site, endpoint_of, path, response.get_data(as_text=True)))
    return site

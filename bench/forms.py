"""Read the forms of a page the way a browser would, so the load test posts what a person would."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any, Optional
from urllib.parse import urlsplit


class Form:
    """One <form>: where it posts, and its fields with their current or first choices."""

    def __init__(self, action: str, attrs: dict[str, Optional[str]]) -> None:
        self.action, self.attrs = action, attrs
        self.fields: list[dict[str, Any]] = []

    def values(self, answer: Any = None) -> list[tuple[str, str]]:
        """Name/value pairs to post: hidden values kept; empty fields answered."""
        found: list[tuple[str, str]] = []
        radios: dict[str, str] = {}
        for f in self.fields:
            name, kind = f["name"], f["kind"]
            if kind == "hidden":
                found.append((name, f["value"]))
            elif kind == "radio":
                if f["checked"] or name not in radios:
                    radios[name] = f["value"] if f["checked"] or name not in radios else radios[name]
            elif kind == "checkbox":
                if f["checked"] or f.get("first"):
                    found.append((name, f["value"]))
            elif kind == "select":
                options = [o for o in f["options"] if o]
                if options:
                    found.append((name, f["selected"] or options[0]))
            elif kind in ("text", "textarea", "number", "date", "email", "password"):
                value = f["value"] or (answer(f) if answer else "")
                if value:
                    found.append((name, value))
        found += list(radios.items())
        return found


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._select: Optional[dict[str, Any]] = None
        self._textarea: Optional[dict[str, Any]] = None
        self._seen_checkbox: set[str] = set()

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, Optional[str]]]) -> None:
        attrs = dict(attrs_list)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"] or "")
        elif tag == "form":
            self.forms.append(Form(attrs.get("action") or "", attrs))
        elif not self.forms or not attrs.get("name") and tag != "option":
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if attrs.get("inputmode") in ("numeric", "decimal") and kind == "text":
                kind = "number"  # the NHS.UK pattern: a text box that takes a number
            field = {"name": attrs["name"], "kind": kind, "value": attrs.get("value") or "",
                     "checked": "checked" in attrs}
            if kind == "checkbox":
                field["first"] = attrs["name"] not in self._seen_checkbox
                self._seen_checkbox.add(attrs["name"] or "")
                field["value"] = attrs.get("value") or "y"
            if kind not in ("submit", "button", "file"):
                self.forms[-1].fields.append(field)
        elif tag == "textarea":
            self._textarea = {"name": attrs["name"], "kind": "textarea", "value": ""}
            self.forms[-1].fields.append(self._textarea)
        elif tag == "select":
            self._select = {"name": attrs["name"], "kind": "select", "options": [], "selected": None}
            self.forms[-1].fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append(attrs.get("value") or "")
            if "selected" in attrs:
                self._select["selected"] = attrs.get("value")

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def parse(html: str) -> tuple[list[Form], list[str]]:
    """The forms and link targets of a page."""
    parser = _Parser()
    parser.feed(html)
    return parser.forms, parser.links


def form_posting_to(html: str, pattern: str, page: str = "") -> Optional[Form]:
    """The first form whose action matches a regular expression; a form without an action
    posts back to its own page, as browsers do."""
    for form in parse(html)[0]:
        if not form.action and page:
            form.action = urlsplit(page).path + (f"?{urlsplit(page).query}" if urlsplit(page).query else "")
        if re.search(pattern, form.action):
            return form
    return None


def ids_in(html: str, pattern: str) -> list[int]:
    """Ids of the links on a page whose target matches a pattern like r"/portfolio/evidence/(\\d+)";
    a regular expression over href attributes, far cheaper than parsing the page in the load
    generator, which shares the cores with the server it measures."""
    return [int(found) for found in re.findall(r'href="' + pattern + '"', html)]

"""The portfolio PDF: gather, cut into parts, render the parts in parallel, join, number pages.

Parts are cut so that one changed item re-renders only its own run of items: every part's
HTML depends on its content alone, never on where it lands; page numbers are stamped last.
"""
from __future__ import annotations

import datetime as dt
import logging
from itertools import groupby
import os
import time
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from flask import Flask, current_app, render_template
from markupsafe import Markup
from sqlalchemy.orm import Session

from roadmap.cohorts.models import Enrolment
from roadmap.exports import fonts, images, parallel
from roadmap.exports.gather import gather
from roadmap.exports.join import Joiner, offsets
from roadmap.exports.parts import Rendered, Styles

ASSETS = Path(__file__).resolve().parent / "assets"
ITEMS_PER_PART = 6
EVENTS_PER_PART = 120
IMAGE_COST = 8000  # an image attachment lays out about as slowly as 8,000 characters of text
TOC_ENTRIES_PER_PAGE = 50  # contents entries on a page, for the first estimate of its length
Progress = Callable[[int, str], None]  # percent, what is happening
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Setup:
    """Where an export reads and writes, from the app's settings."""

    export_dir: Path
    font_dir: Path
    workers: int

    @property
    def image_dir(self) -> Path:
        """The print copies of image attachments (the renderer reads these, not the originals)."""
        return images.folder(self.export_dir)

    @property
    def roots(self) -> list[str]:
        """The only folders and files the renderer may read: ours, and the fonts we declare."""
        return [str(ASSETS), *fonts.files(self.font_dir), str(self.image_dir)]

    @property
    def cache(self) -> parallel.PartCache:
        """Rendered parts by content hash."""
        return parallel.PartCache(self.export_dir / "cache")

    @property
    def stamp_font(self) -> Path:
        """The font of the page numbers stamped on the joined PDF."""
        return self.font_dir / fonts.SANS.regular


def setup(app: Optional[Flask] = None) -> Setup:
    """The export settings of an app (the current one by default)."""
    app = app or current_app
    config = app.config
    instance = Path(app.instance_path)
    return Setup(
        export_dir=Path(config.get("EXPORT_DIR") or instance / "exports"),
        font_dir=Path(config.get("EXPORT_FONT_DIR") or fonts.DEFAULT_DIR),
        workers=int(config.get("EXPORT_WORKERS") or os.cpu_count() or 1))


def document(setup_: Setup, body: str, footer: str, title: str, shared: bool = False) -> str:
    """A part's whole HTML: fonts, stylesheet, the running name for the footer, the body.

    `shared`: leave the fonts and stylesheet out, the renderer brings them (styles()). Any
    character no declared font has becomes U+FFFD here, so no text can fail the layout.
    """
    font_css = None if shared else Markup(fonts.css(setup_.font_dir, body + footer + title))
    html = render_template("exports/_document.html", body=Markup(body), footer=footer,
                           title=title, font_css=font_css)
    return fonts.printable(html, setup_.font_dir)


def styles(setup_: Setup) -> Styles:
    """The fonts and print stylesheet every part shares, parsed once per rendering process."""
    return Styles(css=(fonts.css(setup_.font_dir), (ASSETS / "print.css").read_text()),
                  base_url=(ASSETS / "print.css").as_uri(), roots=tuple(setup_.roots))


def cost(body: str) -> float:
    """A part's rough layout time, to hand out the costliest first: tables and images are slow."""
    per_character = 2.0 if "<table" in body else 1.0
    return per_character * len(body) + IMAGE_COST * body.count("<img")


def parts(p: dict[str, Any]) -> list[str]:
    """The cover and every body part, in order, as HTML bodies.

    Each run of items is its own part, so one changed item re-renders only its run, and each
    domain's capability headings (a heading lists every item linked to it: the longest part of
    a big portfolio, whose counts and statuses move with most changes). The cover (no page
    numbers) is cut off from the contents so it renders with the parts.
    """
    bodies = [render_template("exports/cover.html", p=p),
              render_template("exports/matrix.html", p=p)]
    domains = [list(group) for _domain, group in groupby(p["headings"], lambda h: h["domain"])]
    for number, headings in enumerate(domains or [[]]):  # a change re-lays only its domains
        bodies.append(render_template("exports/headings.html", p=p, headings=headings,
                                      first=number == 0))
    items = p["items"]
    for start in range(0, max(len(items), 1), ITEMS_PER_PART):
        bodies.append(render_template("exports/items.html", p=p, first=start == 0,
                                      items=items[start:start + ITEMS_PER_PART]))
    bodies.append(render_template("exports/stages.html", p=p))
    events = p["timeline"]
    for start in range(0, max(len(events), 1), EVENTS_PER_PART):
        bodies.append(render_template("exports/timeline.html", first=start == 0,
                                      entries=events[start:start + EVENTS_PER_PART]))
    return bodies


def contents(parts: list[Rendered], first_page: int) -> list[dict[str, Any]]:
    """The table of contents: level-1 sections with their level-2 entries and page numbers."""
    toc: list[dict[str, Any]] = []
    for start, part in zip(offsets(parts), parts):
        for level, label, page in part.bookmarks:
            entry = {"label": label, "page": first_page + start + page, "children": []}
            if level == 1:
                toc.append(entry)
            elif level == 2 and toc:
                toc[-1]["children"].append(entry)
    return toc


class Contents:
    """The contents pages, laid out once every body page is known.

    Its own length moves the body's page numbers: it starts from an estimate, and is laid
    out again in the rare case the estimate was wrong. On a first export the layout runs in
    a worker while this process copies the body's pages.
    """

    def __init__(self, setup_: Setup, style: Styles, name: str, cover: Rendered,
                 body: list[Rendered]) -> None:
        self.setup, self.styles, self.name = setup_, style, name
        self.cover, self.body = cover, body
        entries = sum(len(e["children"]) + 1 for e in contents(body, 0))
        self.guess = 1 + entries // TOC_ENTRIES_PER_PAGE
        self.html, self.key = self._html(self.guess)
        self.found = setup_.cache.get(self.key)
        self.future: Optional[Future] = None

    def _html(self, pages: int) -> tuple[str, str]:
        toc = contents(self.body, self.cover.pages + pages + 1)
        html = document(self.setup, render_template("exports/contents.html", toc=toc),
                        self.name, f"Portfolio of {self.name}", shared=True)
        return html, parallel.part_key(html, self.styles.digest)

    def start(self, workers: int) -> None:
        """Hand the layout to a worker if the workers are up; else result() does it here."""
        if self.found is None and workers > 1 and parallel.pool_running():
            self.future = parallel.submit(self.html, self.styles, workers)

    def result(self) -> Rendered:
        """The contents pages, their numbers right."""
        from roadmap.exports.render import renderer

        rendered = self.found
        if rendered is None:
            rendered = (parallel.result(self.future) if self.future is not None
                        else renderer(self.styles).render(self.html))
            self.setup.cache.put(self.key, rendered)
        for _attempt in range(3):
            if rendered.pages == self.guess:
                break
            self.guess = rendered.pages
            html, key = self._html(self.guess)
            rendered = self.setup.cache.get(key) or renderer(self.styles).render(html)
            self.setup.cache.put(key, rendered)
        return rendered


def export_pdf(session: Session, enrolment: Enrolment, today: dt.date, content: bool = True,
               progress: Optional[Progress] = None, setup_: Optional[Setup] = None,
               drafts: bool = True) -> bytes:
    """The whole portfolio of an enrolment as one PDF (its private drafts only for the candidate)."""
    setup_ = setup_ or setup()
    report = progress or (lambda percent, message: None)
    style = styles(setup_)
    parallel.start(setup_.workers, style)  # the workers start while the database is read
    report(2, "Reading the portfolio")
    clock = _Clock()
    p = gather(session, enrolment, today, setup_.image_dir, content, drafts=drafts)
    clock.mark("read")
    name = p["candidate"].full_name
    bodies = parts(p)
    htmls = [document(setup_, body, name, f"Portfolio of {name}", shared=True) for body in bodies]
    clock.mark(f"{len(htmls)} parts written")
    report(8, "Laying out the pages")
    joiner = Joiner()  # the cover at place 0, the contents at 1, the body after
    rendered = parallel.render_all(
        htmls, [cost(body) for body in bodies], style, setup_.cache, setup_.workers,
        lambda done, total: report(8 + 80 * done // max(total, 1), f"Laid out {done} of {total} parts"),
        lambda index, part: joiner.add(0 if index == 0 else index + 1, part))
    clock.mark("laid out")
    report(90, "Writing the contents and page numbers")
    toc = Contents(setup_, style, name, rendered[0], rendered[1:])
    toc.start(setup_.workers)
    joiner.add(1, toc.result())
    pdf = joiner.finish(setup_.stamp_font, f"Portfolio of {name}", name)
    clock.mark("contents and page numbers")
    log.info("portfolio PDF: %s", clock)
    report(100, "Ready")
    return pdf


class _Clock:
    """Seconds per phase of an export, for its log: where a slow one spent its time."""

    def __init__(self) -> None:
        self.last, self.marks = time.perf_counter(), list[str]()

    def mark(self, what: str) -> None:
        now = time.perf_counter()
        self.marks.append(f"{what} in {now - self.last:.2f} s")
        self.last = now

    def __str__(self) -> str:
        return ", ".join(self.marks)


def single_pass_pdf(session: Session, enrolment: Enrolment, today: dt.date,
                    setup_: Optional[Setup] = None, drafts: bool = True) -> bytes:
    """The same content in one WeasyPrint pass, no parts, no cache: the benchmark's baseline,
    and (until the archival form lands) the stored document (drafts only for the candidate)."""
    from roadmap.exports.render import render

    setup_ = setup_ or setup()
    p = gather(session, enrolment, today, setup_.image_dir, True, drafts=drafts)
    bodies = [render_template("exports/matrix.html", p=p),
              render_template("exports/headings.html", p=p),
              render_template("exports/items.html", p=p, first=True, items=p["items"]),
              render_template("exports/stages.html", p=p),
              render_template("exports/timeline.html", first=True, entries=p["timeline"])]
    toc = [{"label": "(contents)", "page": 0, "children": [
        {"label": f"E{i['number']}. {i['title']}", "page": 0} for i in p["items"]]}]
    front_body = render_template("exports/front.html", p=p, toc=toc)
    html = document(setup_, front_body + "".join(bodies), p["candidate"].full_name, "Portfolio")
    html = html.replace("</style>", "@page { @bottom-right { content: 'Page ' counter(page) "
                        "' of ' counter(pages); font-family: 'Roadmap Sans'; font-size: 8pt; } }"
                        "</style>", 1)
    return render(html, (ASSETS / "print.css").as_uri(), setup_.roots).pdf

"""The portfolio PDF: gather, cut into parts, render the parts in parallel, join, number pages.

Parts are cut so that one changed item re-renders only its own run of items: every part's
HTML depends on its content alone, never on where it lands; page numbers are stamped last.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from flask import Flask, current_app, render_template
from markupsafe import Markup
from sqlalchemy.orm import Session

from roadmap import storage
from roadmap.cohorts.models import Enrolment
from roadmap.exports import parallel
from roadmap.exports.gather import gather
from roadmap.exports.join import join, offsets
from roadmap.exports.render import Rendered, render
from roadmap.storage import mirror

ASSETS = Path(__file__).resolve().parent / "assets"
ITEMS_PER_PART = 6
EVENTS_PER_PART = 120
DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONTS = {"sans": "DejaVuSans.ttf", "sans_bold": "DejaVuSans-Bold.ttf", "mono": "DejaVuSansMono.ttf"}
Progress = Callable[[int, str], None]  # percent, what is happening


@dataclass(frozen=True)
class Setup:
    """Where an export reads and writes, from the app's settings."""

    export_dir: Path
    font_dir: Path
    attachment_dir: Path
    workers: int

    @property
    def roots(self) -> list[str]:
        """The only folders the renderer may read."""
        return [str(ASSETS), str(self.font_dir), str(self.attachment_dir)]

    @property
    def cache(self) -> parallel.PartCache:
        """Rendered parts by content hash."""
        return parallel.PartCache(self.export_dir / "cache")

    def font(self, name: str) -> Path:
        """A shipped font file."""
        return self.font_dir / FONTS[name]


def setup(app: Optional[Flask] = None) -> Setup:
    """The export settings of an app (the current one by default)."""
    app = app or current_app
    config = app.config
    instance = Path(app.instance_path)
    export_dir = Path(config.get("EXPORT_DIR") or instance / "exports")
    return Setup(
        export_dir=export_dir,
        font_dir=Path(config.get("EXPORT_FONT_DIR") or DEFAULT_FONT_DIR),
        # The local store's folder, or copies of a bucket's images under export_dir.
        attachment_dir=mirror.folder_for(storage.current(app), export_dir),
        workers=int(config.get("EXPORT_WORKERS") or os.cpu_count() or 1))


def document(setup_: Setup, body: str, footer: str, title: str) -> str:
    """A part's whole HTML: fonts, stylesheet, the running name for the footer, the body."""
    fonts = {name: setup_.font(name).as_uri() for name in FONTS}
    return render_template("exports/_document.html", body=Markup(body), footer=footer, title=title,
                           fonts=fonts)


def body_parts(setup_: Setup, p: dict[str, Any]) -> list[str]:
    """Every part after the front matter, in order, as whole HTML documents."""
    name = p["candidate"].full_name
    bodies = [render_template("exports/matrix.html", p=p)]
    items = p["items"]
    for start in range(0, max(len(items), 1), ITEMS_PER_PART):
        bodies.append(render_template("exports/items.html", p=p, first=start == 0,
                                      items=items[start:start + ITEMS_PER_PART]))
    bodies.append(render_template("exports/stages.html", p=p))
    events = p["timeline"]
    for start in range(0, max(len(events), 1), EVENTS_PER_PART):
        bodies.append(render_template("exports/timeline.html", first=start == 0,
                                      entries=events[start:start + EVENTS_PER_PART]))
    return [document(setup_, body, name, f"Portfolio of {name}") for body in bodies]


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


def front(setup_: Setup, p: dict[str, Any], parts: list[Rendered]) -> Rendered:
    """Cover and contents; laid out again if the contents' own length moves the page numbers."""
    name = p["candidate"].full_name
    guess = 2 + sum(len(e["children"]) + 1 for e in contents(parts, 0)) // 48
    cache = setup_.cache
    for _attempt in range(4):
        html = document(setup_, render_template("exports/front.html", p=p,
                                                toc=contents(parts, guess + 1)),
                        name, f"Portfolio of {name}")
        key = parallel.part_key(html, (ASSETS / "print.css").read_bytes())
        rendered = cache.get(key)
        if rendered is None:
            rendered = render(html, (ASSETS / "print.css").as_uri(), setup_.roots)
            cache.put(key, rendered)
        if rendered.pages == guess:
            return rendered
        guess = rendered.pages
    return rendered


def export_pdf(session: Session, enrolment: Enrolment, today: dt.date, content: bool = True,
               progress: Optional[Progress] = None, setup_: Optional[Setup] = None) -> bytes:
    """The whole portfolio of an enrolment as one PDF."""
    setup_ = setup_ or setup()
    report = progress or (lambda percent, message: None)
    report(2, "Reading the portfolio")
    p = gather(session, enrolment, today, setup_.attachment_dir, content)
    htmls = body_parts(setup_, p)
    report(8, "Laying out the pages")
    stylesheet = (ASSETS / "print.css").read_bytes()
    parts = parallel.render_all(
        htmls, (ASSETS / "print.css").as_uri(), setup_.roots, setup_.cache, stylesheet,
        setup_.workers, lambda done, total: report(8 + 80 * done // max(total, 1),
                                                   f"Laid out {done} of {total} parts"))
    report(90, "Writing the contents and page numbers")
    cover = front(setup_, p, parts)
    name = p["candidate"].full_name
    pdf = join([cover, *parts], setup_.font("sans"), f"Portfolio of {name}", name)
    report(100, "Ready")
    return pdf


def single_pass_pdf(session: Session, enrolment: Enrolment, today: dt.date,
                    setup_: Optional[Setup] = None) -> bytes:
    """The same content in one WeasyPrint pass, no parts, no cache: the benchmark's baseline."""
    setup_ = setup_ or setup()
    p = gather(session, enrolment, today, setup_.attachment_dir, True)
    bodies = [render_template("exports/matrix.html", p=p),
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

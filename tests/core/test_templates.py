"""Every page template compiles: a filter or macro that no longer exists fails here, by name."""
from __future__ import annotations

from pathlib import Path

from jinja2 import TemplateError

from roadmap.config import PROJECT_ROOT

FOLDER = PROJECT_ROOT / "templates"
TEMPLATES = sorted(p.relative_to(FOLDER).as_posix() for p in FOLDER.rglob("*.html"))


def test_every_template_compiles(app):
    broken = []
    for name in TEMPLATES:
        try:
            app.jinja_env.get_template(name)
        except TemplateError as error:
            broken.append(f"{name}: {error}")
    assert not broken, "\n".join(broken)


def test_one_date_filter_formats_every_date(app):
    """Pages read dates through nhs_date alone; the filters it replaced are gone."""
    assert "nhs_date" in app.jinja_env.filters
    assert not {"long_date", "london_datetime"} & set(app.jinja_env.filters)
    used = "".join(Path(FOLDER / name).read_text() for name in TEMPLATES)
    assert "| long_date" not in used and "| london_datetime" not in used

"""The stylesheet holds only the NHS.UK components we use (issue 23), so a template that starts
using another one must add it to roadmap/static/scss/roadmap.scss: this test says which."""
from __future__ import annotations

import re
from pathlib import Path

import nhsuk_frontend_jinja

from roadmap.config import PROJECT_ROOT

ENTRY = PROJECT_ROOT / "roadmap" / "static" / "scss" / "roadmap.scss"
COMPONENTS = PROJECT_ROOT / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk" / "components"
MACROS = Path(nhsuk_frontend_jinja.__file__).parent / "templates" / "nhsuk" / "components"
# A component's class is its folder's name, but for these two.
BLOCK = {"tables": "table", "images": "image"}


def _styled() -> list[str]:
    """The components that have styles of their own (caption, heading, legend have none)."""
    return sorted(p.name for p in COMPONENTS.iterdir() if (p / "_index.scss").is_file())


def _mentions(text: str, component: str) -> bool:
    """The text uses the component: its macro, its class, or a class of one of its parts."""
    block = BLOCK.get(component, component)
    return re.search(rf"nhsuk/components/{component}/|\bnhsuk-{block}(?![a-z-])|\bnhsuk-{block}(?:__|--)",
                     text) is not None


def _ours() -> str:
    """Our templates, Python, scripts and styles, where a component's class or macro is named."""
    files = [*(PROJECT_ROOT / "templates").rglob("*.html"), *(PROJECT_ROOT / "roadmap").rglob("*.py"),
             *(PROJECT_ROOT / "roadmap" / "static").glob("*.js"),
             *(PROJECT_ROOT / "roadmap" / "static" / "scss").glob("_*.scss")]
    return "\n".join(path.read_text(errors="replace") for path in files)


def used_components() -> set[str]:
    """Components we use, and those their macros use in turn (a date input's inputs...)."""
    styled, ours = _styled(), _ours()
    used = {c for c in styled if _mentions(ours, c)}
    waiting = list(used)
    while waiting:
        macro = MACROS / waiting.pop()
        text = "\n".join(p.read_text() for p in macro.rglob("*") if p.is_file()) if macro.is_dir() else ""
        for other in styled:
            if other not in used and _mentions(text, other):
                used.add(other)
                waiting.append(other)
    return used


def imported_components() -> set[str]:
    """The components the entry builds, and those their own styles use (tables use scroll)."""
    built = set(re.findall(r'@use "nhsuk-frontend/dist/nhsuk/components/([a-z-]+)"', ENTRY.read_text()))
    waiting = list(built)
    while waiting:
        for scss in (COMPONENTS / waiting.pop()).glob("*.scss"):
            for other in re.findall(r'@(?:use|forward) "\.\./([a-z-]+)"', scss.read_text()):
                if other not in built:
                    built.add(other)
                    waiting.append(other)
    return built


def test_every_component_we_use_is_in_the_stylesheet():
    missing = used_components() - imported_components()
    assert not missing, (f"templates use {sorted(missing)}, which {ENTRY.name} does not build: add "
                         f"@use \"nhsuk-frontend/dist/nhsuk/components/NAME\" as nhsuk-NAME; for each")


def test_the_stylesheet_leaves_out_components_we_do_not_use():
    unused = set(_styled()) - used_components()
    assert unused, "every component is used: nothing left to leave out"
    assert not unused & imported_components(), sorted(unused & imported_components())


def test_the_check_finds_a_component_by_class_or_macro():
    assert _mentions('<ul class="nhsuk-task-list__item">', "task-list")
    assert _mentions('{% from "nhsuk/components/hero/macro.jinja" import hero %}', "hero")
    assert _mentions('<table class="nhsuk-table">', "tables")
    assert not _mentions('<p class="nhsuk-tag-like">', "tag")
